"""The blast-radius catalog: realistic edits of the real stack, each with the hand-counted set of resources it
must change (issue 12, item 9). `tests/test_blast_radius.py` evaluates each edit against the real stack and
compares; the README's "What an edit changes" table is generated from this file (`make blast-radius`).

Counts are written by hand from what the edit means, not copied from an evaluation: a pattern is an `fnmatch`
over resource names with how many resources it must match. The real stack has 17 nodes, 16 of them
Kubernetes nodes (allyrion is not), 3 control-plane nodes, 13 workers. Where today's program does more than
the minimum and the fix belongs to another helper's work, the entry states the correct minimum and names the
owner in `pending`: the test is a strict xfail, so it flips to a failure (remove `pending`) when that lands.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.blast_radius import Expected

PlainEdit = Callable[[dict[str, Any]], None]

NODES = 17
K8S_NODES = 16  # every node but allyrion (the load balancer)


@dataclass(frozen=True)
class CatalogEdit:
    key: str  # test id
    title: str  # the README's first column
    plain: PlainEdit = lambda plain: None  # the edit of the stack config
    secrets: dict[str, str] = field(default_factory=dict)  # secret key -> new value
    expected: Expected = field(default_factory=Expected)
    changes: str = ""  # the README's second column: the expected set in words
    rejected: str | None = None  # a text the validation message must contain, when the edit is refused
    pending: str | None = None  # "owned by <helper>: why", while today's plan does more than `expected`


def _node(plain: dict[str, Any], name: str) -> dict[str, Any]:
    return next(n for n in plain["nodes"] if n["name"] == name)


def _reverse(*path: str) -> PlainEdit:
    def edit(plain: dict[str, Any]) -> None:
        target = plain
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = list(reversed(target[path[-1]]))

    return edit


def _reverse_every_role_list(plain: dict[str, Any]) -> None:
    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(child, list) and (*path, key) != ("kubernetes", "controlPlane"):
                    value[key] = list(reversed(child))
                walk(value[key], (*path, key))

    walk(plain["roles"], ())


def _overclock_harlton(plain: dict[str, Any]) -> None:
    _node(plain, "harlton")["firmware"] = {"armFreq": 1800, "overVoltage": 4, "armBoost": True}


def _default_firmware_harlton(plain: dict[str, Any]) -> None:
    # What a Pi 4B gets when `firmware` is absent (nodes/os/firmware.py default_firmware), written out
    _node(plain, "harlton")["firmware"] = {"armFreq": 2000, "overVoltage": 6, "armBoost": True,
                                           "fan": {"gpioPin": 14, "tempMillicelsius": 60000}, "disableWifi": True}


def _change_ip(plain: dict[str, Any]) -> None:
    _node(plain, "harlton")["ip"] = "10.4.0.26"


NEW_WORKER = {
    "name": "quenton",
    "model": "pi4b-8gb",
    "os": "raspios-bookworm",
    "mac": "d8:3a:dd:8a:99:01",
    "ip": "10.4.0.26",
    "hostIndex": 16,
    "prompt": {"primary": 124, "secondary": 220, "tertiary": 52},
    "disks": [{"device": "/dev/mmcblk0", "sizeGb": 128, "kind": "sd", "purpose": "root"}],
}


def _add_worker(plain: dict[str, Any]) -> None:
    plain["nodes"].append(dict(NEW_WORKER))
    plain["roles"]["kubernetes"]["workers"].append("quenton")


def _remove_worker(plain: dict[str, Any]) -> None:
    """lipps leaves: its node entry and every role naming it."""
    plain["nodes"] = [n for n in plain["nodes"] if n["name"] != "lipps"]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(child, list) and "lipps" in child:
                    value[key] = [n for n in child if n != "lipps"]
                else:
                    walk(child)

    walk(plain["roles"])


def _move_pool(plain: dict[str, Any]) -> None:
    """The pool moves, and with it the addresses the Services ask for (validation requires them inside)."""
    plain["network"]["metallb"] = "10.4.12.0/24"
    kubernetes = plain.setdefault("kubernetes", {})
    kubernetes.update(argocdLoadBalancerIp="10.4.12.0", p5jsLoadBalancerIp="10.4.12.2")
    kubernetes["apps"] = [{"name": "httpbin", "image": "mccutchen/go-httpbin:v2.15.0", "port": 8080,
                           "healthPath": "/status/200", "loadBalancerIp": "10.4.12.1"}]


def _set(path: str, value: Any) -> PlainEdit:
    def edit(plain: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = plain
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value

    return edit


CATALOG: tuple[CatalogEdit, ...] = (
    CatalogEdit(
        "nothing",
        "nothing (a second `pulumi up`)",
        changes="nothing",
    ),
    CatalogEdit(
        "ssh-key-rotation",
        "rotate the SSH key (`sshPrivateKey`)",
        secrets={"sshPrivateKey": "TEST-SECRET-sshPrivateKey-rotated"},
        expected=Expected(updated={
            # Every other step only stores the new connection (its update runs nothing); these re-run, as reads
            # and checks whose output others use (tests/test_connection_changes.py says why for each).
            "bettley-read-kubeconfig": 1, "jast-pki-ca-identity": 1, "jast-pki-ca-init": 1, "velaryon-mounts": 1,
            "*-reboot-check": NODES - 1,  # every Pi
        }),
        changes="no work on a node: each step stores the new connection; reads and checks re-run",
    ),
    CatalogEdit(
        "nodes-reordered",
        "reverse the `nodes` list",
        plain=_reverse("nodes"),
        changes="nothing",
    ),
    CatalogEdit(
        "roles-reordered",
        "reverse every role list (but `kubernetes.controlPlane`)",
        plain=_reverse_every_role_list,
        changes="nothing",
    ),
    CatalogEdit(
        "control-plane-reordered",
        "reverse `roles.kubernetes.controlPlane`",
        plain=_reverse("roles", "kubernetes", "controlPlane"),
        changes="nothing: `kubeadm init` runs on `kubernetes.initNode` or the first control plane by name",
    ),
    CatalogEdit(
        "aws-region",
        "`aws.region` to eu-west-1",
        plain=lambda plain: plain["aws"].update(region="eu-west-1"),
        rejected="buckets cannot move region",
        expected=Expected(updated={
            "aws-regional": 1,  # its region: the one provider named for no region
            "goldentooth-backups": 7,  # bucket, access block, ownership, encryption, versioning, lifecycle, policy
            "goldentooth-pulumi-state": 7,
            "bare-domain-origin": 6,  # the redirect's origin bucket: no versioning
            "vault-seal": 2,  # the KMS key and its alias (the IAM user is global: unchanged)
            "*-vault-config": 3,  # the seal stanza names the key's region, on each Vault server
            "*-vault-env": 3,
            "*-vault-restart": 3,
        }),
        changes="refused by the policy pack before anything runs (protected buckets and the seal key cannot "
        "move); the offline plan: only the regional provider and its S3/KMS resources, nothing global",
    ),
)

CATALOG += (
    CatalogEdit(
        "metallb-chart",
        "bump `versions.metallb` (0.14.5 to 0.14.9)",
        plain=_set("versions.metallb", "0.14.9"),
        expected=Expected(updated={"metallb": 1}),
        changes="the MetalLB release only",
    ),
    CatalogEdit(
        "kubernetes-patch-without-upgrade-from",
        "bump `versions.kubernetes` without `kubernetes.upgradeFrom`",
        plain=_set("versions.kubernetes", "1.32.10"),
        rejected="upgradeFrom",
        changes="refused before anything runs (against the last up's version): set upgradeFrom for the ordered, "
        "drained upgrade",
    ),
    CatalogEdit(
        "worker-overclock",
        "overclock one worker (harlton's `firmware`)",
        plain=_overclock_harlton,
        expected=Expected(updated={"harlton-firmware": 1, "harlton-reboot-check": 1, "harlton-reboot": 1,
                                   # in service: it reboots in its window; wait-fresh-boot finds nothing pending
                                   "harlton-wait-boot": 1, "harlton-wait-fresh-boot": 1,
                                   # the rollout drains it before its reboot and uncordons it after (init node)
                                   "bettley-reboot-drain-harlton": 1, "bettley-reboot-uncordon-harlton": 1}),
        changes="that node's firmware, reboot check, reboot and both wait-for-boot steps, and its drain and uncordon",
    ),
    CatalogEdit(
        "worker-default-firmware",
        "write a worker's default firmware values explicitly",
        plain=_default_firmware_harlton,
        changes="nothing: the values are what the node runs anyway",
    ),
    CatalogEdit(
        "worker-ip",
        "change one worker's `ip` (harlton to 10.4.0.26)",
        plain=_change_ip,
        rejected="nodes.harlton.ip",
        changes="refused before anything runs (against the last up's addresses): leave at the old address, then "
        "join at the new one",
    ),
    CatalogEdit(
        "metallb-pool",
        "change the MetalLB pool (`network.metallb`)",
        plain=_move_pool,
        expected=Expected(updated={
            "metallb-ipaddresspool": 1,
            "httpbin-service": 1,  # the Services that ask for an address of the pool
            "argocd": 1,
            "allyrion-haproxy-services-cfg": 1,  # routes to those addresses
            "allyrion-haproxy-services-early": 1,
            "allyrion-prometheus-config": 1,  # probes them
            "*-metallb-route": NODES,  # the on-link route to the pool, on every node
        }),
        changes="the MetalLB address pool, the Services that ask for a pool address, every node's on-link route to it",
    ),
    CatalogEdit(
        "adoption-secret",
        "rotate an adopted secret (`consulGossipKey`)",
        secrets={"consulGossipKey": "TEST-SECRET-consulGossipKey-rotated"},
        expected=Expected(updated={"*-consul-config": 17, "*-consul-restart": 17}),
        changes="the Consul config on every agent, and its restart",
    ),
    CatalogEdit(
        "timezone",
        "change `cluster.timezone`",
        plain=_set("cluster.timezone", "Europe/Berlin"),
        expected=Expected(updated={"*-identity": NODES}),
        changes="the identity step (hostname, hosts, timezone) of every node",
    ),
    CatalogEdit(
        "services-domain",
        "change `domains.services`",
        plain=_set("domains.services", "svc.goldentooth.net"),
        expected=Expected(updated={
            "allyrion-haproxy-services-cfg": 1,  # the host names it routes
            "allyrion-haproxy-services-early": 1,
            "allyrion-prometheus-config": 1,
            "allyrion-prometheus-service": 1,  # --web.external-url
            "allyrion-alertmanager-service": 1,
            "gardener-grafana-ini": 1,  # root_url
            "argocd": 1,  # its ingress host
            # certificates whose SANs are service names
            "allyrion-pki-cert-haproxy": 1,
            "allyrion-pki-cert-prometheus-client": 1,
            "gardener-pki-cert-grafana": 1,
            "inchfield-pki-cert-loki": 1,
            "*-pki-cert-vault": 3,
            "*-pki-cert-nomad": 13,
            "*-pki-cert-vector": NODES,
        }),
        changes="what names a service host: HAProxy routes, service URLs, the certificates for service names",
    ),
    CatalogEdit(
        "add-worker",
        "add a Kubernetes worker (a new Pi 4B)",
        plain=_add_worker,
        expected=Expected(
            updated={"*-identity": NODES, "*-hosts-upload": NODES,  # the shared hosts list, by reference
                     "allyrion-haproxy-services-cfg": 1, "allyrion-haproxy-services-early": 1,
                     "allyrion-prometheus-config": 1},
            created={
                "quenton": 2,  # its node component and its layer component
                "quenton-*": 37,  # its node steps (one a component), certificates, Vector, join, leave steps
                # on the init node: its join's credentials, the rollout's drain and uncordon around its reboot
                "bettley-join-credentials-for-quenton": 1,
                "bettley-reboot-drain-quenton": 1,
                "bettley-reboot-uncordon-quenton": 1,
                "quenton.nodes.goldentooth.net-A": 1,
            },
        ),
        changes="the new node's steps and its join; /etc/hosts and the scrape targets that list every node",
    ),
    CatalogEdit(
        "remove-worker",
        "remove a worker (lipps) from `nodes` and every role",
        plain=_remove_worker,
        expected=Expected(
            updated={
                "*-identity": NODES - 1,
                "*-hosts-upload": NODES - 1,
                "*-slurm-conf": 14,
                "*-slurm-conf-upload": 14,  # slurm.conf travels by reference too
                "allyrion-haproxy-services-cfg": 1,
                "allyrion-haproxy-services-early": 1,
                "allyrion-prometheus-config": 1,
                "allyrion-prometheus-rules-ray": 1,  # the expected number of Ray workers
                "erenford-consul-acl": 1,  # the agents' policies
            },
            deleted={
                "lipps": 2,
                "lipps-*": 65,  # its steps, and its leave steps (their deletes drain, leave and reset it)
                "consul-*-lipps-*": 4,  # its Consul and Nomad agent tokens
                "bettley-join-credentials-for-lipps": 1,
                "bettley-reboot-drain-lipps": 1,
                "bettley-reboot-uncordon-lipps": 1,
                "lipps.nodes.goldentooth.net-A": 1,
            },
        ),
        changes="the node's steps go; /etc/hosts and the lists that named it",
    ),
)
