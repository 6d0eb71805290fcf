"""Lab: a worker leaves Kubernetes. karstark is taken out of roles.kubernetes.workers; the deletes a real `pulumi up`
would run (tests/lifecycle_support.py: the commands in the state the program no longer registers, each run with
the `delete` and connection stored for it, dependents first) run over real SSH on the lab hosts bettley and
karstark, with stand-ins for kubectl and kubeadm (tests/lab/README.md, "The lifecycle lab"). The drain runs on
bettley before the reset on karstark, the Node object goes last, each once; a retry of every delete (the engine
retries a failed delete) changes nothing."""

import shlex
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.conftest import Edit
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.ssh import Outcome
from tests.lifecycle_support import Delta, delta

pytestmark = pytest.mark.lab
STANDINS = Path(__file__).resolve().parent / "lifecycle"


def _sh(lab: NodeLab, node: str, command: str) -> str:
    outcome = lab.sh(node, command)
    assert outcome.returncode == 0, f"{node}: {command}\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def _install_standins(lab: NodeLab) -> None:
    for node in lab.hosts:
        for tool in ("kubectl", "kubeadm"):
            text = (STANDINS / tool).read_text(encoding="utf-8")
            _sh(lab, node, f"install -d /usr/local/bin && printf %s {shlex.quote(text)} >/usr/local/bin/{tool} "
                           f"&& chmod 0755 /usr/local/bin/{tool}")
    # The cluster as the join left it: a Node object per member (on the control plane the stand-in asks), and on
    # karstark the kubelet's kubeconfig and a running kubelet.
    _sh(lab, "bettley", "mkdir -p /var/lib/lab-k8s/nodes && for n in bettley karstark; do echo false "
                        ">/var/lib/lab-k8s/nodes/$n; done")
    _sh(lab, "karstark", "mkdir -p /etc/kubernetes/manifests && echo kubeconfig >/etc/kubernetes/kubelet.conf && "
                         "printf '[Service]\\nExecStart=/bin/true\\n' >/etc/systemd/system/kubelet.service && "
                         "systemctl enable kubelet.service")


def engine_delete_order(d: Delta) -> list[RecordedResource]:
    """The deleted commands with a `delete`, in an order the engine may run them: each after those that depend on
    it (a topological order of the state's edges; ties by name, the engine would run them in parallel)."""
    todo = d.deleted_commands()
    done: list[RecordedResource] = []
    while todo:
        ready = sorted((r for r in todo if not any(d.runs_before(o, r) for o in todo if o is not r)),
                       key=lambda r: r.name)
        assert ready, "a cycle among deletes"
        done.append(ready[0])
        todo.remove(ready[0])
    return done


def _run_delete(lab: NodeLab, resource: RecordedResource) -> Outcome:
    connection: dict[str, Any] = resource.raw_inputs["connection"]
    host = str(connection["host"])
    assert host in {str(lab.ev.spec.node(n).ip) for n in lab.hosts}, f"{resource.name} dials {host}"
    return lab.client.run(str(connection["user"]), host, str(resource.raw_inputs["delete"]),
                          stdin=resource.raw_inputs.get("stdin") or None, dial_error_limit=3)


def test_a_removed_worker_is_drained_then_reset_then_forgotten_once(
        real_evaluation: Evaluation, evaluate_edited: Any, tmp_path: Path) -> None:
    reason = prerequisites()
    if reason is not None:
        pytest.skip(reason)
    edit: Edit = lambda p: p["roles"]["kubernetes"]["workers"].remove("karstark")  # noqa: E731
    d = delta(real_evaluation, evaluate_edited(edit))
    order = engine_delete_order(d)
    assert [r.name for r in order] == ["karstark-leave-kubernetes-drain", "karstark-leave-kubernetes-reset",
                                       "karstark-leave-kubernetes-delete-node"]
    with node_lab(real_evaluation, ["bettley", "karstark"], tmp_path / "lab") as lab:
        _install_standins(lab)
        # Creating the membership steps (the first `up`) runs nothing of the leave.
        for resource in order:
            connection = resource.raw_inputs["connection"]
            created = lab.client.run(str(connection["user"]), str(connection["host"]),
                                     str(resource.raw_inputs["create"]), dial_error_limit=3)
            assert created.returncode == 0 and created.changes == [], created.stderr
        assert _sh(lab, "bettley", "cat /var/log/lab-k8s.log 2>/dev/null || true") == ""
        first = [_run_delete(lab, r) for r in order]
        for resource, outcome in zip(order, first, strict=True):
            assert outcome.returncode == 0, f"{resource.name}\n{outcome.stdout}\n{outcome.stderr}"
        assert [o.changes for o in first] == [
            ["changed: cordoned karstark"], ["changed: karstark reset by kubeadm and its kubelet stopped"],
            ["changed: deleted the Node karstark"]]
        calls = sorted(line.split(" ", 1) for h in ("bettley", "karstark")
                       for line in _sh(lab, h, "cat /var/log/lab-k8s.log").splitlines())
        mutating = [c for _, c in calls if not c.startswith("kubectl get")]
        assert mutating == [
            "kubectl cordon karstark",
            "kubectl drain karstark --ignore-daemonsets --delete-emptydir-data --grace-period=900 --timeout=20m",
            "kubeadm reset --force --skip-phases=remove-etcd-member",
            "kubectl delete node karstark --wait=true"]
        assert _sh(lab, "karstark", "ls /etc/kubernetes; systemctl is-enabled kubelet.service || true").split() == [
            "manifests", "disabled"]
        assert _sh(lab, "bettley", "ls /var/lib/lab-k8s/nodes").split() == ["bettley"]
        # A retry (the engine re-runs a delete that failed halfway): every leave succeeds and changes nothing.
        again = [_run_delete(lab, r) for r in order]
        assert [(o.returncode, o.changes) for o in again] == [(0, [])] * 3, [o.stderr for o in again]
        calls_after = sorted(line.split(" ", 1) for h in ("bettley", "karstark")
                             for line in _sh(lab, h, "cat /var/log/lab-k8s.log").splitlines())
        assert [c for _, c in calls_after if not c.startswith("kubectl get")] == mutating
