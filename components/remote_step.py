"""The one way this program runs something on a node: a `remote.Command` built from a static script.

`StepRunner.run` injects the host connection, the parent, `add_previous_output_in_env=False`, a trigger
that is the hash of the exact script text, and, for steps that touch secrets, stdin delivery with logging
off and stdout/stderr marked secret. No other module constructs `remote.Command` directly.

`StepRunner.upload` is the one way a file reaches a node by reference (`components.shared_file`): a
`remote.CopyToRemote` with the same connection, parent and `deleted_with` as the node's steps.
"""

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script, digest, render
from components.shared_file import SharedFile
from components.ssh import SshTarget

STEP_DIR = "_steps"  # where `goldentooth render` puts step scripts inside a node's folder


@dataclass(frozen=True)
class StepOptions:
    """Per-step knobs beyond the defaults."""

    depends_on: Sequence[pulumi.Resource] = ()
    extra_triggers: Sequence[pulumi.Input[str]] = ()
    secret_stdout: bool = False
    target: SshTarget | None = None  # override, e.g. unlimited dials after a reboot
    timeout: str | None = None  # e.g. "20m" for long installs
    protect: bool = False
    retain_on_delete: bool = False
    delete: str | None = None  # shell run on delete; forces delete-before-replace
    aliases: Sequence[pulumi.Alias] = field(default_factory=tuple)
    # For one-shot bootstrap steps (kubeadm init): freeze the command after its first run, so later edits
    # of its script neither re-run it nor try to replace a protected step.
    ignore_changes: Sequence[str] = ()


DEFAULT_STEP_OPTIONS = StepOptions()


@dataclass(frozen=True)
class StepRunner:
    """Runs steps on one node, as children of that node's component."""

    node: str
    target: SshTarget
    parent: pulumi.Resource

    def run(
        self,
        name: str,
        script: Script,
        params: Mapping[str, str] | None = None,
        *,
        stdin: pulumi.Input[str] | None = None,
        secret: bool = False,
        options: StepOptions | None = None,
    ) -> remote.Command:
        """Register step `<node>-<name>`. With `secret=True`, `stdin` carries secret material."""
        text = self.script_text(name, script, params)
        options = options or DEFAULT_STEP_OPTIONS
        artifacts.record(self.node, f"{STEP_DIR}/{name}.sh", text, "0755")
        return self.command(name, text, stdin=stdin, secret=secret, options=options)

    def upload(self, name: str, shared: SharedFile, *, options: StepOptions | None = None) -> remote.CopyToRemote:
        """Register `<node>-<name>`: `shared` copied (SFTP, as the SSH user) to its staged path under the
        user's home. Its inputs are the path and hash of one local file, whatever the text's size; a new text
        is a new staged path, so the copy runs again exactly when the text changed. CopyToRemote has no
        delete: the step that installs the file removes older staged copies."""
        options = options or DEFAULT_STEP_OPTIONS
        target = options.target or self.target
        return remote.CopyToRemote(
            f"{self.node}-{name}",
            connection=target.connection(),
            source=shared.asset(),
            remote_path=shared.staged_path,
            opts=pulumi.ResourceOptions(
                parent=self.parent,
                depends_on=list(options.depends_on),
                deleted_with=self.parent,
                aliases=list(options.aliases),
            ),
        )

    def script_text(self, name: str, script: Script, params: Mapping[str, str] | None = None) -> str:
        """The exact text step `name` runs; its sha256 is the step's first trigger. A step that must re-run
        whenever another one does (reboot after a firmware edit) puts that digest in its own triggers."""
        return render(script, params or {}, f"{self.node}/{name}")

    def command(
        self,
        name: str,
        text: str,
        *,
        stdin: pulumi.Input[str] | None = None,
        secret: bool = False,
        options: StepOptions | None = None,
    ) -> remote.Command:
        options = options or DEFAULT_STEP_OPTIONS
        target = options.target or self.target
        sudo = "sudo -n " if target.needs_sudo else ""
        create = f"{sudo}/bin/bash -c {shlex.quote(text)} goldentooth-{name}"
        hides_output = secret or options.secret_stdout
        if secret and stdin is not None:
            stdin = pulumi.Output.secret(stdin)
        return remote.Command(
            f"{self.node}-{name}",
            connection=target.connection(),
            create=create,
            delete=options.delete,
            stdin=stdin,
            triggers=[digest(text), *options.extra_triggers],
            logging=remote.Logging.NONE if hides_output else remote.Logging.STDOUT_AND_STDERR,
            add_previous_output_in_env=False,
            opts=pulumi.ResourceOptions(
                parent=self.parent,
                depends_on=list(options.depends_on),
                additional_secret_outputs=["stdout", "stderr"] if hides_output else None,
                delete_before_replace=options.delete is not None,
                custom_timeouts=pulumi.CustomTimeouts(create=options.timeout, update=options.timeout)
                if options.timeout
                else None,
                protect=options.protect,
                retain_on_delete=options.retain_on_delete,
                deleted_with=self.parent,
                aliases=list(options.aliases),
                ignore_changes=list(options.ignore_changes) or None,
            ),
        )
