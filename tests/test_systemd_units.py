"""Real `systemd-analyze verify` on every unit file the program writes to a node.

How: each node's units (and drop-ins) go into a throwaway root (`--root`) beside a copy of this machine's
packaged units (/usr/lib/systemd/system, for targets such as network-online.target and for the units drop-ins
extend). `verify --root` looks up ExecStart binaries inside that root, so each binary a unit runs is copied in
from this machine; only binaries this machine lacks (software the node installs, e.g. containerd) become
executable stubs, and the test names them. Any finding, warnings included, fails the test. Nodes with the
same set of unit files are verified once.
"""

import re
import shutil
import subprocess
from pathlib import Path

from offline.evaluate import Evaluation, RenderedFile
from tests.tools import missing, system_tool

UNIT_DIR = "/etc/systemd/system/"
UNIT_SUFFIXES = (".service", ".socket", ".mount", ".automount", ".timer", ".path", ".target", ".swap", ".slice")
_EXEC = re.compile(r"^Exec(?:Start|StartPre|StartPost|Stop|StopPost|Reload|Condition)=(.*)$", re.MULTILINE)
HOST_UNITS = Path("/usr/lib/systemd/system")


def _systemd_analyze() -> str:
    path = system_tool("systemd-analyze", "systemd")
    if not HOST_UNITS.is_dir():
        missing(f"systemd's units in {HOST_UNITS}", "Debian package systemd")
    return path


def _unit_files(ev: Evaluation) -> dict[str, list[RenderedFile]]:
    by_node: dict[str, list[RenderedFile]] = {}
    for f in ev.files:
        if f.path.startswith(UNIT_DIR):
            by_node.setdefault(f.node, []).append(f)
    return by_node


def _binaries(text: str) -> set[str]:
    found = set()
    for command in _EXEC.findall(text):
        word = command.strip().lstrip("-@:+!").split()[0] if command.strip() else ""
        if word.startswith("/"):
            found.add(word)
    return found


def _root(tmp_path: Path, files: list[RenderedFile], stubbed: set[str]) -> tuple[Path, list[str]]:
    root = tmp_path
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    for link in ("bin", "sbin", "lib"):
        (root / link).symlink_to(f"usr/{link}")
    units = []
    texts = []
    for f in files:
        target = root / f.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.content, encoding="utf-8")
    for f in files:
        texts.append(f.content)
        if f.path.endswith(".conf"):  # a drop-in: verify the unit it extends, binaries of its base included
            unit = Path(f.path).parent.name.removesuffix(".d")
            units.append(unit)
            base = root / "usr/lib/systemd/system" / unit
            if not base.exists() and not (root / UNIT_DIR.lstrip("/") / unit).exists():
                base.write_text("[Service]\nExecStart=/bin/true\n", encoding="utf-8")  # the node's package ships it
                stubbed.add(unit)
            if base.exists():
                texts.append(base.read_text(encoding="utf-8"))
        elif f.path.endswith(UNIT_SUFFIXES):
            units.append(Path(f.path).name)
    for text in texts:
        for binary in _binaries(text):
            relative = binary.lstrip("/")
            if relative.split("/")[0] in ("bin", "sbin", "lib"):  # merged /usr, as on the nodes
                relative = f"usr/{relative}"
            inside = root / relative
            inside.parent.mkdir(parents=True, exist_ok=True)
            if inside.exists():
                continue
            if Path(binary).exists():
                shutil.copy2(Path(binary).resolve(), inside)
            else:
                inside.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
                inside.chmod(0o755)
                stubbed.add(binary)
    return root, sorted(set(units))


def test_every_unit_file_the_program_writes_passes_systemd_analyze_verify(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    analyze = _systemd_analyze()
    by_node = _unit_files(real_evaluation)
    assert by_node, "the program writes units (NFS automounts, wireless-off) on every node"
    seen: set[tuple[tuple[str, str], ...]] = set()
    stubbed: set[str] = set()
    problems = []
    for node, files in sorted(by_node.items()):
        key = tuple(sorted((f.path, f.content) for f in files))
        if key in seen:
            continue
        seen.add(key)
        root, units = _root(tmp_path / node, files, stubbed)
        done = subprocess.run([analyze, "verify", "--man=no", f"--root={root}", *units],
                              capture_output=True, text=True, cwd=root)
        report = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or report:
            problems.append(f"{node}: {units}\n{report}")
    assert not problems, "\n\n".join(problems)
    print(f"verified {len(seen)} distinct unit sets; stubbed binaries this machine lacks: {sorted(stubbed) or 'none'}")


def test_mount_units_are_named_after_their_mount_point(real_evaluation: Evaluation) -> None:
    """systemd refuses a mount unit whose name is not the escaped path; compare with the real systemd-escape."""
    escape = system_tool("systemd-escape", "systemd")
    for files in _unit_files(real_evaluation).values():
        for f in files:
            if f.path.endswith((".mount", ".automount")):
                where = re.search(r"^Where=(.*)$", f.content, re.MULTILINE)
                assert where is not None, f.path
                expected = subprocess.run([escape, "--path", where.group(1)], capture_output=True, text=True,
                                          check=True).stdout.strip()
                assert Path(f.path).stem == expected, f.path
