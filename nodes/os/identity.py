"""Who a host is: hostname, every node in /etc/hosts (`<ip> <name>.<nodes domain> <name>`), time zone."""

import pulumi
from pulumi_command import remote

from components.script import Script
from config.spec import ClusterSpec
from nodes.os.context import StepContext, after

BEGIN = "# BEGIN goldentooth nodes (managed by Pulumi; edits are overwritten)"
END = "# END goldentooth nodes"

_SCRIPT = Script.beside(__file__, "identity.sh")


def hosts_block(cluster: ClusterSpec) -> str:
    lines = [f"{node.ip} {cluster.domains.node_fqdn(node.name)} {node.name}" for node in cluster.nodes]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def identity_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    params = {
        "GT_HOSTNAME": ctx.name,
        "GT_BEGIN": BEGIN,
        "GT_END": END,
        "GT_HOSTS_BLOCK": hosts_block(ctx.cluster),
        "GT_TIMEZONE": ctx.cluster.cluster.timezone,
    }
    return ctx.runner.run("identity", _SCRIPT, params, options=after(*deps))
