"""Cross-section rules of the cloud layers: record names inside the adopted zone, and public apps that the
Cloudflare tunnel can actually publish. `config.rules` runs them with every other rule."""

from collections.abc import Iterator

from config.aws import AwsSpec
from config.cloudflare import CloudflareSpec, in_zone
from config.domains import DomainsSpec
from config.errors import Violation
from config.hostnames import public_host
from config.kubernetes import KubernetesSpec


def cloud_violations(
    domains: DomainsSpec | None,
    aws: AwsSpec | None,
    cloudflare: CloudflareSpec | None,
    kubernetes: KubernetesSpec | None,
) -> Iterator[Violation]:
    if domains is not None and aws is not None and not in_zone(domains.nodes, domains.base):
        yield Violation(
            "domains.nodes",
            f"{domains.nodes} is outside the zone {domains.base} (domains.base) that holds the node records",
        )
    if domains is None or cloudflare is None or kubernetes is None:
        return
    routed = {r.hostname for r in cloudflare.routes}
    for i, app in enumerate(kubernetes.apps):
        if not app.public:
            continue
        path, hostname = f"kubernetes.apps[{i}].public", public_host(domains, app.name)
        if not cloudflare.enabled:
            yield Violation(path, f"app {app.name!r} is public but the Cloudflare tunnel is off (cloudflare.enabled)")
        elif cloudflare.zone is not None and not in_zone(hostname, cloudflare.zone):
            yield Violation(path, f"{hostname} is outside the Cloudflare zone {cloudflare.zone}")
        elif hostname in routed:
            yield Violation(path, f"{hostname} is also a route in cloudflare.routes; publish it once")
