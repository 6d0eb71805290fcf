"""Who a host is: hostname, every node in /etc/hosts (`<ip> <name>.<nodes domain> <name>`), time zone.

The list of every node is the same text on every node, so it travels by reference (components.shared_file):
one upload step per node copies the one local file, and the identity step takes only its staged path and
sha256. A node's inputs then stay the same size whatever the inventory; adding a node changes the digest
in every node's identity step (each /etc/hosts must change), not the size of every node's inputs.
"""

import pulumi
from pulumi_command import remote

from components.script import Script
from components.shared_file import SharedFile, publish
from config.spec import ClusterSpec
from nodes.os.context import StepContext, after

BEGIN = "# BEGIN goldentooth nodes (managed by Pulumi; edits are overwritten)"
END = "# END goldentooth nodes"

_SCRIPT = Script.beside(__file__, "identity.sh")
_last: tuple[ClusterSpec, SharedFile] | None = None  # one evaluation's cluster: the block is built once, not per node


def hosts_block(cluster: ClusterSpec) -> str:
    lines = [f"{node.ip} {cluster.domains.node_fqdn(node.name)} {node.name}" for node in cluster.nodes]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def hosts_file(cluster: ClusterSpec) -> SharedFile:
    """The shared hosts list of `cluster`, published; its text and digest are computed once per cluster
    spec, not once per node (that alone would be quadratic)."""
    global _last
    if _last is None or _last[0] is not cluster:
        _last = (cluster, SharedFile("hosts", hosts_block(cluster)))
    return publish(_last[1])


def identity_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    shared = hosts_file(ctx.cluster)
    upload = ctx.runner.upload("hosts-upload", shared)
    params = {
        "GT_HOSTNAME": ctx.name,
        "GT_BEGIN": BEGIN,
        "GT_END": END,
        "GT_HOSTS_FILE": shared.staged_path,
        "GT_HOSTS_DIGEST": shared.digest,
        "GT_TIMEZONE": ctx.cluster.cluster.timezone,
    }
    return ctx.runner.run("identity", _SCRIPT, params, options=after(upload, *deps))
