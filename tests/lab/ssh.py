"""Run a registered step over real SSH the way pulumi-command does: dial (retrying up to the step's
`dialErrorLimit`, forever for -1), run `create` in one session with `stdin`, and fail if the session dies.
The system `ssh` client runs inside the lab's controller namespace, so it can only reach lab hosts."""

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# ssh's own messages when it never got a session (as opposed to a session that died or a command that failed)
_DIAL_ERRORS = re.compile(
    r"Connection refused|Connection timed out|No route to host|Connection reset by peer|"
    r"kex_exchange_identification|Connection closed by \S+ port \d+$|banner exchange",
    re.MULTILINE,
)
UNLIMITED_DIAL_CAP_SECONDS = 180  # the lab's bound on "dial forever"


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    dials: int
    seconds: float

    @property
    def changes(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("changed: ")]


@dataclass(frozen=True)
class SshClient:
    namespace: str  # the controller namespace
    key: Path

    def argv(self, user: str, host: str, connect_timeout: float, command: str,
             known_hosts: Path | None = None) -> list[str]:
        """`known_hosts`: the host's pinned key (a connection's `hostKey`), checked strictly as pulumi-command
        does; without it any host key is accepted."""
        checking = (["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}"] if known_hosts
                    else ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        return [
            "ip", "netns", "exec", self.namespace, "ssh", "-F", "/dev/null", "-i", str(self.key), "-T",
            "-o", "BatchMode=yes", *checking,
            "-o", "LogLevel=ERROR", "-o", f"ConnectTimeout={max(1, int(connect_timeout))}",
            f"{user}@{host}", command,
        ]

    def upload(self, user: str, host: str, local: Path, remote: str, *, dial_error_limit: int = 10) -> Outcome:
        """What CopyToRemote does, over the real SFTP subsystem as `user` (no sudo): create the parent
        directories of `remote` (relative paths start in the user's home), then copy `local` over it."""
        parts = remote.split("/")[:-1]
        script = "".join(f"-mkdir {'/'.join(parts[: i + 1])}\n" for i in range(len(parts)) if parts[i])
        script += f"put {local} {remote}\n"
        started = time.monotonic()
        dials = 0
        while True:
            dials += 1
            argv = ["ip", "netns", "exec", self.namespace, "sftp", "-F", "/dev/null", "-i", str(self.key), "-q",
                    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "LogLevel=ERROR", "-b", "-", f"{user}@{host}"]
            done = subprocess.run(argv, input=script, capture_output=True, text=True, timeout=120)
            dial_failed = done.returncode == 255 and _DIAL_ERRORS.search(done.stderr)
            if not dial_failed or (dial_error_limit >= 0 and dials > dial_error_limit):
                # no `changed:` lines: CopyToRemote reports nothing, and the engine diffs it by the asset hash
                return Outcome(done.returncode, "", done.stderr, dials, time.monotonic() - started)
            time.sleep(0.5)

    def run(self, user: str, host: str, command: str, *, stdin: str | None = None, dial_error_limit: int = 10,
            per_dial_timeout: float = 15, timeout: float = 900, known_hosts: Path | None = None) -> Outcome:
        started = time.monotonic()
        dials = 0
        while True:
            dials += 1
            done = subprocess.run(self.argv(user, host, per_dial_timeout, command, known_hosts), input=stdin or "",
                                  capture_output=True, text=True, timeout=timeout)
            dial_failed = done.returncode == 255 and not done.stdout and _DIAL_ERRORS.search(done.stderr)
            if not dial_failed:
                return Outcome(done.returncode, done.stdout, done.stderr, dials, time.monotonic() - started)
            out_of_dials = (dial_error_limit >= 0 and dials > dial_error_limit) or (
                time.monotonic() - started > UNLIMITED_DIAL_CAP_SECONDS
            )
            if out_of_dials:
                return Outcome(done.returncode, done.stdout, done.stderr, dials, time.monotonic() - started)
            time.sleep(0.5)
