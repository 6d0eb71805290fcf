"""`goldentooth host-keys --known-hosts FILE`: the nodes' host keys from a known_hosts file the user trusts, pinned
in the stack file's `ssh.hostKeys` (offline; tests/lab/test_host_keys_scan.py reads them from real sshd).

Real keys made by ssh-keygen, known_hosts written plain, hashed by `ssh-keygen -H`, and with `[addr]:port` entries;
the command runs as a person runs it, on a copy of the real stack file.
"""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.load import load, read_stack
from offline.cli import main as cli
from tests.conftest import STACK_FILE

NODES = ("allyrion", "bettley", "velaryon")


def _key(tmp_path: Path, name: str, kind: str = "ed25519") -> str:
    path = tmp_path / f"{name}-{kind}"
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"root@{name}", "-f", str(path)], check=True)
    return Path(f"{path}.pub").read_text().strip()


def _fingerprint(key: str, tmp_path: Path) -> str:
    (tmp_path / "fp.pub").write_text(key + "\n")
    out = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "fp.pub")], capture_output=True, text=True,
                         check=True).stdout
    return out.split()[1]


def _ips(plain: dict[str, Any]) -> dict[str, str]:
    return {n["name"]: str(n["ip"]) for n in plain["nodes"]}


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    copy = tmp_path / "Pulumi.goldentooth.yaml"
    copy.write_text(STACK_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def _pins(path: Path) -> dict[str, str]:
    plain, secrets, _ = read_stack(path)
    spec, _ = load(plain, secrets, require_secrets=False)
    return dict(spec.ssh.host_keys)


def test_keys_from_a_known_hosts_file_are_pinned_and_nothing_else_in_the_file_changes(
    real_plain: dict[str, Any], stack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ips = _ips(real_plain)
    keys = {n: _key(tmp_path, n) for n in NODES}
    other = _key(tmp_path, "allyrion", "ecdsa")  # another type for the same address: not the one pinned
    lines = [f"{ips['allyrion']} {other}", f"{ips['allyrion']},allyrion {keys['allyrion']}",
             f"bettley.nodes.goldentooth.net {keys['bettley']}",  # by FQDN
             f"@cert-authority * {_key(tmp_path, 'ca')}",
             f"{ips['velaryon']} {keys['velaryon']}"]
    known = tmp_path / "known_hosts"
    known.write_text("# collected on the console\n" + "\n".join(lines) + "\n")
    before = stack.read_text()

    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known)]) == 1  # the other 14 lack keys
    out = capsys.readouterr()
    assert "pinned 3, already pinned 0, not found 14" in out.out
    for node in NODES:
        assert f"pinned {node}: ssh-ed25519 {_fingerprint(keys[node], tmp_path)}" in out.out
    assert "no key for cargyll (10.4.0.12)" in out.err
    pins = _pins(stack)
    assert pins == {n: " ".join(keys[n].split()[:2]) for n in NODES}
    after = stack.read_text()
    # Only added lines: every line of the old file is still there, in order.
    old, new = before.splitlines(), after.splitlines()
    assert [line for line in new if line in old] == old and len(new) == len(old) + 1 + len(NODES)

    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known)]) == 1
    assert "pinned 0, already pinned 3" in capsys.readouterr().out
    assert stack.read_text() == after


def test_hashed_entries_and_a_non_default_port_are_matched(
    real_plain: dict[str, Any], stack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = stack.read_text().replace("  goldentooth:ssh:\n    user: root\n    port: 22\n",
                                     "  goldentooth:ssh:\n    user: root\n    port: 2222\n")
    assert text != stack.read_text()
    stack.write_text(text)
    ips = _ips(real_plain)
    keys = {n: _key(tmp_path, n) for n in ips}
    known = tmp_path / "known_hosts"
    # port 22 entries name the address alone: they are another server than the one on 2222
    known.write_text("".join(f"[{ips[n]}]:2222 {k}\n" for n, k in keys.items()) + f"{ips['bettley']} {keys['dalt']}\n")
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(known)], check=True, capture_output=True)
    assert ips["allyrion"] not in known.read_text()  # hashed

    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known)]) == 0
    assert "pinned 17, already pinned 0, not found 0" in capsys.readouterr().out
    assert _pins(stack) == {n: " ".join(k.split()[:2]) for n, k in keys.items()}
    # With every key pinned, requireHostKeys holds.
    stack.write_text(stack.read_text().replace("    perDialTimeout: 15\n", "    perDialTimeout: 15\n"
                                                                          "    requireHostKeys: true\n", 1))
    assert _pins(stack)["velaryon"] == " ".join(keys["velaryon"].split()[:2])


def test_a_pinned_key_that_differs_stops_with_the_node_and_both_fingerprints_and_writes_nothing(
    real_plain: dict[str, Any], stack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ips = _ips(real_plain)
    pinned, live = _key(tmp_path, "old"), _key(tmp_path, "new")
    fresh = _key(tmp_path, "cargyll")
    first = tmp_path / "first"
    first.write_text(f"{ips['bettley']} {pinned}\n")
    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(first), "--node", "bettley"]) == 0
    capsys.readouterr()
    before = stack.read_text()
    known = tmp_path / "known_hosts"
    known.write_text(f"{ips['bettley']} {live}\n{ips['cargyll']} {fresh}\n")

    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known)]) == 2
    err = capsys.readouterr().err
    assert "ssh.hostKeys.bettley" in err and f"bettley ({ips['bettley']})" in err
    assert _fingerprint(live, tmp_path) in err and _fingerprint(pinned, tmp_path) in err
    assert stack.read_text() == before, "a conflict must write nothing, not even the other nodes' keys"


def test_a_dry_run_writes_nothing_and_an_unknown_node_is_refused(
    real_plain: dict[str, Any], stack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(f"{_ips(real_plain)['jast']} {_key(tmp_path, 'jast')}\n")
    before = stack.read_text()
    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known), "--node", "jast", "--dry-run"]) == 0
    assert "would pin jast: ssh-ed25519 SHA256:" in capsys.readouterr().out
    assert stack.read_text() == before
    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known), "--node", "jsat"]) == 2
    assert "'jsat' is not a node of the inventory" in capsys.readouterr().err


def test_a_flow_style_host_keys_map_is_refused_with_the_key_to_edit(
    real_plain: dict[str, Any], stack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _key(tmp_path, "fenn")
    stack.write_text(stack.read_text().replace("    perDialTimeout: 15\n", "    perDialTimeout: 15\n    hostKeys: {}\n"))
    assert yaml.safe_load(stack.read_text())["config"]["goldentooth:ssh"]["hostKeys"] == {}
    known = tmp_path / "known_hosts"
    known.write_text(f"{_ips(real_plain)['fenn']} {key}\n")
    before = stack.read_text()
    assert cli(["host-keys", "--config", str(stack), "--known-hosts", str(known), "--node", "fenn"]) == 2
    assert "hostKeys: is not in block style" in capsys.readouterr().err
    assert stack.read_text() == before
