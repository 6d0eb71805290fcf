"""Remote-command rules: compliant steps come from the real StepRunner/write_file; violating ones are
commands built by hand the way a careless layer would."""

from collections.abc import Callable

import pulumi
import pytest
from pulumi_command import remote
from pydantic import SecretStr

from components.remote_file import FileSpec, secret_placeholder, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from components.ssh import SshTarget
from config.secrets import SecretValues
from offline.check import Finding, check
from offline.evaluate import Evaluation
from policies import command_rules
from tests.policy_support import record, resource_args, violations, with_resources

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
TOKEN = "TEST-SECRET-vault-token-5up3rs3cr3t"
SCRIPT = Script.beside(__file__, "../components/shell/write_file.sh")
RULES = {p.name for p in command_rules.POLICIES}


class _Host(pulumi.ComponentResource):
    def __init__(self) -> None:
        super().__init__("goldentooth:nodes:Node", "testhost", None)
        self.register_outputs({})


def _runner() -> StepRunner:
    target = SshTarget(host="10.4.0.99", user="root", private_key=pulumi.Output.secret(KEY))
    return StepRunner("testhost", target, _Host())


def _connection() -> remote.ConnectionArgs:
    return remote.ConnectionArgs(host="10.4.0.99", user="root", private_key=pulumi.Output.secret(KEY))


def _findings(base: Evaluation, program: Callable[[], None], secrets: SecretValues | None = None) -> list[Finding]:
    ev = with_resources(base, record(program))
    return [f for f in check(ev, secrets=secrets) if f.policy in RULES]


def test_steps_from_the_step_runner_and_write_file_pass_every_command_rule(real_evaluation: Evaluation) -> None:
    def program() -> None:
        runner = _runner()
        token = pulumi.Output.secret(TOKEN)
        runner.run("plain", SCRIPT, {"GT_PATH": "/etc/motd"})
        runner.run("with-secret", SCRIPT, {"GT_PATH": "/etc/vault/token"}, stdin=token, secret=True)
        runner.run("kubeconfig", SCRIPT, {"GT_PATH": "/tmp/x"}, options=StepOptions(secret_stdout=True))
        write_file(runner, "motd", FileSpec("/etc/motd", "hello\n"))
        write_file(runner, "vault-env", FileSpec("/etc/vault.env", f"VAULT_TOKEN={secret_placeholder('T')}\n"),
                   secrets={"T": token})

    assert _findings(real_evaluation, program, SecretValues({"t": SecretStr(TOKEN)})) == []


def test_secret_stdin_with_logging_on_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        remote.Command("leaky", connection=_connection(), create="vault login -", stdin=pulumi.Output.secret(TOKEN),
                       add_previous_output_in_env=False)

    [finding] = _findings(real_evaluation, program)
    assert finding.policy == "command-secret-output-hidden" and finding.mandatory
    assert finding.message == (
        "leaky receives a secret (its stdin input is a Pulumi secret) but logging is 'stdoutAndStderr' "
        "(must be 'none'); stdout and stderr not in additional_secret_outputs."
    )


def test_secret_stdin_with_logging_off_but_plain_outputs_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        remote.Command("half", connection=_connection(), create="vault login -", stdin=pulumi.Output.secret(TOKEN),
                       logging=remote.Logging.NONE, add_previous_output_in_env=False,
                       opts=pulumi.ResourceOptions(additional_secret_outputs=["stdout"]))

    [finding] = _findings(real_evaluation, program)
    assert finding.message.endswith("but stderr not in additional_secret_outputs.")


def test_private_key_on_plain_stdin_counts_as_a_secret_without_the_offline_context() -> None:
    props = {"create": "install -m600 /dev/stdin /root/.ssh/id", "stdin": KEY, "logging": "stdout",
             "addPreviousOutputInEnv": False}
    found = violations(command_rules.secret_output_hidden, resource_args("command:remote:Command", props))
    assert found == [
        "subject receives a secret (its stdin carries a PEM private key) but logging is 'stdout' (must be 'none'); "
        "stdout and stderr not in additional_secret_outputs."
    ]


def test_the_ssh_connection_alone_is_not_receiving_a_secret() -> None:
    props = {"create": "uptime", "connection": {"host": "10.4.0.10", "privateKey": KEY}, "addPreviousOutputInEnv": False}
    assert violations(command_rules.secret_output_hidden, resource_args("command:remote:Command", props)) == []


def test_secret_output_that_is_logged_anyway_is_reported() -> None:
    props = {"create": "cat /etc/kubernetes/admin.conf", "logging": "stdoutAndStderr", "addPreviousOutputInEnv": False}
    args = resource_args("command:remote:Command", props, secret_outputs=["stdout", "stderr"])
    assert violations(command_rules.secret_output_hidden, args) == [
        "subject marks stderr and stdout secret but logging is 'stdoutAndStderr', which prints them to the engine log."
    ]


def test_command_line_built_from_a_secret_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        remote.Command("inline", connection=_connection(), create=pulumi.Output.concat("vault login ", pulumi.Output.secret(TOKEN)),
                       logging=remote.Logging.NONE, add_previous_output_in_env=False,
                       opts=pulumi.ResourceOptions(additional_secret_outputs=["stdout", "stderr"]))

    findings = _findings(real_evaluation, program)
    assert [(f.policy, f.message) for f in findings] == [
        ("command-no-secret-in-command-line", "inline: the create input is built from a Pulumi secret; pass secrets on stdin.")
    ]
    assert all(TOKEN not in f.message for f in findings)


def test_known_secret_value_pasted_into_a_plain_command_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        remote.Command("pasted", connection=_connection(), create=f"vault login {TOKEN}", add_previous_output_in_env=False)

    findings = _findings(real_evaluation, program, SecretValues({"vaultToken": SecretStr(TOKEN)}))
    assert [(f.policy, f.message) for f in findings] == [
        ("command-no-secret-in-command-line", "pasted: create contains a secret value of the stack.")
    ]


@pytest.mark.parametrize(
    "create,kind",
    [
        (f"printf '%s' '{KEY}' > /root/.ssh/id", "a PEM private key"),
        ("mysql --password=hunter2hunter2 -e 'select 1'", "a literal --password argument"),
        ("echo 'password=correcthorsebattery' >> /etc/app.conf", "a literal password assignment"),
        ("kubeadm join cp:6443 --token abcdef.0123456789abcdef", "a literal --token argument"),
    ],
)
def test_secret_shaped_command_lines_are_reported(create: str, kind: str) -> None:
    args = resource_args("command:remote:Command", {"create": create, "addPreviousOutputInEnv": False})
    found = violations(command_rules.no_secret_in_command_line, args)
    assert len(found) == 1 and kind in found[0]


@pytest.mark.parametrize(
    "create",
    [
        'password="$(cat)"; vault login - <<<"$password"',
        "export GT_TOKEN_FILE='/etc/consul.d/token'",
        "token: {{secret:consulToken}}",
        "secret: /etc/vault/secret.hcl",
        "grep -q 'BEGIN CERTIFICATE' /etc/ssl/ca.pem",
    ],
)
def test_expansions_paths_and_placeholders_are_not_secrets(create: str) -> None:
    args = resource_args("command:remote:Command", {"create": create, "addPreviousOutputInEnv": False})
    assert violations(command_rules.no_secret_in_command_line, args) == []


def test_previous_output_in_env_must_be_false() -> None:
    ok = resource_args("command:remote:Command", {"create": "true", "addPreviousOutputInEnv": False})
    assert violations(command_rules.no_previous_output_in_env, ok) == []
    on = resource_args("command:remote:Command", {"create": "true", "addPreviousOutputInEnv": True})
    assert violations(command_rules.no_previous_output_in_env, on) == ["subject: addPreviousOutputInEnv is True."]


def test_previous_output_in_env_left_to_the_provider_default_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        remote.Command("defaulted", connection=_connection(), create="uptime")

    findings = _findings(real_evaluation, program)
    assert [(f.policy, f.message) for f in findings] == [
        ("command-no-previous-output-in-env", "defaulted: addPreviousOutputInEnv is unset (the provider defaults to true).")
    ]
