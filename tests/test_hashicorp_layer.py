"""The HashiCorp layer in the real stack: what runs where, in which order, and that no secret is in the clear."""

import json

import pytest

from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.conftest import TEST_SECRETS
from tests.nodes_support import header_params

COMMAND = "command:remote:Command"
SERVERS = ("erenford", "fenn", "gardener")


def step(ev: Evaluation, name: str) -> RecordedResource:
    found = [r for r in ev.resources if r.type == COMMAND and r.name == name]
    assert len(found) == 1, f"{name}: {len(found)} steps"
    return found[0]


def needs(ev: Evaluation, later: str, earlier: str) -> bool:
    """Whether step `later` waits for step `earlier`, directly or through other steps."""
    by_urn = ev.by_urn()
    target, seen, todo = step(ev, earlier).urn, set(), [step(ev, later).urn]
    while todo:
        urn = todo.pop()
        if urn == target:
            return True
        if urn in seen:
            continue
        seen.add(urn)
        if urn in by_urn:  # a read resource (the looked-up zone) is no resource of the plan
            todo.extend(by_urn[urn].dependencies)
    return False


def params(ev: Evaluation, name: str) -> dict[str, str]:
    create = step(ev, name).raw_inputs["create"]
    import shlex

    words = shlex.split(create)
    return header_params(words[words.index("-c") + 1])


def test_consul_servers_restart_one_after_another_then_acls_then_clients(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    assert needs(ev, "fenn-consul-restart", "erenford-consul-restart")
    assert needs(ev, "gardener-consul-restart", "fenn-consul-restart")
    assert not needs(ev, "erenford-consul-restart", "fenn-consul-restart")
    assert needs(ev, "erenford-consul-acl", "gardener-consul-restart")
    for client in ("allyrion", "velaryon", "payne"):
        assert needs(ev, f"{client}-consul-restart", "erenford-consul-acl")
        assert not needs(ev, f"{client}-consul-restart", "bettley-consul-restart")


def test_vault_waits_for_consul_and_inits_once_on_the_first_server(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    for server in SERVERS:
        assert needs(ev, f"{server}-vault-restart", f"{server}-vault-config")
    assert needs(ev, "fenn-vault-restart", "erenford-vault-restart")
    init = step(ev, "erenford-vault-init")
    assert init.protect, "vault operator init is identity: protected"
    assert set(init.ignore_changes) >= {"create", "triggers", "stdin"}
    assert needs(ev, "erenford-vault-init", "gardener-vault-restart")
    assert needs(ev, "erenford-vault-configure", "erenford-vault-init")
    assert not any(r.name.endswith("-vault-init") and not r.name.startswith("erenford") for r in ev.resources)


def test_vault_uses_raft_storage_and_the_aws_layers_seal(real_evaluation: Evaluation) -> None:
    config = json.loads(next(f.content for f in real_evaluation.files
                             if f.node == "fenn" and f.path == "/etc/vault.d/vault.json"))
    raft = config["storage"]["raft"]
    assert raft["node_id"] == "fenn"
    assert sorted(j["leader_api_addr"] for j in raft["retry_join"]) == [
        "https://10.4.0.14:8200", "https://10.4.0.16:8200"]
    assert config["seal"]["awskms"]["kms_key_id"] == "alias/goldentooth/vault-seal"
    assert "endpoint" not in config["seal"]["awskms"], "only the lab overlay points the seal elsewhere"


def test_nomad_clients_wait_for_the_acl_bootstrap_and_jobs_for_the_clients(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    assert needs(ev, "erenford-nomad-acl", "gardener-nomad-restart")
    assert needs(ev, "velaryon-nomad-restart", "erenford-nomad-acl")
    assert needs(ev, "erenford-nomad-jobs", "velaryon-nomad-restart")
    for node in ("erenford", "velaryon"):
        assert needs(ev, f"{node}-nomad-config", f"{node}-consul-restart") or needs(
            ev, f"{node}-nomad-config", "erenford-consul-acl")


def test_only_the_gpu_class_gets_the_nvidia_plugin(real_evaluation: Evaluation) -> None:
    configs = {f.node: json.loads(f.content) for f in real_evaluation.files if f.path == "/etc/nomad.d/nomad.json"}
    assert configs["velaryon"]["client"]["node_class"] == "gpu"
    assert "nvidia-gpu" in configs["velaryon"]["plugin"]
    assert all("nvidia-gpu" not in c.get("plugin", {}) for n, c in configs.items() if n != "velaryon")
    assert "nomad-device-nvidia" in params(real_evaluation, "velaryon-nomad-packages")["GT_PACKAGES"]
    assert "server" not in configs["velaryon"] and configs["erenford"]["server"]["bootstrap_expect"] == 3


def test_clients_run_nomad_as_root(real_evaluation: Evaluation) -> None:
    units = {f.node: f.content for f in real_evaluation.files if f.path == "/etc/systemd/system/nomad.service"}
    assert all("User=root" in text for text in units.values()), "a client needs root for its drivers (G-NMD)"


def test_no_plaintext_consul_port_and_every_agent_has_a_token(real_evaluation: Evaluation) -> None:
    configs = {f.node: json.loads(f.content) for f in real_evaluation.files if f.path == "/etc/consul.d/consul.json"}
    assert len(configs) == 17
    for node, config in configs.items():
        assert config["ports"]["http"] == -1, node
        assert config["acl"]["default_policy"] == "deny"
        assert config["acl"]["tokens"]["agent"].startswith("{{secret:"), node
        assert config["tls"]["defaults"]["verify_incoming"] and config["tls"]["defaults"]["verify_outgoing"]
        assert config["tls"]["internal_rpc"]["verify_server_hostname"]
        is_server = node in SERVERS
        assert ("initial_management" in config["acl"]["tokens"]) is is_server
        assert config["server"] is is_server


def test_no_secret_value_is_in_any_rendered_file_command_or_plain_input(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    hashicorp_secrets = [v for k, v in TEST_SECRETS.items() if k.startswith(("consul", "nomad", "vault"))]
    for file in ev.files:
        for secret in hashicorp_secrets:
            assert secret not in file.content, file.path
    for resource in ev.resources:
        text = json.dumps(resource.inputs)
        for secret in hashicorp_secrets:
            assert secret not in text, resource.name
        if resource.type == COMMAND:
            assert all(s not in str(resource.raw_inputs.get("create")) for s in hashicorp_secrets)


@pytest.mark.parametrize("name", ["erenford-consul-acl", "erenford-vault-init", "erenford-vault-configure",
                                  "erenford-nomad-acl", "erenford-nomad-jobs", "erenford-consul-config"])
def test_steps_that_carry_secrets_take_them_on_stdin_with_logging_off(real_evaluation: Evaluation, name: str) -> None:
    resource = step(real_evaluation, name)
    assert resource.inputs["stdin"] == "[secret]"
    assert resource.inputs["logging"] == "none"
    assert "stdout" in resource.additional_secret_outputs


def test_adopted_identities_are_used_instead_of_generated_ones(real_evaluation: Evaluation) -> None:
    """With the live cluster's gossip key and management token set, those go to the nodes (the test secrets)."""
    acl = step(real_evaluation, "erenford-consul-acl").raw_inputs["stdin"]
    assert json.loads(acl)["ManagementToken"] == TEST_SECRETS["consulManagementToken"]
    random_names = {r.name for r in real_evaluation.resources if r.type.startswith("random:")}
    assert "consul-management" not in random_names and "consul-gossip" not in random_names


def test_a_fresh_cluster_gets_generated_identities(real_file_evaluation: Evaluation) -> None:
    random_names = {r.name for r in real_file_evaluation.resources if r.type.startswith("random:")}
    assert {"consul-management", "consul-gossip", "nomad-gossip", "nomad-management", "vault-admin"} <= random_names
