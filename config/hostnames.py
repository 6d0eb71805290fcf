"""DNS names the Kubernetes layer hands out, derived from `goldentooth:domains`.

`<svc>.services.k8s.<base>` is the name users type: HAProxy terminates TLS for it. `<svc>.metallb.k8s.<base>`
is the MetalLB address behind it, published by ExternalDNS from the Service annotation.
"""

from config.domains import DomainsSpec


def service_host(domains: DomainsSpec, name: str) -> str:
    return f"{name}.{domains.k8s_services}"


def metallb_host(domains: DomainsSpec, name: str) -> str:
    k8s_zone = domains.k8s_services.split(".", 1)[1]  # services.k8s.goldentooth.net -> k8s.goldentooth.net
    return f"{name}.metallb.{k8s_zone}"


def public_host(domains: DomainsSpec, name: str) -> str:
    return f"{name}.{domains.base}"
