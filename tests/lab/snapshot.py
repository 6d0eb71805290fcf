"""Every file a lab host has, by path: type, mode, owner and content digest (or link target). Two snapshots of
a host compare equal when a run changed nothing. The lab's own logs and the kernel-backed mounts are left out."""

import hashlib
import os
import stat
from pathlib import Path

from tests.lab.host import LabHost

SKIPPED = ("proc", "sys", "dev", "tmp", "run", "var/log/lab")

Snapshot = dict[str, tuple[str, int, int, int, str]]


def _walk(base: Path, prefix: str, skipped: tuple[str, ...]) -> Snapshot:
    found: Snapshot = {}
    for directory, dirs, files in os.walk(base):
        relative_dir = os.path.relpath(directory, base)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(relative_dir, d)) not in skipped]
        for name in [*files, *[d for d in dirs if (Path(directory) / d).is_symlink()]]:
            path = Path(directory) / name
            info = path.lstat()
            key = prefix + os.path.normpath(os.path.join(relative_dir, name))
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", 0, info.st_uid, info.st_gid, os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[key] = ("file", stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, digest)
        for name in dirs:
            info = (Path(directory) / name).lstat()
            key = prefix + os.path.normpath(os.path.join(relative_dir, name))
            found[key] = ("dir", stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, "")
    return found


def snapshot(host: LabHost) -> Snapshot:
    return {**_walk(host.root, "/", SKIPPED), **_walk(host.state / "usr-upper", "/usr/", ())}


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    lines = [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"added {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"changed {p}: {before[p]} -> {after[p]}" for p in sorted(before.keys() & after.keys())
              if before[p] != after[p]]
    return lines
