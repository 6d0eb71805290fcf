"""State safety: anything that holds durable state is protected, so no replace or delete can destroy it.

`protect` is required. `retain_on_delete` is not enough on its own: pulumi-policy 1.21.0 hands policies a
`PolicyResourceOptions` without a retainOnDelete field, so a policy can never tell a retained resource from
an unguarded one, and `protect` also stops replacements, which retain_on_delete does not.
"""

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies.common import MANDATORY
from policies.stateful import state_held


def _validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    what = state_held(args.resource_type, args.props)
    if what is not None and not args.opts.protect:
        report(f"{args.name} holds state ({what}) but is not protected.", None)


stateful_protected = ResourceValidationPolicy(
    name="stateful-resources-protected",
    description="Resources holding durable state (ZFS pools, data disks, Vault storage, etcd, KMS keys, "
    "the Route53 zone, data buckets) are protected.",
    enforcement_level=MANDATORY,
    validate=_validate,
    remediation_steps=(
        "Set protect=True (StepOptions(protect=True) for a step; ResourceOptions(protect=True) otherwise), "
        "ideally with retain_on_delete=True too. A bucket that holds nothing durable can be tagged "
        "goldentooth:stateful=false instead."
    ),
)

POLICIES = [stateful_protected]
