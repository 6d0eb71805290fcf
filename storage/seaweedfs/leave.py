"""SeaweedFS's leave steps (lifecycle/): what runs, in order, when a node leaves a SeaweedFS role.

- volume server: its volumes moved onto the other volume servers and its heartbeat stopped (`weed shell`
  `volumeServer.evacuate` and `volumeServer.leave`, on a remaining master), then its unit stopped on the node;
- filer: its unit stopped (the other filers hold the metadata: filers subscribe to each other's changes);
- master: removed from the master raft (`cluster.raft.remove`, on a remaining master, after checking the members
  left would still have a quorum), then its unit stopped on the node.

A node leaving every role runs them in that order: its data moves while every master still serves, the raft
shrinks last. The data directories stay on the (retained) disk. A node that is the only master has no master
leave: removing it is tearing SeaweedFS down, which no step does.
"""

from components.contributions import LeaveStep
from config.spec import ClusterSpec
from storage.seaweedfs.plan import WEED, seaweedfs_ports

VOLUME_ORDER, FILER_ORDER, MASTER_ORDER = 40, 45, 50
LEAVE_VOLUME = "storage/seaweedfs/leave_volume.sh"
LEAVE_MASTER = "storage/seaweedfs/leave_master.sh"
STOP = "storage/seaweedfs/stop.sh"
TIMEOUT_SECONDS = 1800  # moving a volume server's data (up to its disk) over the Pis' gigabit


def leave_steps(spec: ClusterSpec) -> tuple[LeaveStep, ...]:
    roles = spec.roles.seaweedfs
    if roles is None:
        return ()
    sw = spec.storage.seaweedfs
    ports = seaweedfs_ports(sw)
    scheme = "https" if sw.tls else "http"

    def master(name: str) -> str:
        return f"{spec.node(name).ip}:{ports['master'].http}"

    steps: list[LeaveStep] = []
    for node in sorted({*roles.masters, *roles.volumes, *roles.filers}):
        others = [m for m in roles.masters if m != node]
        peer = others[0] if others else node
        masters = ",".join(master(m) for m in (others or roles.masters))
        common = (("GT_NODE", node), ("GT_MASTERS", masters), ("GT_SCHEME", scheme), ("GT_WEED", WEED))
        if node in roles.volumes:
            volume = f"{spec.node(node).ip}:{ports['volume'].http}"
            steps.append(LeaveStep("seaweedfs-volume", node, peer, LEAVE_VOLUME,
                                   (*common, ("GT_VOLUME", volume), ("GT_TIMEOUT", str(TIMEOUT_SECONDS))),
                                   order=VOLUME_ORDER))
            steps.append(LeaveStep("seaweedfs-volume", node, node, STOP, (("GT_KIND", "volume"),),
                                   order=VOLUME_ORDER + 1))
        if node in roles.filers:
            steps.append(LeaveStep("seaweedfs-filer", node, node, STOP, (("GT_KIND", "filer"),), order=FILER_ORDER))
        if node in roles.masters and others:
            steps.append(LeaveStep("seaweedfs-master", node, peer, LEAVE_MASTER,
                                   (*common, ("GT_MASTER_ID", master(node)), ("GT_TIMEOUT", "120")),
                                   order=MASTER_ORDER))
            steps.append(LeaveStep("seaweedfs-master", node, node, STOP, (("GT_KIND", "master"),),
                                   order=MASTER_ORDER + 1))
    return tuple(steps)
