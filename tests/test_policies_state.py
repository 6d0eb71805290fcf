"""State safety: what counts as stateful, and that it must be protected."""

import pytest

from policies import state_rules
from policies.stateful import command_state
from tests.policy_support import resource_args, violations

RULE = state_rules.stateful_protected
ZPOOL = "#!/bin/bash\n# goldentooth step x\nif ! zpool list tank >/dev/null 2>&1; then\n  zpool create -f tank /dev/sda\nfi\n"


@pytest.mark.parametrize(
    "resource_type,props,what",
    [
        ("aws:kms/key:Key", {"enableKeyRotation": True}, "KMS key"),
        ("aws:route53/zone:Zone", {"name": "goldentooth.net"}, "Route53 zone"),
        ("aws:s3/bucket:Bucket", {"bucket": "goldentooth-backups"}, "data bucket"),
        ("command:remote:Command", {"create": ZPOOL}, "ZFS pool"),
        ("command:remote:Command", {"create": "set -e\nkubeadm init --config /etc/kubernetes/kubeadm.yaml\n"},
         "etcd (kubeadm init)"),
        ("command:remote:Command", {"create": "vault operator init -format=json"}, "Vault storage"),
        ("command:remote:Command", {"create": "# goldentooth:stateful seaweedfs volume data\nweed volume -dir=/data"},
         "seaweedfs volume data"),
    ],
)
def test_unprotected_stateful_resources_are_reported_and_protected_ones_pass(resource_type: str, props: dict[str, object], what: str) -> None:
    assert violations(RULE, resource_args(resource_type, props, protect=True)) == []
    assert violations(RULE, resource_args(resource_type, props)) == [f"subject holds state ({what}) but is not protected."]


@pytest.mark.parametrize(
    "resource_type,props",
    [
        ("aws:s3/bucket:Bucket", {"tags": {"goldentooth:stateful": "false"}}),
        ("command:remote:Command", {"create": "apt-get install -y zfsutils-linux"}),
        ("command:remote:Command", {"create": "# never run kubeadm init twice: the join steps handle that\nkubeadm join x"}),
        ("aws:route53/record:Record", {"name": "cp.k8s.goldentooth.net"}),
    ],
)
def test_resources_without_durable_state_need_no_protection(resource_type: str, props: dict[str, object]) -> None:
    assert violations(RULE, resource_args(resource_type, props)) == []


def test_any_tagged_resource_can_opt_in() -> None:
    args = resource_args("aws:dynamodb/table:Table", {"tags": {"goldentooth:stateful": "true"}})
    assert violations(RULE, args) == ["subject holds state (resource tagged goldentooth:stateful=true) but is not protected."]


def test_control_plane_join_holds_an_etcd_member_but_a_worker_join_does_not() -> None:
    assert command_state("kubeadm join cp.k8s:6443 --control-plane --config /etc/kubernetes/join.yaml") == (
        "etcd member (control-plane join)"
    )
    assert command_state("kubeadm join cp.k8s:6443 --config /etc/kubernetes/join.yaml") is None
