"""Package installs go through the node's apt lock and refresh the lists first (issue 12 item 5).

The helpers of `components/shell/lib.sh` run here in real bash with fake `apt-get`, `apt-mark` and `dpkg-query`
on PATH: each fake records its call and whether the node's apt lock was held at that moment (a non-blocking
`flock` on the lock file fails while the step holds it). A static guard keeps every step script on the helpers.
"""

import re
import subprocess
from pathlib import Path

import pytest

from components.script import library_text

ROOT = Path(__file__).resolve().parent.parent
_FAKE = """#!/bin/bash
if flock -n "$GT_TEST_LOCK" true; then held=free; else held=held; fi
printf '%s %s %s\\n' "${0##*/}" "$held" "$*" >>"$GT_TEST_LOG"
"""
_DPKG_QUERY = """#!/bin/bash
# installed packages: GT_TEST_INSTALLED="name=version ..." (held ones with a trailing +)
for entry in $GT_TEST_INSTALLED; do
  name=${entry%%=*} rest=${entry#*=}
  [ "$name" = "${!#}" ] || continue
  status=ii; [[ $rest == *+ ]] && status=hi
  fmt=${2#-f=}; fmt=${fmt//'${db:Status-Abbrev}'/$status}; printf '%s' "${fmt//'${Version}'/${rest%+}}"
  exit 0
done
exit 1
"""


_CURL = """#!/bin/bash
while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done
printf -- '-----BEGIN PGP PUBLIC KEY BLOCK-----\\nfor %s\\n' "$1" >"$out"
"""


def _run(tmp_path: Path, body: str, installed: str = "", private_mounts: bool = False) -> list[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("apt-get", _FAKE), ("apt-mark", _FAKE), ("dpkg-query", _DPKG_QUERY), ("curl", _CURL)):
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    log, lock = tmp_path / "calls.log", tmp_path / "run" / "apt.lock"
    log.write_text("", encoding="utf-8")
    script = "set -euo pipefail\n" + library_text() + f"\nGT_APT_LOCK={lock}\n" + body
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin:/usr/sbin:/sbin", "GT_TEST_LOG": str(log), "GT_TEST_LOCK": str(lock),
           "GT_TEST_INSTALLED": installed}
    if private_mounts:
        Path("/var/lib/goldentooth").mkdir(parents=True, exist_ok=True)  # a mount point only: tmpfs covers it
    argv = ["unshare", "--mount", "--propagation", "private"] if private_mounts else []
    done = subprocess.run([*argv, "bash", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return [line for line in log.read_text(encoding="utf-8").splitlines() if line]


def _verbs(calls: list[str]) -> list[str]:
    """`apt-get held update` style summaries: program, lock state, then the words that are not options."""
    out = []
    for call in calls:
        program, *rest = call.split()
        words = [w for w in rest if not w.startswith("-") and "::" not in w]
        out.append(" ".join([program, *words]))
    return out


def test_a_versioned_install_refreshes_the_lists_then_installs_in_one_hold_of_the_lock(tmp_path: Path) -> None:
    calls = _verbs(_run(tmp_path, "gt_apt_install kubeadm='1.33.2-*'", installed="kubeadm=1.32.9-1.1"))
    assert calls == ["apt-get held update", "apt-get held install kubeadm=1.33.2-*"]


def test_nothing_to_install_touches_no_apt(tmp_path: Path) -> None:
    assert _run(tmp_path, "gt_apt_install kubeadm='1.32.9-*'", installed="kubeadm=1.32.9-1.1") == []


def test_a_moved_source_refreshes_the_lists_even_when_installed_packages_are_kept(tmp_path: Path) -> None:
    # In a private mount namespace, /etc/apt and /var/lib/goldentooth are empty tmpfs: gt_apt_source writes for real.
    first = ("gt_apt_source kubernetes https://keys.invalid/v1.32/Release.key 'URIs: https://repo.invalid/v1.32/'\n"
             "gt_apt_install --keep-installed kubeadm='1.32.9-*'\n")
    moved = first.replace("v1.32", "v1.33") + "gt_apt_install --keep-installed kubeadm='1.33.2-*'\n"
    body = ("mount -t tmpfs none /etc/apt; mount -t tmpfs none /var/lib/goldentooth\n"
            f"{first}echo second-run >>\"$GT_TEST_LOG\"\n{first}echo moved >>\"$GT_TEST_LOG\"\n{moved}")
    calls = _run(tmp_path, body, installed="kubeadm=1.32.9-1.1", private_mounts=True)
    assert _verbs(calls) == [
        "apt-get held update",  # the first write of the source
        "second-run",  # an unchanged source and a kept package: no apt at all
        "moved",
        "apt-get held update",  # the next minor's source: its lists are there for the upgrade
    ]


def test_lists_refreshed_by_a_source_change_in_this_step_are_not_fetched_twice(tmp_path: Path) -> None:
    calls = _verbs(_run(tmp_path, "gt_apt_get update; GT_APT_LISTS_FRESH=1\ngt_apt_install haproxy\n"
                                  "gt_apt_install rsyslog\n"))
    assert calls == ["apt-get held update", "apt-get held install haproxy",
                     "apt-get held update", "apt-get held install rsyslog"]


def test_hold_and_unhold_go_through_the_lock_and_only_change_what_differs(tmp_path: Path) -> None:
    calls = _verbs(_run(tmp_path, "gt_apt_unhold kubeadm kubelet\ngt_apt_hold kubelet\n",
                        installed="kubeadm=1.32.9-1.1+ kubelet=1.32.9-1.1"))
    assert calls == ["apt-mark held unhold kubeadm", "apt-mark held hold kubelet"]


def test_the_lock_is_released_after_each_call_and_after_a_failure(tmp_path: Path) -> None:
    body = ("gt_apt_locked false || echo failed-ok\n"
            "gt_apt_locked apt-get check\napt-get check\n")
    assert _verbs(_run(tmp_path, body)) == ["apt-get held check", "apt-get free check"]


_APT_CALL = re.compile(r"(^|[\s;&|(])(apt-get|apt-mark|apt|dpkg)\s+(?!-W|-s|--compare)", re.M)


@pytest.mark.parametrize("script", sorted(
    str(p.relative_to(ROOT)) for p in ROOT.glob("**/*.sh")
    if not {".venv", "tests", "tools", ".git"} & set(p.relative_to(ROOT).parts)
    and p.relative_to(ROOT).as_posix() != "components/shell/lib.sh"
))
def test_no_step_script_calls_apt_or_dpkg_around_the_lock(script: str) -> None:
    code = "\n".join(line.split("#", 1)[0] for line in (ROOT / script).read_text(encoding="utf-8").splitlines())
    found = [m.group(0).strip() for m in _APT_CALL.finditer(code)]
    assert found == [], f"{script} calls {found}: use gt_apt_install / gt_apt_refreshed_install / gt_apt_hold"
