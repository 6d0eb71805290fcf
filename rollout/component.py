"""`Rollout`: the rolling reboots and container runtime changes of nodes in service, window by window
(nodes/rollout/plan.py), once the bootstrap layers are done.

A fresh node reboots on its own at `reboot-check`, with no window (components/reboot.py), so bare nodes reboot side
by side and the cluster's bootstrap (pki, edge, k8s) waits for no window. A node in service reboots here. The
whole rollout starts after the bootstrap layers (`RolloutArgs.after`): a rolling reboot never overlaps a bootstrap
step, on its node or elsewhere (a kubeadm upgrade, a HAProxy reload). The layers built after it (registry order)
wait for their node's rolling reboot through `Node.os_ready`. For each window, in order:
1. once the previous window's nodes are back on their new boot: for every quorum a node of the window belongs
   to, a gate on the check's `run_on` node waits until the quorum is healthy (`QuorumCheck` contributions: etcd,
   Consul, Vault, Nomad, SeaweedFS, Slurm); side by side, each Kubernetes node of the window is cordoned and
   drained from the first control-plane node;
2. the window's nodes reboot once every gate and drain of the window is done (a drain that talks to the API
   through the load balancer never races the balancer's own reboot) and the previous window is uncordoned;
3. once every node of the window is back, each drained node is uncordoned.
The uncordons overlap the next window's gates and drains, which keeps the chain of sequential steps short.
Nodes that cannot reboot (velaryon) have a window too: `containerd-rolling` of a window waits for the previous
window's, so a container runtime change rolls through the cluster the same way.
Gates, drains and uncordons take the node's `reboot-check` line on stdin and carry its triggers: they run
exactly when the reboot step does and act only for a node that reboots in its window.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_command import remote

from components.contributions import QuorumCheck
from components.reboot import RebootCheck
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from config.rollout import RolloutSpec
from config.spec import ClusterSpec
from nodes.node import Node
from nodes.rollout.gate import quorum_gate
from nodes.rollout.plan import RolloutPlan, rollout_plan

ADMIN_KUBECONFIG = "/etc/kubernetes/admin.conf"
MARKERS = "/var/lib/goldentooth/rollout-cordoned"
_DRAIN = Script.beside(__file__, "drain.sh")
_UNCORDON = Script.beside(__file__, "uncordon.sh")


def _timeout(seconds: int) -> str:
    return f"{seconds + 120}s"  # the script's own deadline comes first and says why


@dataclass(frozen=True)
class RolloutArgs:
    spec: ClusterSpec
    checks: Sequence[QuorumCheck]  # every layer's, merged
    nodes: Mapping[str, Node]  # registered without their rolling part (NodeArgs.complete=False)
    after: Sequence[pulumi.Resource] = ()  # the bootstrap layers' components: the rollout starts once they are done


class Rollout(pulumi.ComponentResource):
    _settings: RolloutSpec
    plan: RolloutPlan
    gates: dict[tuple[str, str], remote.Command]  # (quorum, member) -> the gate before the member's reboot
    drains: dict[str, remote.Command]
    uncordons: dict[str, remote.Command]

    def __init__(self, name: str, args: RolloutArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:rollout:Rollout", name, None, opts)
        spec, nodes = args.spec, args.nodes
        rebootable = {n: node.reboot_check for n, node in nodes.items() if node.reboot_check is not None}
        # Every node has a window: the Pis reboot in theirs, and every Kubernetes node's container runtime and
        # packages change in theirs (after the previous window's), so a version change rolls too.
        self.plan = rollout_plan(spec, args.checks, nodes)
        self.gates, self.drains, self.uncordons = {}, {}, {}
        self._settings = settings = spec.rollout
        kubernetes = {*spec.roles.kubernetes.control_plane, *spec.roles.kubernetes.workers}
        admin = nodes[spec.kubeadm_init_node()]
        admin_runner = StepRunner(admin.spec.name, admin.target, self)
        back: list[pulumi.Resource] = list(args.after)  # the previous window's nodes, on their new boot
        uncordoned: list[pulumi.Resource] = []  # the previous window's uncordons
        runtimes: list[pulumi.Resource] = []  # the previous window's container runtime and package steps
        for window in self.plan.windows:
            # Gates and drains start once the previous window is back; side by side, as neither needs the other.
            prepared: list[pulumi.Resource] = []
            for member in (m for m in window if m in rebootable):
                check = rebootable[member]
                prepared += [self._gate(q, member, check, nodes, back) for q in args.checks if member in q.members]
                if member in kubernetes:
                    self.drains[member] = admin_runner.run(
                        f"reboot-drain-{member}", _DRAIN,
                        {"GT_NODE": member, "GT_KUBECONFIG": ADMIN_KUBECONFIG, "GT_MARKERS": MARKERS,
                         "GT_GRACE_SECONDS": str(settings.drain_grace_period_seconds),
                         "GT_TIMEOUT_SECONDS": str(settings.drain_timeout_seconds)},
                        stdin=check.step.stdout,
                        options=self._options(check, back, settings.drain_timeout_seconds),
                    )
                    prepared.append(self.drains[member])
            # A reboot waits for every gate and drain of its window (a drain through the API load balancer never
            # races the balancer's own reboot) and for the previous window to be back in service.
            for member in window:
                nodes[member].complete(reboot_after=[*back, *uncordoned, *prepared], runtime_after=runtimes)
            runtimes = [step for m in window if (step := nodes[m].os.containerd_rolling) is not None] or runtimes
            # Uncordons go through the API load balancer: after every reboot of the window is back.
            back = [wait for m in window if (wait := nodes[m].reboot_done) is not None]
            uncordoned = []
            for member in window:
                if member in self.drains:
                    self.uncordons[member] = admin_runner.run(
                        f"reboot-uncordon-{member}", _UNCORDON,
                        {"GT_NODE": member, "GT_KUBECONFIG": ADMIN_KUBECONFIG, "GT_MARKERS": MARKERS,
                         "GT_TIMEOUT_SECONDS": str(settings.drain_timeout_seconds),
                         "GT_INTERVAL": str(settings.health_interval_seconds)},
                        stdin=rebootable[member].step.stdout,
                        options=self._options(rebootable[member], back, settings.drain_timeout_seconds),
                    )
                    uncordoned.append(self.uncordons[member])
        self.register_outputs({"windows": [list(w) for w in self.plan.windows]})

    def _options(self, check: RebootCheck, after: Sequence[pulumi.Resource], seconds: int) -> StepOptions:
        return StepOptions(depends_on=(check.step, *after), extra_triggers=check.triggers, timeout=_timeout(seconds))

    def _gate(self, quorum: QuorumCheck, member: str, check: RebootCheck, nodes: Mapping[str, Node],
              back: Sequence[pulumi.Resource]) -> remote.Command:
        """On the check's node: the quorum is healthy before `member` reboots (after the previous window)."""
        runner_node = nodes[quorum.run_on]
        gate = quorum_gate(StepRunner(runner_node.spec.name, runner_node.target, self),
                           f"{quorum.name}-healthy-before-{member}", quorum, member, "reboot", self._settings,
                           reboot_check=check.step.stdout, depends_on=(check.step, *back), triggers=check.triggers)
        self.gates[(quorum.name, member)] = gate
        return gate
