"""The MetalLB pool's on-link route. The nodes' interfaces carry the on-link subnet (`network.onLink`, a /24 of
the /20); a pool outside it (10.4.11.0/24) is reached only through an explicit `dev` route, without which the load
balancer cannot reach MetalLB addresses after a reboot (the Ansible era's 504s, commit 1a7a295).

The route is kept by a oneshot unit, so it holds on every network manager (the Ansible era's ifupdown file did
nothing on hosts without ifupdown), and the step adds it at once when it is missing.
"""

from ipaddress import IPv4Network

import pulumi
from pulumi_command import remote

from components.script import Script
from components.systemd_unit import Unit, record_units, unit_params
from config.spec import ClusterSpec
from nodes.os.context import StepContext, after

UNIT = "goldentooth-metallb-route.service"
_SCRIPT = Script.beside(__file__, "onlink.sh")


def metallb_route(cluster: ClusterSpec) -> IPv4Network | None:
    """The pool, when it lies outside the on-link subnet; None when no route is needed."""
    net = cluster.network
    if net.on_link is None or net.metallb.subnet_of(net.on_link):
        return None
    return net.metallb


def route_unit(route: IPv4Network, interface: str) -> Unit:
    text = (
        "[Unit]\n"
        f"Description=On-link route to the MetalLB pool {route} (goldentooth)\n"
        "Wants=network-online.target\nAfter=network-online.target\n\n"
        "[Service]\nType=oneshot\nRemainAfterExit=yes\n"
        f"ExecStart=/usr/sbin/ip route replace {route} dev {interface} scope link\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )
    return Unit(UNIT, text, enable=True, start=True)


def onlink_route_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command | None:
    route = metallb_route(ctx.cluster)
    if route is None:
        return None
    unit = route_unit(route, ctx.node.interface)
    record_units(ctx.name, [unit])
    params = {**unit_params([unit]), "GT_ROUTE": str(route), "GT_DEV": ctx.node.interface}
    return ctx.runner.run("metallb-route", _SCRIPT, params, options=after(*deps))
