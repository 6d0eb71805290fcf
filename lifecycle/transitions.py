"""Quorum-safe membership changes: what one `up` may change, judged against the memberships the last `up` applied.

A config can be valid on its own (config/rules.py: odd quorums, ...) and still be unsafe to reach from the
current cluster in one step. Each rule names the config path it is about and a recipe of `up`s that is safe:

- at most one member leaves a quorum per `up` (its leave, e.g. an etcd member removal, must finish, and the quorum
  be healthy, before the next one starts);
- a quorum that tolerated a failure keeps at least 3 members (replace a member in one `up`: the new one joins
  before the old one leaves, since the engine creates before it deletes);
- a node does not move between two lists of one section (worker to control plane, Consul client to server) in one
  `up`: its new join would run first and the old membership's leave (a `kubeadm reset`) would undo it;
- the node that ran `kubeadm init` stays the init node: init is a bootstrap of etcd, not a membership;
- the Kubernetes version moves only through `kubernetes.upgradeFrom` (the ordered, drained upgrade), never
  silently (nodes joining later would run the new version beside the old: skew);
- a joined Kubernetes node keeps its address: kubelet's node IP, etcd's peer URLs and the API certificate keep
  the old one (README, "Changing a node's address").
"""

from collections.abc import Iterator

from config.errors import Violation
from config.roles import Quorum
from config.spec import ClusterSpec
from lifecycle.memberships import Memberships, kubeadm_init_node

MINIMUM_TOLERANT = 3  # the smallest quorum that survives one failure


def _list(names: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(names) + "]"


def _quorum(previous: Memberships, quorum: Quorum) -> Iterator[Violation]:
    before = previous.members.get(quorum.path)
    if before is None:
        return
    removed = [n for n in before if n not in quorum.members]
    added = [n for n in quorum.members if n not in before]
    size, was = len(quorum.members), len(before)
    if len(removed) > 1:
        first = [n for n in before if n != removed[0]] + added[:1]
        shrink = "" if len(first) % 2 else (
            f" (the first step leaves {len(first)} members, an even quorum: replace rather than shrink, adding one "
            "new member to each step)")
        yield Violation(quorum.path, (
            f"removes {', '.join(removed)} from the {quorum.label} quorum in one `up`; a quorum loses one member per "
            f"`up`, after the last leave finished and the quorum is healthy. Two steps: 1) set {quorum.path} to "
            f"{_list(first)} and `pulumi up`; 2) set it to {_list(quorum.members)} and `pulumi up`{shrink}"))
    if was >= MINIMUM_TOLERANT > size and removed:
        yield Violation(quorum.path, (
            f"leaves the {quorum.label} quorum with {size} member{'s' if size != 1 else ''} (it had {was}): below "
            f"{MINIMUM_TOLERANT} it no longer survives a failure. Two steps: 1) replace instead: set {quorum.path} to "
            f"{_list([*quorum.members, '<new node>'])} and `pulumi up` (the new member joins before "
            f"{', '.join(removed)} leaves); 2) check the quorum is healthy before the next change"))


def _section(path: str) -> str:
    return path.rsplit(".", 1)[0]


def _moves(previous: Memberships, spec: ClusterSpec) -> Iterator[Violation]:
    current = dict(spec.roles.member_lists())
    for old_path, old_names in sorted(previous.members.items()):
        for node in old_names:
            if node in current.get(old_path, ()):
                continue  # still there: not a leave
            for new_path, new_names in sorted(current.items()):
                if (new_path != old_path and _section(new_path) == _section(old_path) and node in new_names
                        and node not in previous.members.get(new_path, ())):
                    yield Violation(new_path, (
                        f"moves {node} from {old_path} to {new_path} in one `up`: its new join would run first and "
                        f"the old membership's leave (drain, reset, leave) after it. Two steps: 1) remove {node} "
                        f"from {old_path} and `pulumi up`; 2) add it to {new_path} and `pulumi up`"))


def _kubeadm_init(previous: Memberships, spec: ClusterSpec) -> Iterator[Violation]:
    was, now = previous.kubeadm_init, kubeadm_init_node(spec)
    if was is None or was == now or spec.lifecycle.retired_kubeadm_init == was:
        return
    # The init node is `kubernetes.initNode`, else the first control-plane node by name (ClusterSpec).
    path = "kubernetes.initNode" if spec.kubernetes.init_node else "roles.kubernetes.controlPlane"
    yield Violation(path, (
        f"{was} ran `kubeadm init`, a bootstrap of the cluster's etcd and CA, not a membership; this change makes "
        f"{now} the init node, and {was}'s init step is protected, so the `up` would stop at its deletion. Two "
        f"steps: 1) `pulumi state unprotect` {was}'s `{was}-kubeadm-init` step (deleting it runs nothing on a node) "
        f"and set lifecycle.retiredKubeadmInit to {was}; 2) `pulumi up`: {now}'s init step adopts the running "
        f"cluster (k8s/kubeadm/init.sh finds its admin.conf), and, if {was} left the control plane, its leave "
        "removes its etcd member from a remaining control plane before its reset"))


def _version(previous: Memberships, spec: ClusterSpec) -> Iterator[Violation]:
    was, now = previous.kubernetes_version, spec.versions.kubernetes
    if was is None or was == now or spec.kubernetes.upgrade_from == was:
        return
    yield Violation("versions.kubernetes", (
        f"the nodes run Kubernetes {was} (the last up) and this asks for {now} without kubernetes.upgradeFrom: "
        f"nothing would upgrade the running nodes, and nodes that join later would run {now} (version skew). "
        f"Set kubernetes.upgradeFrom to {was} for the ordered upgrade (control plane one node at a time after etcd "
        f"is healthy, then the workers in drained batches), or put versions.kubernetes back to {was}"))


def _addresses(previous: Memberships, spec: ClusterSpec) -> Iterator[Violation]:
    for node in spec.nodes:
        was = previous.addresses.get(node.name)
        if was is not None and was != str(node.ip):
            yield Violation(f"nodes.{node.name}.ip", (
                f"{node.name} joined Kubernetes at {was}: kubeadm cannot move a joined node (kubelet's node IP, "
                f"etcd's peer URLs and the API certificate keep {was}). Two steps: 1) put {was} back and remove "
                f"{node.name} from its Kubernetes role (`pulumi up`: its leave drains and resets it); 2) set "
                f"{node.ip} and add it back (`pulumi up`: it joins at the new address). README: \"Changing a node's "
                "address\""))


def transition_violations(previous: Memberships | None, spec: ClusterSpec) -> list[Violation]:
    """Every unsafe step from `previous` (None: a new stack, nothing to compare) to `spec`."""
    if previous is None:
        return []
    problems: list[Violation] = []
    for quorum in spec.roles.quorums():
        problems += _quorum(previous, quorum)
    problems += _moves(previous, spec)
    problems += _kubeadm_init(previous, spec)
    problems += _version(previous, spec)
    problems += _addresses(previous, spec)
    return problems
