"""sanoid.conf for a ZFS node: the primary takes and prunes snapshots; a replica only prunes what it received
(the predecessor's replicas never pruned, so received snapshots piled up)."""

from config.storage import ZfsSpec

HEADER = "# goldentooth: managed by Pulumi (storage/zfs); edits are overwritten\n"
_PERIODS = ("frequently", "hourly", "daily", "weekly", "monthly", "yearly")


def sanoid_conf(zfs: ZfsSpec, *, primary: bool) -> str:
    policy = zfs.snapshots
    template = policy.template if primary else f"{policy.template}_replica"
    lines = [HEADER.rstrip("\n")]
    for dataset in sorted(zfs.datasets, key=lambda d: d.name):
        lines += ["", f"[{zfs.pool}/{dataset.name}]", f"\tuse_template = {template}", "\trecursive = yes"]
    lines += ["", f"[template_{template}]"]
    lines += [f"\t{period} = {getattr(policy, period)}" for period in _PERIODS]
    lines += [f"\tautosnap = {'yes' if primary else 'no'}", "\tautoprune = yes"]
    return "\n".join(lines) + "\n"
