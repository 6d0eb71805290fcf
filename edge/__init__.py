"""The edge layer: HAProxy on the load-balancer node, built from every layer's HTTP and TCP route contributions."""
