"""offline/check.py builds the SDK's argument types from recorded resources the way the analyzer does."""

from dataclasses import replace

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import rpc
from pulumi_command import remote
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from offline.check import policy_resources, secret_context
from offline.evaluate import Evaluation
from policies import offline_context
from tests.policy_support import record, with_resources

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"


def _program() -> None:
    parent = pulumi.ComponentResource("goldentooth:test:Holder", "holder")
    bucket = aws.s3.Bucket("data", opts=pulumi.ResourceOptions(parent=parent, protect=True, retain_on_delete=True))
    aws.s3.BucketVersioning("data", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    remote.Command("step", connection=remote.ConnectionArgs(host="10.4.0.10", private_key=pulumi.Output.secret(KEY)),
                   create="vault login -", stdin=pulumi.Output.secret("hunter2-but-longer"), logging=remote.Logging.NONE,
                   add_previous_output_in_env=False, opts=pulumi.ResourceOptions(additional_secret_outputs=["stdout"]))


def _empty(real: Evaluation) -> Evaluation:
    return replace(real, resources=())


def _by_name(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    return {f"{r.resource_type.rsplit(':', 1)[-1]}/{r.name}": r for r in resources}


def test_options_parents_and_edges_are_mapped(real_evaluation: Evaluation) -> None:
    rs = _by_name(policy_resources(with_resources(_empty(real_evaluation), record(_program))))
    bucket, versioning, step = rs["Bucket/data"], rs["BucketVersioning/data"], rs["Command/step"]
    assert bucket.opts.protect is True
    assert not hasattr(bucket.opts, "retain_on_delete")  # the SDK type has no such field; rules cannot see it
    assert bucket.parent is rs["Holder/holder"] and bucket.opts.parent == rs["Holder/holder"].urn
    assert [d.urn for d in versioning.property_dependencies["bucket"]] == [bucket.urn]
    assert bucket in versioning.dependencies
    assert list(step.opts.additional_secret_outputs) == ["stdout", "connection"]
    assert step.props["stdin"] == "hunter2-but-longer"  # unwrapped, as the engine hands them over
    assert step.props["connection"]["host"] == "10.4.0.10"


def test_secret_context_names_secret_inputs_and_values_but_not_connection_hosts(real_evaluation: Evaluation) -> None:
    ev = with_resources(_empty(real_evaluation), record(_program))
    context = secret_context(ev, None)
    step = next(r for r in ev.resources if r.name == "step")
    assert offline_context.secret_inputs(context, step.urn) == {"stdin", "connection"}
    assert offline_context.secret_values(context) == {"hunter2-but-longer", KEY}


def test_values_unknown_in_preview_raise_through_the_proxy(real_evaluation: Evaluation) -> None:
    def program() -> None:
        aws.iam.Policy("p", policy='{"Statement": []}')

    # A preview records a computed input as the engine's unknown sentinel; the adapter must keep it unknown.
    recorded = [replace(r, raw_inputs={"policy": rpc.UNKNOWN}) for r in record(program)]
    [policy] = policy_resources(with_resources(_empty(real_evaluation), recorded))
    with pytest.raises(UnknownValueError):
        policy.props["policy"]
