"""Rules for `command:remote:Command` (and local commands): secrets stay out of logs, state and `ps`.

"Receives a secret" means secret material reaches the process the command starts: a Pulumi-secret
`stdin`, `environment` or command input (only the offline check can see secretness: the engine unwraps
secrets before policies run), a value that contains one of the stack's secret values (offline), or text on
stdin/environment shaped like a secret (PEM private key, kubeconfig credentials, literal password/token).
The SSH `connection` is always secret, but its key is used by the provider to log in and never reaches the
remote process or its output, so it does not count.
"""

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies import offline_context
from policies.common import COMMAND_TYPES, MANDATORY, get, is_map, strings
from policies.secrets_scan import contains_known_secret, secret_shapes

OUTPUTS = ("stdout", "stderr")
COMMAND_FIELDS = ("create", "update", "delete")
# What each `logging` value sends to the engine log; the provider's default logs both.
LOGGED: Mapping[str, frozenset[str]] = {
    "none": frozenset(),
    "stdout": frozenset({"stdout"}),
    "stderr": frozenset({"stderr"}),
    "stdoutAndStderr": frozenset(OUTPUTS),
}
DEFAULT_LOGGING = "stdoutAndStderr"


def _env_values(props: Mapping[str, Any]) -> list[str]:
    env = get(props, "environment")
    return [env[k] for k in env if isinstance(env[k], str)] if is_map(env) else []


def secret_reason(args: ResourceValidationArgs) -> str | None:
    """Why this command receives a secret, or None when it does not."""
    config = args.get_config()
    marked = offline_context.secret_inputs(config, args.urn) & {"stdin", "environment", *COMMAND_FIELDS}
    if marked:
        return f"its {' and '.join(sorted(marked))} input is a Pulumi secret"
    known = offline_context.secret_values(config)
    channels = {"stdin": list(strings(get(args.props, "stdin"))), "environment": _env_values(args.props)}
    for channel, texts in channels.items():
        for text in texts:
            if contains_known_secret(text, known):
                return f"its {channel} carries a secret value of the stack"
            shapes = secret_shapes(text)
            if shapes:
                return f"its {channel} carries {shapes[0]}"
    return None


def _logging(props: Mapping[str, Any]) -> str:
    value = get(props, "logging")
    return value if isinstance(value, str) else DEFAULT_LOGGING


def _validate_secret_output(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in COMMAND_TYPES:
        return
    logging = _logging(args.props)
    logged = LOGGED.get(logging, frozenset(OUTPUTS))
    declared = {o for o in OUTPUTS if o in list(args.opts.additional_secret_outputs or ())}
    reason = secret_reason(args)
    if reason is not None:
        problems = []
        if logged:
            problems.append(f"logging is {logging!r} (must be 'none')")
        missing = [o for o in OUTPUTS if o not in declared]
        if missing:
            problems.append(f"{' and '.join(missing)} not in additional_secret_outputs")
        if problems:
            report(f"{args.name} receives a secret ({reason}) but {'; '.join(problems)}.", None)
        return
    leaked = sorted(declared & logged)
    if leaked:
        report(
            f"{args.name} marks {' and '.join(leaked)} secret but logging is {logging!r}, "
            "which prints them to the engine log.",
            None,
        )


def _validate_command_strings(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in COMMAND_TYPES:
        return
    config = args.get_config()
    built_from_secret = offline_context.secret_inputs(config, args.urn) & {*COMMAND_FIELDS, "environment", "triggers"}
    for field in sorted(built_from_secret):
        report(f"{args.name}: the {field} input is built from a Pulumi secret; pass secrets on stdin.", None)
    known = offline_context.secret_values(config)
    fields: list[tuple[str, Any]] = [(f, get(args.props, f)) for f in COMMAND_FIELDS]
    fields += [("environment", _env_values(args.props)), ("triggers", get(args.props, "triggers"))]
    for field, value in fields:
        if field in built_from_secret:
            continue
        for text in strings(value):
            if contains_known_secret(text, known):
                report(f"{args.name}: {field} contains a secret value of the stack.", None)
                break
            shapes = secret_shapes(text)
            if shapes:
                report(f"{args.name}: {field} contains {', '.join(shapes)}.", None)
                break


def _validate_previous_output(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in COMMAND_TYPES:
        return
    value = get(args.props, "addPreviousOutputInEnv")
    if value is not False:
        shown = "unset (the provider defaults to true)" if value is None else repr(value)
        report(f"{args.name}: addPreviousOutputInEnv is {shown}.", None)


secret_output_hidden = ResourceValidationPolicy(
    name="command-secret-output-hidden",
    description="A command that receives a secret runs with logging 'none' and stdout/stderr as secret outputs.",
    enforcement_level=MANDATORY,
    validate=_validate_secret_output,
    remediation_steps=(
        "Run the step through StepRunner.run(..., secret=True) (or write_file(..., secrets=...)), which sets "
        "logging=NONE and additional_secret_outputs=['stdout', 'stderr']; never mark an output secret while logging it."
    ),
)

no_secret_in_command_line = ResourceValidationPolicy(
    name="command-no-secret-in-command-line",
    description="No secret material in a command's create/update/delete, environment or triggers.",
    enforcement_level=MANDATORY,
    validate=_validate_command_strings,
    remediation_steps=(
        "Command lines show in `ps`, diffs and the plan; hand the secret to the script on stdin "
        "(StepRunner.run(stdin=..., secret=True) or a {{secret:NAME}} placeholder with write_file)."
    ),
)

no_previous_output_in_env = ResourceValidationPolicy(
    name="command-no-previous-output-in-env",
    description="Commands set addPreviousOutputInEnv to false.",
    enforcement_level=MANDATORY,
    validate=_validate_previous_output,
    remediation_steps=(
        "Set add_previous_output_in_env=False (StepRunner does): otherwise the previous stdout/stderr, "
        "possibly a kubeconfig or token, is copied into the next run's environment."
    ),
)

POLICIES = [secret_output_hidden, no_secret_in_command_line, no_previous_output_in_env]
