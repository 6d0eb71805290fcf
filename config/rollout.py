"""`goldentooth:rollout`: how disruptive work (reboots, Kubernetes upgrades) moves through the cluster.

Nodes go in windows of at most `maxParallel`; the members of a quorum never share a window, nor does the API load
balancer with a control-plane node (nodes/rollout_plan.py). Kubernetes nodes are drained with the Ansible era's
grace period (900 s, reference §4.12) before they go down and uncordoned once back.
"""

from collections.abc import Iterator

from pydantic import Field

from config.base import ConfigModel
from config.errors import Violation
from config.roles import RolesSpec

DEFAULT_MAX_PARALLEL = 4  # a quarter of the Pis; quorum members and the LB are kept apart regardless


class RolloutSpec(ConfigModel):
    """`goldentooth:rollout`."""

    # Nodes that reboot (or upgrade) at once. Unset: 4 (three quarters of the Pis keep serving), fewer on a
    # cluster with few workers, so that one worker always stays up (`batch_size`).
    max_parallel: int | None = Field(default=None, ge=1)
    drain_grace_period_seconds: int = Field(default=900, ge=0)  # kubectl drain --grace-period (reference §4.12)
    drain_timeout_seconds: int = Field(default=1800, ge=60)
    # How long a quorum may take to be healthy again before the next member's reboot gives up. None: each
    # contributed QuorumCheck's own timeout_seconds.
    health_timeout_seconds: int | None = Field(default=None, ge=1)
    health_interval_seconds: int = Field(default=5, ge=1)


    def batch_size(self, workers: int) -> int:
        """How many nodes a window holds: the setting, or the default capped to leave one worker serving."""
        if self.max_parallel is not None:
            return self.max_parallel
        return max(1, min(DEFAULT_MAX_PARALLEL, workers - 1))


def rollout_violations(rollout: RolloutSpec, roles: RolesSpec | None) -> Iterator[Violation]:
    """A window may not drain every Kubernetes worker at once: their pods would have nowhere to go."""
    if roles is None:
        return
    workers = len(roles.kubernetes.workers)
    # With a single worker there is nothing to keep up beside it: one at a time is the least there is.
    if rollout.max_parallel is not None and workers > 1 and rollout.max_parallel >= workers:
        yield Violation(
            "rollout.maxParallel",
            f"{rollout.max_parallel} would reboot all {workers} Kubernetes workers (roles.kubernetes.workers) in one "
            f"window, leaving their pods nowhere to run; use at most {workers - 1}",
        )
