"""Checks of what values mean, against well-kept sources rather than patterns of their shape.

- Time zones: the tz database as the pinned `tzdata` package ships it (not the machine's /usr/share/zoneinfo).
- Countries: ISO 3166-1 alpha-2 from the `iso3166` package.
- AWS regions: the `Region` enum of the AWS SDK the program uses (pulumi_aws), imported only when asked.
- Ranges: what Kubernetes, Calico and MetalLB need of the pod, service and LoadBalancer ranges.
- Node references anywhere (roles, NFS exports, SSH host keys), devices per node, roles that need hardware.
"""

import base64
import binascii
import difflib
import functools
from collections.abc import Iterator
from importlib import resources
from ipaddress import IPv4Network
from typing import TYPE_CHECKING

import iso3166

from config.errors import Violation
from config.messages import unknown_name

if TYPE_CHECKING:
    from config.rules import Draft

# Calico hands each node blocks of this size from the pod pool (k8s/cni.py blockSize).
CALICO_BLOCK_PREFIX = 26
# kube-controller-manager's default --node-cidr-mask-size for IPv4: it refuses a pod range smaller than one.
NODE_CIDR_PREFIX = 24
# kube-apiserver refuses a larger service range; kubeadm puts cluster DNS on the range's 10th address.
LARGEST_SERVICE_PREFIX = 12
SMALLEST_SERVICE_PREFIX = 28
# A role and the disk purpose (nodes[].disks[].purpose) its node must carry.
STORAGE_ROLES = {"zfs": "zfs", "seaweedfs.volumes": "seaweedfs"}
SSH_KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa")


@functools.cache
def time_zones() -> frozenset[str]:
    return frozenset(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


def check_time_zone(value: str) -> str:
    zones = time_zones()
    if value in zones:
        return value
    by_lower = {z.lower(): z for z in zones}
    meant = by_lower.get(value.lower().replace(" ", "_")) or next(
        iter(difflib.get_close_matches(value, sorted(zones), n=1)), None)
    hint = f" (did you mean {meant}?)" if meant else " (e.g. America/New_York, Europe/London, UTC)"
    raise ValueError(f"{value!r} is not a time zone of the tz database{hint}")


# Names people write for a country whose ISO 3166 code is another.
_NOT_ISO = {"UK": "GB", "EL": "GR", "EN": "GB"}


def check_countries(values: tuple[str, ...]) -> tuple[str, ...]:
    bad = []
    for code in values:
        if code in iso3166.countries_by_alpha2:
            continue
        meant = _NOT_ISO.get(code.upper()) or (code.upper() if code.upper() in iso3166.countries_by_alpha2 else None)
        bad.append(f"{code!r}" + (f" (did you mean {meant}?)" if meant else ""))
    if bad:
        raise ValueError(f"{', '.join(bad)} {'is not an' if len(bad) == 1 else 'are not'} ISO 3166-1 alpha-2 "
                         "country code" + ("" if len(bad) == 1 else "s") + " (e.g. US, GB, DE)")
    return values


@functools.cache
def aws_regions() -> tuple[str, ...]:
    from pulumi_aws._enums import Region  # the SDK's own list; deferred: the package is large

    return tuple(r.value for r in Region)


def check_aws_region(value: str) -> str:
    regions = aws_regions()
    if value in regions:
        return value
    close = difflib.get_close_matches(value.lower(), regions, n=1)
    hint = f" (did you mean {close[0]}?)" if close else f" (e.g. {', '.join(regions[-4:])})"
    raise ValueError(f"{value!r} is not an AWS region{hint}")


def _blocks(network: IPv4Network, prefix: int) -> int:
    return 0 if network.prefixlen > prefix else 2 ** (prefix - network.prefixlen)


def range_sizes(d: "Draft") -> Iterator[Violation]:
    """Ranges big enough for what uses them."""
    net = d.network
    if net is None:
        return
    k8s_nodes = set(d.roles.kubernetes.control_plane) | set(d.roles.kubernetes.workers) if d.roles else set()
    if net.pods.prefixlen > NODE_CIDR_PREFIX:
        yield Violation("network.pods", f"{net.pods} is smaller than a /{NODE_CIDR_PREFIX}: kube-controller-manager "
                                        f"gives each node a /{NODE_CIDR_PREFIX} from it and refuses to start "
                                        f"(use a /16 such as 192.168.0.0/16)")
    elif _blocks(net.pods, CALICO_BLOCK_PREFIX) < len(k8s_nodes):
        yield Violation("network.pods", f"{net.pods} holds {_blocks(net.pods, CALICO_BLOCK_PREFIX)} Calico blocks "
                                        f"(/{CALICO_BLOCK_PREFIX}) for {len(k8s_nodes)} Kubernetes nodes: "
                                        "use a larger range")
    if net.services.prefixlen > SMALLEST_SERVICE_PREFIX:
        yield Violation("network.services", f"{net.services} has {net.services.num_addresses} addresses: the API "
                                            "server takes the first and cluster DNS the 10th, so it needs at least a "
                                            f"/{SMALLEST_SERVICE_PREFIX} (a /20 leaves room for services)")
    elif net.services.prefixlen < LARGEST_SERVICE_PREFIX:
        yield Violation("network.services", f"{net.services} is larger than kube-apiserver accepts "
                                            f"(at most a /{LARGEST_SERVICE_PREFIX})")
    if d.kubernetes is not None:
        services = 2 + len(d.kubernetes.apps)  # Argo CD, p5js and one per app (config/kubernetes.py)
        if net.metallb.num_addresses < services:
            yield Violation("network.metallb", f"pool {net.metallb} has {net.metallb.num_addresses} address"
                                               f"{'es' if net.metallb.num_addresses != 1 else ''} for {services} "
                                               "LoadBalancer services (Argo CD, p5js and each app)")


def node_references(d: "Draft") -> Iterator[Violation]:
    """Every name that should be a node is one. Skipped when the node list itself is broken: then every
    reference would be reported, and the list's own error says why."""
    if not d.all_node_names:
        return
    known = sorted(d.all_node_names)
    if d.roles is not None:
        for path, name in d.roles.members():
            if name not in d.all_node_names:
                yield Violation(path, unknown_name(name, known))
    if d.ssh is not None:
        for name, key in sorted(d.ssh.host_keys.items()):
            path = f"ssh.hostKeys.{name}"
            if name not in d.all_node_names:
                yield Violation(path, unknown_name(name, known) + " (its key would pin nothing)")
            problem = _host_key_problem(key)
            if problem:
                yield Violation(path, problem)
        if d.ssh.require_host_keys:
            for name in known:
                if name not in d.ssh.host_keys:
                    yield Violation(f"ssh.hostKeys.{name}", "no pinned host key, and ssh.requireHostKeys is on: "
                                    "whatever answers at the node's address would get its secrets")
            if d.ssh.bastion is not None and d.ssh.bastion.host_key is None:
                yield Violation("ssh.bastion.hostKey", "no pinned host key, and ssh.requireHostKeys is on")


def _host_key_problem(line: str, what: str = "host key") -> str | None:
    """A public key line, `<type> <base64 blob> [comment]`, whose blob names its own type."""
    if "\n" in line.strip():
        return f"holds more than one line: give one public {what} per entry"
    parts = line.split()
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        return f"is not a public {what} line such as 'ssh-ed25519 AAAAC3Nza...' (types: {', '.join(SSH_KEY_TYPES)})"
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return "the key after the type is not base64"
    length = int.from_bytes(blob[:4], "big")
    if blob[4 : 4 + length] != parts[0].encode():
        return f"the key does not say it is {parts[0]}: it is not that key, or it is cut short"
    return None


def host_key_problem(line: str) -> str | None:
    return _host_key_problem(line)


def public_key_problem(line: str) -> str | None:
    """For authorized keys: the same shape as a pinned host key."""
    return _host_key_problem(line, "key")


def devices(d: "Draft") -> Iterator[Violation]:
    for index, node in d.nodes:
        seen: dict[str, int] = {}
        for i, disk in enumerate(node.disks):
            if disk.device in seen:
                yield Violation(f"{d.path(index, node)}.disks[{i}].device",
                                f"{disk.device} is already listed as disks[{seen[disk.device]}]")
            else:
                seen[disk.device] = i


# A storage role's disks are checked by the storage layer's own rules (config/storage.py), once.
RULES = (range_sizes, node_references, devices)
