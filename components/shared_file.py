"""A file whose content is the same on many nodes (every node's /etc/hosts list, Slurm's cluster-wide
`slurm.conf`), shipped by reference so that no node's inputs carry it.

Everything a `remote.Command` delivers is one of its inputs, so a text every node needs, put into each
node's step, makes the inputs of all steps together quadratic in the inventory. Instead the program writes
the text once, content-addressed, to a local file, and each node gets a `remote.CopyToRemote` of that file
as a `pulumi.FileAsset`: its inputs are the path (which names the sha256) and, for the engine, the file's
hash, whatever the size of the text. The step that installs the file takes only the staged path and the
digest, and refuses a staged copy whose sha256 differs.

Under the offline evaluator nothing is written: the text is recorded once under the pseudo-node `shared`
(`goldentooth render` writes it once as `shared/<name>-<sha256>`, the SSH lab uploads it from there).
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pulumi

from components import artifacts

SHARED = "shared"  # the artifact pseudo-node holding each shared file once
LOCAL_DIR = ".goldentooth/shared"  # relative to the program's directory, which the engine resolves assets from
# On the node: relative to the SSH user's home, where both SFTP and a command's session start. CopyToRemote
# has no sudo (pulumi-command#139), so the staging place must be the user's own.
STAGING_DIR = ".goldentooth/shared"


@dataclass(frozen=True)
class SharedFile:
    """`name` says what the text is (`hosts`, `slurm.conf`); the file names carry the text's sha256."""

    name: str
    content: str

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()

    @property
    def file_name(self) -> str:
        return f"{self.name}-{self.digest}"

    @property
    def local_path(self) -> str:
        return f"{LOCAL_DIR}/{self.file_name}"

    @property
    def staged_path(self) -> str:
        return f"{STAGING_DIR}/{self.file_name}"

    def asset(self) -> pulumi.FileAsset:
        return pulumi.FileAsset(self.local_path)


_written: set[str] = set()  # local paths this process wrote or found in place (their names carry the digest)


def publish(shared: SharedFile) -> SharedFile:
    """Make `shared` available to whatever copies it, once per evaluation however many nodes ask: recorded
    for the offline evaluator, or written (atomically, unless in place) under the program's directory for
    the engine to hash and copy."""
    if artifacts.collecting_now():
        artifacts.record_once(SHARED, shared.file_name, shared.content)
    elif shared.local_path not in _written:
        _write(Path(shared.local_path), shared.content)
        _written.add(shared.local_path)
    return shared


def _write(path: Path, content: str) -> None:
    data = content.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
