"""HAProxy on the load-balancer node: the haproxy.cfg renderer, its install script and the component
that writes the config (validated by `haproxy -c`) and reloads only on change."""
