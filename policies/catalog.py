"""Every rule of the pack, in one list: `policies/__main__.py` serves it to the Pulumi CLI and
`goldentooth check` runs it over the offline evaluation."""

from pulumi_policy import Policy

from policies import aws_rules, command_rules, identity_rules, kubernetes_rules, stack_rules, state_rules

POLICIES: list[Policy] = [
    *aws_rules.POLICIES,
    *command_rules.POLICIES,
    *state_rules.POLICIES,
    *identity_rules.POLICIES,
    *kubernetes_rules.POLICIES,
    *stack_rules.POLICIES,
]
PACK_NAME = "goldentooth"
