"""One lab host: a throwaway root that looks like Raspberry Pi OS or Ubuntu (tests/lab/fixtures), its own PID,
mount and UTS namespaces inside its network namespace, a real OpenSSH server, and the stand-ins of
tests/lab/standins on its PATH. host/enter.sh builds its filesystem view; host/init is its PID 1."""

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from config.nodes import NodeSpec

LAB = Path(__file__).resolve().parent
FIXTURES = LAB / "fixtures"
# Taken from this machine into each root so its programs run (users, the dynamic loader, awk's alternative).
HOST_ETC = (
    "passwd", "group", "shadow", "gshadow", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
    "alternatives", "login.defs", "ssh/moduli", "profile", "bash.bashrc", "host.conf", "dpkg",
)
INITIAL_HOSTNAME = {"raspios-bookworm": "raspberrypi", "ubuntu-24.04": "ubuntu"}
SWAPFILE = {"raspios-bookworm": "var/swap", "ubuntu-24.04": "swap.img"}


def lower_usr(work: Path, os_release: str, package_files: Mapping[str, Path] | None = None) -> Path:
    """What the host's /usr shows above this machine's: the stand-ins, the lab's init and package files, and the
    fixture's own /usr files (e.g. dphys-swapfile.service on Raspberry Pi OS). `package_files` adds files to the
    stand-in packages, `{"step-cli/usr/bin/step": <built binary>}`: real programs a test brings along."""
    lower = work / f"usr-{os_release}"
    if lower.exists():
        return lower
    fixture_usr = FIXTURES / os_release / "usr"
    if fixture_usr.is_dir():
        shutil.copytree(fixture_usr, lower)
    (lower / "local/sbin").mkdir(parents=True, exist_ok=True)
    for standin in (LAB / "standins").iterdir():
        shutil.copy2(standin, lower / "local/sbin" / standin.name)
    (lower / "local/lib/lab").mkdir(parents=True, exist_ok=True)
    shutil.copy2(LAB / "host/init", lower / "local/lib/lab/init")
    shutil.copytree(LAB / "packages", lower / "local/lib/lab/packages")
    for relative, source in (package_files or {}).items():
        target = lower / "local/lib/lab/packages" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return lower


@dataclass
class LabHost:
    spec: NodeSpec
    work: Path  # this host's directory: root/, state/, log
    namespace: str
    process: subprocess.Popen[bytes] | None = None
    root: Path = field(init=False)
    state: Path = field(init=False)
    loop_devices: list[str] = field(default_factory=list)  # detached in stop()

    def __post_init__(self) -> None:
        self.root = self.work / "root"
        self.state = self.work / "state"

    @property
    def os_release(self) -> str:
        return self.spec.os.value

    def build(self, authorized_key: str) -> None:
        root, state = self.root, self.state
        shutil.copytree(FIXTURES / self.os_release, root, ignore=shutil.ignore_patterns("usr"), symlinks=True)
        for name in HOST_ETC:
            source = Path("/etc") / name
            if source.is_dir():
                shutil.copytree(source, root / "etc" / name, symlinks=True, dirs_exist_ok=True)
            elif source.exists():
                (root / "etc" / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, root / "etc" / name)
        for directory in (
            "proc", "sys", "dev", "tmp", "run", "usr", "home", "mnt", "opt", "srv", "root/.ssh", "var/log/lab",
            "var/tmp", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg/info",
            "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/lib/dpkg/alternatives", "etc/apt/apt.conf.d",
            "etc/apt/preferences.d", "etc/apt/sources.list.d", "etc/apt/trusted.gpg.d", "etc/systemd/system",
            "etc/ssh/sshd_config.d", "var/lib/lab-systemd/enabled",
        ):
            (root / directory).mkdir(parents=True, exist_ok=True)
        (root / "var/lib/dpkg/available").touch()
        (root / "root").chmod(0o700)
        (root / "root/.ssh").chmod(0o700)
        (root / "root/.ssh/authorized_keys").write_text(authorized_key, encoding="utf-8")
        (root / "root/.ssh/authorized_keys").chmod(0o600)
        for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")):
            (root / link).symlink_to(target)
        (root / "etc/localtime").symlink_to("/usr/share/zoneinfo/Etc/UTC")
        swapfile = root / SWAPFILE[self.os_release]
        swapfile.write_bytes(b"\0" * 4096)
        swapfile.chmod(0o600)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"lab-{self.spec.name}",
                        "-f", str(root / "etc/ssh/ssh_host_ed25519_key")], check=True)
        for directory in ("usr-upper", "usr-work"):
            (state / directory).mkdir(parents=True)
        (state / "boot_id").write_text(f"{uuid.uuid4()}\n", encoding="utf-8")
        self._attach_mount_disks()
        (state / "swaps").write_text("", encoding="utf-8")

    def start(self, lower: Path) -> None:
        log = (self.work / "host.log").open("wb")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, "unshare", "--mount", "--uts", "--pid", "--fork",
             "--kill-child=SIGKILL", "--propagation", "private", "bash", str(LAB / "host/enter.sh"),
             str(self.root), str(self.state), str(lower), INITIAL_HOSTNAME[self.os_release]],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def _attach_mount_disks(self) -> None:
        """A disk per configured mount (velaryon's /mnt/gpu-storage): an ext4 image with the configured UUID on a
        loop device, which enter.sh shows the host at /dev/disk/by-uuid/<uuid> (state/block-devices)."""
        lines = []
        for i, mount in enumerate(m for m in self.spec.mounts if m.uuid):
            image = self.state / f"disk-{i}.img"
            with image.open("wb") as f:
                f.truncate(32 * 1024 * 1024)
            subprocess.run([f"mkfs.{mount.fstype}", "-q", "-F", "-U", str(mount.uuid), str(image)], check=True)
            device = subprocess.run(["losetup", "--find", "--show", str(image)], check=True,
                                    capture_output=True, text=True).stdout.strip()
            self.loop_devices.append(device)
            lines.append(f"{device} {mount.uuid}\n")
        (self.state / "block-devices").write_text("".join(lines), encoding="utf-8")

    def stop(self) -> None:
        """Ends the host by the id of the process this lab started; its PID namespace dies with it."""
        self._stop_process()
        for device in self.loop_devices:
            subprocess.run(["losetup", "--detach", device], check=False)
        self.loop_devices.clear()

    def _stop_process(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def boots(self) -> list[str]:
        path = self.root / "var/log/lab/boots"
        return [line.split()[-1] for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []

    def calls(self) -> list[str]:
        path = self.root / "var/log/lab/calls.log"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def read(self, path: str) -> str:
        """A file as the host sees it (its /usr is an overlay; everything else is its root)."""
        relative = path.lstrip("/")
        if relative.startswith("usr/"):
            upper = self.state / "usr-upper" / relative.removeprefix("usr/")
            if upper.exists():
                return upper.read_text(encoding="utf-8")
        return (self.root / relative).read_text(encoding="utf-8")

    def log(self) -> str:
        path = self.work / "host.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")

