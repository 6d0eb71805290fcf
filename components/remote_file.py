"""A file on a node with mode and owner, written only when its content differs.

Content travels on stdin, never in the command line. Secrets stay out of the template: write
`{{secret:NAME}}` where a secret belongs and pass `secrets={"NAME": output}`; the substitution happens
inside a secret Output, so state, logs and `goldentooth render` only ever see the placeholder.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pulumi
from pulumi_command import remote

from components import artifacts
from components.remote_step import DEFAULT_STEP_OPTIONS, StepOptions, StepRunner
from components.script import Script, digest, render
from components.shared_file import SharedFile, publish

_WRITE_FILE = Script.beside(__file__, "shell/write_file.sh")
_WRITE_SHARED_FILE = Script.beside(__file__, "shell/write_shared_file.sh")


def secret_placeholder(name: str) -> str:
    return "{{secret:" + name + "}}"


@dataclass(frozen=True)
class FileSpec:
    path: str
    content: str
    mode: str = "0644"
    owner: str = "root"
    group: str = "root"
    validate: str = ""  # shell with the candidate file as "$1", e.g. 'haproxy -c -f "$1"'
    on_change: str = ""  # shell run after the file changed, e.g. 'systemctl reload haproxy'


def write_file(
    runner: StepRunner,
    name: str,
    spec: FileSpec,
    *,
    secrets: Mapping[str, pulumi.Output[str]] | None = None,
    options: StepOptions = DEFAULT_STEP_OPTIONS,
) -> remote.Command:
    params = _install_params(spec)
    missing = [key for key in (secrets or {}) if secret_placeholder(key) not in spec.content]
    if missing:
        raise ValueError(f"{spec.path}: secrets {missing} have no placeholder in the template")
    artifacts.record(runner.node, spec.path, spec.content, spec.mode)
    text = render(_WRITE_FILE, params, f"{runner.node}/{name}")
    artifacts.record(runner.node, f"_steps/{name}.sh", text, "0755")
    # The template's hash rides in the triggers so a content edit replaces the step even though
    # the command line itself (which never contains the content) did not change.
    triggers = (digest(spec.content), *options.extra_triggers)
    step_options = replace(options, extra_triggers=triggers)
    if not secrets:
        return runner.command(name, text, stdin=spec.content, options=step_options)
    keys = sorted(secrets)
    filled = pulumi.Output.all(*(secrets[k] for k in keys)).apply(
        lambda values: _fill(spec.content, dict(zip(keys, values, strict=True)))
    )
    return runner.command(name, text, stdin=filled, secret=True, options=step_options)


def _install_params(spec: FileSpec) -> dict[str, str]:
    """Where and how a file is installed (write_file.sh and write_shared_file.sh read the same names)."""
    if not spec.path.startswith("/"):
        raise ValueError(f"remote file path {spec.path!r} must be absolute")
    return {"GT_PATH": spec.path, "GT_MODE": spec.mode, "GT_OWNER": spec.owner, "GT_GROUP": spec.group,
            "GT_VALIDATE": spec.validate, "GT_ON_CHANGE": spec.on_change}


def _fill(template: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(secret_placeholder(key), value)
    return template


def write_shared_file(
    runner: StepRunner,
    name: str,
    spec: FileSpec,
    shared: SharedFile,
    *,
    options: StepOptions = DEFAULT_STEP_OPTIONS,
) -> remote.Command:
    """Like `write_file`, for a file with the same text on many nodes (`shared.content == spec.content`, no
    secrets): the text travels by reference (components.shared_file), so this node's inputs are the same size
    whatever the text's. Registers `<node>-<name>-upload` (the staged copy) and `<node>-<name>` (installs it).
    Create `shared` once for all nodes: its digest is computed once."""
    install = _install_params(spec)
    if shared.content != spec.content:
        raise ValueError(f"{spec.path}: the shared file {shared.name} holds another text")
    artifacts.record(runner.node, spec.path, spec.content, spec.mode)
    upload = runner.upload(f"{name}-upload", publish(shared), options=StepOptions(depends_on=options.depends_on))
    params = {"GT_NODE": runner.node, **install, "GT_SOURCE": shared.staged_path, "GT_SOURCE_SHA256": shared.digest}
    return runner.run(name, _WRITE_SHARED_FILE, params,
                      options=replace(options, depends_on=(*options.depends_on, upload)))
