"""Local filesystems the node relies on (`nodes[].mounts`: velaryon's /mnt/gpu-storage, which it exports over
NFS), each a systemd mount unit on the filesystem's UUID or the disk's stable id.

Never a format of a disk with a signature: the step finds the filesystem and checks its type; a disk with no
filesystem stops the step with an error, unless config says `formatIfEmpty` and `wipefs` and `blkid` both find
nothing on it. The NFS export on the node waits for its mounts, so it never exports the empty directory beneath.
"""

import pulumi
from pulumi_command import remote

from components.remote_step import StepOptions
from components.script import Script
from components.systemd_unit import Unit, escape_path, record_units, unit_params
from config.nodes import MountSpec
from nodes.os.context import StepContext

_SCRIPT = Script.beside(__file__, "mounts.sh")


def source_of(mount: MountSpec) -> str:
    return f"/dev/disk/by-uuid/{mount.uuid}" if mount.uuid else str(mount.device)


def mount_unit(mount: MountSpec) -> Unit:
    source = source_of(mount)
    device_unit = escape_path(source) + ".device"
    text = (
        f"[Unit]\nDescription={mount.path} on {source} (goldentooth)\n"
        f"Requires={device_unit}\nAfter={device_unit}\nBefore=local-fs.target nfs-server.service\n\n"
        f"[Mount]\nWhat={source}\nWhere={mount.path}\nType={mount.fstype}\nOptions={mount.options}\n\n"
        "[Install]\nWantedBy=local-fs.target\n"
    )
    return Unit(f"{escape_path(mount.path)}.mount", text, enable=True, start=True)


def mounts_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command | None:
    mounts = sorted(ctx.node.mounts, key=lambda m: m.path)
    if not mounts:
        return None
    units = [mount_unit(m) for m in mounts]
    record_units(ctx.name, units)
    params = {
        **unit_params(units),
        "GT_MOUNT_COUNT": str(len(mounts)),
        **{f"GT_MOUNT_{i}_{k}": v for i, m in enumerate(mounts) for k, v in (
            ("PATH", m.path), ("SOURCE", source_of(m)), ("FSTYPE", m.fstype),
            ("FORMAT", "yes" if m.format_if_empty else "no"))},
    }
    # It may create a filesystem (formatIfEmpty): protected and kept if the stack goes. Edits update it in place
    # (its trigger is frozen), re-running the checks, instead of replacing a protected step.
    options = StepOptions(depends_on=tuple(d for d in deps if d is not None), protect=True, retain_on_delete=True,
                          ignore_changes=("triggers",))
    return ctx.runner.run("mounts", _SCRIPT, params, options=options)
