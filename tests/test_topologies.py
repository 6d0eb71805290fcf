"""Every positive topology fixture (tests/topologies.py) evaluates cleanly: valid config, a Node per host, the
kubeadm shape its control plane calls for, GPU and NFS work only where configured, no policy violation."""

import copy
from typing import Any

import pytest

from offline.check import check
from offline.evaluate import Evaluation
from tests.conftest import evaluate_shared, fake_secret_values
from tests.topologies import TOPOLOGIES


@pytest.fixture(scope="module", params=sorted(TOPOLOGIES))
def topology(request: pytest.FixtureRequest, real_plain: dict[str, Any]) -> Evaluation:
    shared = {"three-control-planes": "real_evaluation", "cloudflare-on": "cloudflare_evaluation"}
    if request.param in shared:
        ev: Evaluation = request.getfixturevalue(shared[request.param])  # evaluated once per session, shared
        return ev
    plain = copy.deepcopy(real_plain)
    TOPOLOGIES[request.param](plain)
    return evaluate_shared(plain)


def test_every_host_gets_a_node_and_every_control_plane_member_an_init_or_a_join(topology: Evaluation) -> None:
    spec = topology.spec
    assert sorted(r.name for r in topology.of_type("goldentooth:nodes:Node")) == sorted(n.name for n in spec.nodes)
    first, *others = spec.roles.kubernetes.control_plane
    assert [r.name for r in topology.of_type("goldentooth:k8s:KubeadmInit")] == [first]
    joins = sorted(r.name for r in topology.of_type("goldentooth:k8s:ControlPlaneJoin"))
    assert joins == sorted(others)
    api = topology.file(spec.roles.haproxy, "/etc/haproxy/goldentooth.d/10-core.cfg")
    assert [line.split()[1] for line in api.splitlines() if line.strip().startswith("server ")] == [first, *others]


def test_gpu_and_nfs_work_exists_only_where_the_config_asks_for_it(topology: Evaluation) -> None:
    spec = topology.spec
    names = {r.name for r in topology.resources}
    gpu_nodes = [n.name for n in spec.nodes if n.gpu is not None]
    assert any(f"{n}-nvidia-runtime" in names for n in gpu_nodes) == bool(gpu_nodes)
    assert not any(f"{n.name}-nvidia-runtime" in names for n in spec.nodes if n.gpu is None)
    assert any(name.endswith("-nfs-server") for name in names) == bool(spec.roles.nfs_exports)


def test_no_policy_of_the_pack_is_violated(topology: Evaluation) -> None:
    findings = check(topology, secrets=fake_secret_values())
    assert [f"{f.policy}: {f.resource}: {f.message}" for f in findings if f.mandatory] == []
