"""The storage layer under the mocks: what it registers for the real stack (ZFS and SeaweedFS on, Ceph off),
what it contributes to other layers, that state is protected, that SeaweedFS changes one node at a time with
every server given every master, and that the Kubernetes objects pass the pinned schemas."""

import copy
import itertools
from typing import Any

import kubernetes_validate
import pytest
import yaml

from config.errors import ConfigError
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from storage.contributions import contributions
from storage.seaweedfs.plan import certificate_requests, security_toml
from storage.zfs.sanoid import sanoid_conf
from tests.conftest import evaluate_shared
from tests.nodes_support import COMMAND, Step
from tests.storage_support import enable_ceph

STATEFUL_STEPS = ("zfs-pool", "zfs-datasets", "seaweedfs-disk", "ceph-mon", "ceph-osd")


def _evaluate(plain: dict[str, Any]) -> Evaluation:
    return evaluate_shared(plain)


@pytest.fixture(scope="module")
def ceph_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    plain = copy.deepcopy(real_plain)
    enable_ceph(plain)
    return _evaluate(plain)


def _steps(ev: Evaluation, suffix: str) -> list[RecordedResource]:
    return [r for r in ev.resources if r.type == COMMAND and r.name.endswith(f"-{suffix}")]


def _unit(ev: Evaluation, node: str, name: str) -> str:
    return next(f.content for f in ev.files if f.node == node and f.path == f"/etc/systemd/system/{name}")


def _storage_manifests(ev: Evaluation) -> dict[str, Any]:
    return {f.path: yaml.safe_load(f.content) for f in ev.files
            if f.node == "cluster" and f.path.startswith("storage/k8s/")}


def test_the_real_stack_gets_a_pool_on_each_zfs_node_and_the_datasets_on_the_primary(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    assert sorted(r.name for r in _steps(real_evaluation, "zfs-pool")) == sorted(f"{n}-zfs-pool" for n in spec.roles.zfs)
    assert [r.name for r in _steps(real_evaluation, "zfs-datasets")] == [f"{spec.roles.zfs[0]}-zfs-datasets"]
    pool = next(r for r in _steps(real_evaluation, "zfs-pool") if r.name == "allyrion-zfs-pool")
    params = Step("allyrion", "zfs-pool", pool).params
    assert params["GT_DEVICES"] == "/dev/disk/by-id/usb-UNCONFIRMED_allyrion_sda"
    assert params["GT_ASHIFT"] == "12" and params["GT_PROPERTIES"] == "atime=off\ncompression=lz4"
    assert params["GT_WIPE"] == ""  # the real stack names no disk for wiping


def test_state_holding_steps_are_protected_retained_and_have_no_delete_command(ceph_evaluation: Evaluation) -> None:
    for suffix in STATEFUL_STEPS:
        steps = _steps(ceph_evaluation, suffix)
        assert steps, suffix
        for step in steps:
            assert step.protect and step.retain_on_delete, step.name
            assert not step.raw_inputs.get("delete"), step.name


def test_ceph_is_off_in_the_real_stack_and_registers_nothing(real_evaluation: Evaluation) -> None:
    assert not [r for r in real_evaluation.resources if r.type == "goldentooth:storage:Ceph"]
    assert not [r for r in real_evaluation.resources if "ceph" in r.name]
    assert contributions(real_evaluation.spec).quorum_checks[0].name == "seaweedfs-master"


def test_every_volume_server_and_filer_is_given_every_master(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    roles = spec.roles.seaweedfs
    assert roles is not None
    masters = ",".join(f"{spec.node(m).ip}:9333" for m in roles.masters)
    assert len(roles.masters) % 2 == 1
    for node in roles.volumes:
        assert f"-mserver={masters}" in _unit(real_evaluation, node, "seaweedfs-volume.service"), node
    for node in roles.filers:
        assert f"-master={masters}" in _unit(real_evaluation, node, "seaweedfs-filer.service"), node
    for node in roles.masters:
        assert f"-peers={masters}" in _unit(real_evaluation, node, "seaweedfs-master.service"), node
    assert "seaweedfs-master.service" not in {f.path.rsplit("/", 1)[-1] for f in real_evaluation.files
                                              if f.node == "payne"}


def test_seaweedfs_nodes_change_one_at_a_time(real_evaluation: Evaluation) -> None:
    servers = sorted(_steps(real_evaluation, "seaweedfs-servers"),
                     key=lambda r: [n.name for n in real_evaluation.spec.nodes].index(r.name.split("-")[0]))
    assert len(servers) == 4
    for earlier, later in itertools.pairwise(servers):
        assert earlier.urn in later.dependencies, f"{later.name} does not wait for {earlier.name}"


def test_volume_servers_run_on_their_modelled_disk_and_wait_for_its_mount(real_evaluation: Evaluation) -> None:
    for node in ("manderly", "payne"):
        disk = next(r for r in _steps(real_evaluation, "seaweedfs-disk") if r.name == f"{node}-seaweedfs-disk")
        assert f"/dev/disk/by-id/nvme-UNCONFIRMED_{node}_nvme0n1" in str(disk.raw_inputs["create"])
        assert "RequiresMountsFor=/mnt/seaweedfs-nvme" in _unit(real_evaluation, node, "seaweedfs-volume.service")


def test_seaweedfs_certificates_exist_only_when_tls_is_on_and_then_security_toml_uses_them(
    real_evaluation: Evaluation,
) -> None:
    spec = real_evaluation.spec
    assert certificate_requests(spec) == () and contributions(spec).certificates == ()
    assert "[grpc" not in security_toml(spec)
    tls = spec.model_copy(update={"storage": spec.storage.model_copy(
        update={"seaweedfs": spec.storage.seaweedfs.model_copy(update={"tls": True})})})
    requests = certificate_requests(tls)
    assert sorted(r.node for r in requests) == ["manderly", "norcross", "oakheart", "payne"]
    toml = security_toml(tls)
    for request in requests:
        assert f'cert = "{request.cert_path}"' in toml and f'key = "{request.key_path}"' in toml


def test_contributions_scrape_register_and_alert_for_the_storage_services(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    c = contributions(spec)
    jobs = {t.job: [n for n, _ in t.endpoints] for t in c.scrape_targets}
    assert jobs == {"seaweedfs-master": ["manderly", "norcross", "oakheart"],
                    "seaweedfs-volume": ["manderly", "norcross", "oakheart", "payne"],
                    "seaweedfs-filer": ["manderly", "norcross", "oakheart"]}
    assert {(s.node, s.name) for s in c.consul_services} >= {("payne", "seaweedfs-volume"), ("manderly", "seaweedfs-master")}
    groups = {g.name: g for g in c.alert_rules}
    lag = next(r for r in groups["zfs-replication"].rules if r.alert == "ZfsReplicationLagging")
    assert lag.expr == f"time() - goldentooth_zfs_replication_last_success_timestamp_seconds > {3 * 15 * 60}"
    missing = [r.expr for r in groups["zfs-replication"].rules if r.alert == "ZfsReplicationNeverSucceeded"]
    assert missing == [" or ".join(f'absent(goldentooth_zfs_replication_last_success_timestamp_seconds{{peer="{p}",'
                                   f'dataset="rpool/data"}})' for p in ("erenford", "gardener"))]


def test_replicas_only_prune_and_the_primary_snapshots_per_the_production_template(real_evaluation: Evaluation) -> None:
    zfs = real_evaluation.spec.storage.zfs
    primary = sanoid_conf(zfs, primary=True)
    for line in ("[rpool/data]", "\tuse_template = production", "[template_production]", "\thourly = 36",
                 "\tdaily = 30", "\tmonthly = 3", "\tautosnap = yes", "\tautoprune = yes"):
        assert line in primary.splitlines(), line
    replica = sanoid_conf(zfs, primary=False).splitlines()
    assert "\tautosnap = no" in replica and "\tautoprune = yes" in replica and "\thourly = 36" in replica


def test_syncoid_timers_do_not_start_a_replication_and_push_with_the_dedicated_key(real_evaluation: Evaluation) -> None:
    for peer, ip in (("erenford", "10.4.0.14"), ("gardener", "10.4.0.16")):
        timer = _unit(real_evaluation, "allyrion", f"syncoid-{peer}.timer")
        assert "OnCalendar=*:0/15" in timer and "Requires=" not in timer
        service = _unit(real_evaluation, "allyrion", f"syncoid-{peer}.service")
        assert f"rpool/data root@{ip}:rpool/data" in service
        assert "--sshkey=/root/.ssh/goldentooth-zfs-replication" in service
        # each replica's own sync snapshot name: two timers firing in one second never collide
        assert f"--identifier={peer}" in service
    key = next(r for r in real_evaluation.resources if r.name == "allyrion-zfs-replication-key")
    assert "stdout" in key.additional_secret_outputs and "[secret]" in str(key.inputs.get("stdin"))


def test_storage_manifests_pass_strict_schema_validation_and_one_class_is_default(
    real_evaluation: Evaluation, ceph_evaluation: Evaluation
) -> None:
    minor = real_evaluation.spec.versions.kubernetes_minor
    for ev, default in ((real_evaluation, "seaweedfs-nvme-storage"), (ceph_evaluation, "ceph-rbd")):
        docs = _storage_manifests(ev)
        for path, document in docs.items():
            assert kubernetes_validate.validate(document, minor, strict=True), path
        classes = [d for d in docs.values() if d["kind"] == "StorageClass"]
        defaults = [d["metadata"]["name"] for d in classes
                    if d["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"]
        assert defaults == [default]
    assert {d["metadata"]["name"] for d in _storage_manifests(ceph_evaluation).values() if d["kind"] == "StorageClass"} \
        == {"seaweedfs-nvme-storage", "ceph-rbd", "ceph-rbd-retain", "ceph-rbd-fast"}


def test_the_schema_check_rejects_a_misspelt_storage_class_field(real_evaluation: Evaluation) -> None:
    document = copy.deepcopy(next(d for d in _storage_manifests(real_evaluation).values() if d["kind"] == "StorageClass"))
    document["reclaimPolicyy"] = "Delete"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(document, real_evaluation.spec.versions.kubernetes_minor, strict=True)


def test_ceph_keys_never_appear_in_commands_or_records(ceph_evaluation: Evaluation) -> None:
    for step in _steps(ceph_evaluation, "ceph-mon") + _steps(ceph_evaluation, "ceph-pools"):
        assert "key =" not in str(step.raw_inputs["create"])
        assert "stdout" in step.additional_secret_outputs
    csi = next(r for r in ceph_evaluation.resources if r.type == "kubernetes:helm.sh/v3:Release" and r.name == "ceph-csi-rbd")
    assert ceph_evaluation.waits_for(csi, next(r for r in _steps(ceph_evaluation, "ceph-pools")))


@pytest.mark.parametrize("mons", [["fenn", "karstark"], ["fenn", "karstark", "lipps", "jast"]])
def test_an_even_ceph_monitor_count_is_rejected(real_plain: dict[str, Any], mons: list[str]) -> None:
    plain = copy.deepcopy(real_plain)
    enable_ceph(plain)
    plain["storage"]["ceph"].update({"mons": mons, "mgrs": mons[:1], "osds": mons[:1]})
    with pytest.raises(ConfigError, match=r"storage\.ceph\.mons: the Ceph monitor quorum has \d members"):
        _evaluate(plain)
