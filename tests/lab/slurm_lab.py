"""Slurm lab hosts: Debian's munged, slurmctld and slurmd, run from the files the program renders, each lab host in
its own network namespace at its inventory address with its own UTS namespace (hostname = NodeName) and mount
namespace (its own /etc/slurm, /etc/munge, /run, spool and log directories; the controllers share one directory
at StateSaveLocation, as they share the NFS export on the cluster).

The one deliberate difference from a node is `LAB_OVERLAY` (also listed in tests/lab/README.md): there is no
systemd and no delegated cgroup hierarchy here, and this machine has two cores where slurm.conf promises a
Pi's four.
"""

import os
import pwd
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path

from tests.lab.namespaces import Network

# slurm.conf key -> the value the lab runs with, and why. Nothing else of the rendered files is changed.
LAB_OVERLAY: Mapping[str, str] = {
    "ProctrackType": "proctrack/linuxproc",  # no cgroup hierarchy delegated to a lab host
    "TaskPlugin": "task/none",  # task/cgroup needs that hierarchy; task/affinity a CPU set it may change
    "JobAcctGatherType": "jobacct_gather/none",  # the cgroup gatherer needs it too
    "SlurmdParameters": "config_overrides",  # this machine has 2 cores; slurm.conf promises a Pi's 4
}

# Each lab host sees these as empty directories of its own (tmpfs) instead of this machine's.
PRIVATE = ("/run", "/mnt", "/etc/slurm", "/etc/munge", "/var/lib/munge", "/var/log/munge", "/var/spool",
           # slurmd 22.05 initialises its cgroup plugin whatever the task and proctrack plugins are; on an empty
           # tmpfs autodetect picks cgroup/v1, which wants the named `systemd` hierarchy mounted and otherwise
           # uses nothing (task/none, proctrack/linuxproc): that hierarchy alone, no resource controller.
           "/sys/fs/cgroup")
STICKY = ("/tmp", "/dev/shm")  # world-writable with the sticky bit, as on a node
LOG_DIRS = ("/var/log/slurm", "/var/log/munge")  # bound from the lab's work directory, to read after a failure


def overlay(conf: str) -> str:
    """The rendered slurm.conf with LAB_OVERLAY's keys replaced (or added), every other line untouched."""
    seen: set[str] = set()
    lines = []
    for line in conf.splitlines():
        key = line.split("=", 1)[0]
        if key in LAB_OVERLAY:
            lines.append(f"{key}={LAB_OVERLAY[key]}")
            seen.add(key)
        else:
            lines.append(line)
    lines += [f"{key}={value}" for key, value in LAB_OVERLAY.items() if key not in seen]
    return "\n".join(lines) + "\n"


@dataclass
class SlurmHost:
    name: str
    address: str
    namespace: str
    holder: subprocess.Popen[bytes]
    daemons: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def command(self, *argv: str) -> list[str]:
        return ["nsenter", "-t", str(self.holder.pid), "-u", "-m", "-n", "--", *argv]

    def run(self, *argv: str, check: bool = True, timeout: int = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*argv), capture_output=True, text=True, check=check, timeout=timeout)

    def start(self, daemon: str, *argv: str, log: Path) -> None:
        with log.open("ab") as out:
            self.daemons[daemon] = subprocess.Popen(self.command(*argv), stdout=out, stderr=subprocess.STDOUT,
                                                    start_new_session=True)

    def stop(self, daemon: str) -> None:
        process = self.daemons.pop(daemon)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class SlurmLab:
    def __init__(self, network: Network, work: Path) -> None:
        self.network = network
        self.work = work
        self.hosts: dict[str, SlurmHost] = {}
        self.shared_state = work / "shared-state"

    def add(
        self, name: str, address: str, private: tuple[str, ...] = PRIVATE, logs: tuple[str, ...] = LOG_DIRS
    ) -> SlurmHost:
        ns = self.network.attach(name[:8], IPv4Address(address))
        holder = subprocess.Popen(
            ["ip", "netns", "exec", ns, "unshare", "--uts", "--mount", "--propagation", "private", "sleep", "infinity"],
            start_new_session=True,
        )
        host = SlurmHost(name, address, ns, holder)
        self.hosts[name] = host
        # `ip netns exec` and `unshare` exec in place: the holder is ready once it is `sleep` in a UTS namespace
        # of its own.
        wait(lambda: _comm(holder.pid) == "sleep" and not _same_uts(holder.pid), f"lab host {name}")
        host.run("hostname", name)
        for path in private:
            host.run("mount", "-t", "tmpfs", "-o", "mode=1777" if path in STICKY else "mode=0755", "tmpfs", path)
        if "/sys/fs/cgroup" in private:
            host.run("mkdir", "/sys/fs/cgroup/systemd")
            host.run("mount", "-t", "cgroup", "-o", "none,name=systemd", "cgroup", "/sys/fs/cgroup/systemd")
        for path in logs:
            kept = self.work / name / path.lstrip("/")
            kept.mkdir(parents=True, exist_ok=True)
            host.run("mount", "--bind", str(kept), path)
        return host

    def install(self, host: SlurmHost, path: str, content: bytes, mode: str, owner: str) -> None:
        source = self.work / host.name / path.lstrip("/")
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(content)
        host.run("install", "-D", "-m", mode, "-o", owner, "-g", owner, str(source), path)

    def directory(self, host: SlurmHost, path: str, mode: str, owner: str) -> None:
        host.run("install", "-d", "-m", mode, "-o", owner, "-g", owner, path)

    def share_state(self, host: SlurmHost, mount_at: str) -> None:
        """The controllers' common StateSaveLocation: one directory bound into each (the NFS export's stand-in)."""
        self.shared_state.mkdir(exist_ok=True)
        os.chown(self.shared_state, *_ids("slurm"))
        host.run("mkdir", "-p", mount_at)
        host.run("mount", "--bind", str(self.shared_state), mount_at)

    def start_munge(self, host: SlurmHost, key: bytes) -> None:
        self.install(host, "/etc/munge/munge.key", key, "0400", "munge")
        host.run("chown", "munge:munge", "/etc/munge", "/var/lib/munge", "/var/log/munge")
        host.run("chmod", "0700", "/etc/munge", "/var/lib/munge", "/var/log/munge")
        self.directory(host, "/run/munge", "0755", "munge")
        host.start("munged", "setpriv", "--reuid=munge", "--regid=munge", "--init-groups", "/usr/sbin/munged",
                   "--foreground", log=self.work / f"{host.name}-munged.log")
        wait(lambda: host.run("test", "-S", "/run/munge/munge.socket.2", check=False).returncode == 0,
              f"munged on {host.name}")

    def down(self) -> None:
        for host in self.hosts.values():
            for daemon in list(host.daemons):
                host.stop(daemon)
            if host.holder.poll() is None:
                os.killpg(host.holder.pid, signal.SIGKILL)
                host.holder.wait(timeout=10)


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _same_uts(pid: int) -> bool:
    return os.readlink(f"/proc/{pid}/ns/uts") == os.readlink("/proc/self/ns/uts")


def _ids(user: str) -> tuple[int, int]:
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def wait(ready: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up in {timeout:.0f}s")
        time.sleep(0.3)
