"""The roles model describes itself: quorums and member lists come from its fields, so a new role is one field."""

from typing import Annotated

from config.roles import Names, QuorumMembers, RolesSpec, SlurmRoles
from config.spec import ClusterSpec
from nodes.rollout.plan import conflicts
from offline.evaluate import Evaluation


def test_the_real_roles_name_their_five_quorums_in_field_order(real_evaluation: Evaluation) -> None:
    found = [(q.path, q.label) for q in real_evaluation.spec.roles.quorums()]
    assert found == [
        ("roles.kubernetes.controlPlane", "etcd"),
        ("roles.consul.servers", "Consul raft"),
        ("roles.vault.servers", "Vault raft"),
        ("roles.nomad.servers", "Nomad raft"),
        ("roles.seaweedfs.masters", "SeaweedFS master raft"),
    ]


def test_the_rollout_keeps_apart_the_members_of_every_quorum_validation_reads(real_evaluation: Evaluation) -> None:
    spec: ClusterSpec = real_evaluation.spec
    apart = conflicts(spec, ())
    for quorum in spec.roles.quorums():
        for member in quorum.members:
            assert set(quorum.members) - {member} <= apart[member], quorum.path


def test_every_list_of_node_names_is_a_member_list_and_nfs_paths_are_not_members(real_evaluation: Evaluation) -> None:
    roles = real_evaluation.spec.roles
    paths = dict(roles.member_lists())
    assert {"roles.vault.clients", "roles.nomad.gpuClients", "roles.kubernetes.gpuWorkers", "roles.zfs"} <= set(paths)
    members = list(roles.members())
    assert ("roles.haproxy", roles.haproxy) in members
    assert not any("nfsExports" in p and not p.endswith(".node") for p, _ in members)
    assert [n for p, n in members if p.startswith("roles.nfsExports")] == [e.node for e in roles.nfs_exports]


def test_a_new_field_marked_as_a_quorum_is_a_quorum_without_any_other_list_to_edit() -> None:
    class WithSlurmQuorum(SlurmRoles):
        controllers: Annotated[Names, QuorumMembers("Slurm controller")]

    class Roles(RolesSpec):
        slurm: WithSlurmQuorum | None = None

    roles = Roles.model_validate({
        "kubernetes": {"controlPlane": ["a"], "workers": []}, "consul": {"servers": ["a"]},
        "vault": {"servers": ["a"]}, "nomad": {"servers": ["a"]}, "stepCa": "a", "authelia": "a", "haproxy": "b",
        "prometheus": "a", "grafana": "a", "loki": "a", "slurm": {"controllers": ["c", "d"], "compute": ["e"]},
    })
    assert ("roles.slurm.controllers", "Slurm controller", ("c", "d")) in [
        (q.path, q.label, q.members) for q in roles.quorums()
    ]
