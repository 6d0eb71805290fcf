"""The operator's account (`cluster.operatorUser`): it exists with a home and bash, may sudo without a password
(a validated sudoers drop-in, as the Ansible era's `/etc/sudoers` line), and logs in with the keys from config.

An account that exists is adopted as it is (its uid, groups and password are not touched). The keys are kept
in a marked block of its authorized_keys, so keys the operator added by hand stay; with no keys in config the
file is left alone.
"""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script
from nodes.os.context import StepContext, after

SUDOERS = "/etc/sudoers.d/goldentooth-operator"
BEGIN = "# BEGIN goldentooth operator keys (managed by Pulumi; edits are overwritten)"
END = "# END goldentooth operator keys"
_SCRIPT = Script.beside(__file__, "operator.sh")


def sudoers_line(user: str) -> str:
    return f"# goldentooth (managed)\n{user} ALL=(ALL) NOPASSWD: ALL\n"


def operator_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    cluster = ctx.cluster.cluster
    sudoers = sudoers_line(cluster.operator_user)
    artifacts.record(ctx.name, SUDOERS, sudoers, "0440")
    keys = "\n".join([BEGIN, *cluster.operator_authorized_keys, END]) + "\n" if cluster.operator_authorized_keys else ""
    params = {
        "GT_USER": cluster.operator_user,
        "GT_SUDOERS_FILE": SUDOERS,
        "GT_SUDOERS": sudoers,
        "GT_BEGIN": BEGIN,
        "GT_END": END,
        "GT_KEYS_BLOCK": keys,
    }
    return ctx.runner.run("operator-user", _SCRIPT, params, options=after(*deps))
