"""The one way this program runs something on a node: a `remote.Command` built from a static script.

`StepRunner.run` injects the host connection, the parent, `add_previous_output_in_env=False`, a trigger
that is the hash of the exact script text, and, for steps that touch secrets, stdin delivery with logging
off and stdout/stderr marked secret. No other module constructs `remote.Command` directly.
"""

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script, digest, render
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
    # False for a step whose delete must run even when its parent goes too (lifecycle/: a node's leave steps).
    deleted_with_parent: bool = True
    # False for a step that must not re-run when the node is rebuilt (its create is a no-op marker).
    follows_generation: bool = True


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

    def script_text(self, name: str, script: Script, params: Mapping[str, str] | None = None) -> str:
        """The exact text step `name` runs; its sha256 is the step's first trigger. A step that must re-run
        whenever another one does (reboot after a firmware edit) puts that digest in its own triggers."""
        return render(script, params or {}, f"{self.node}/{name}")

    def shell(self, name: str, text: str, target: SshTarget | None = None) -> str:
        """The command line that runs script `text` on the host: bash, under sudo for a non-root user."""
        sudo = "sudo -n " if (target or self.target).needs_sudo else ""
        return f"{sudo}/bin/bash -c {shlex.quote(text)} goldentooth-{name}"

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
        create = self.shell(name, text, target)
        # A rebuilt node (lifecycle/rebuild.py) has a new generation: its steps re-run from scratch. Protected
        # steps adopt what the disk holds instead (a replace of a protected step would stop the run).
        generation = ([f"generation:{target.generation}"]
                      if target.generation and options.follows_generation and not options.protect else [])
        hides_output = secret or options.secret_stdout
        if secret and stdin is not None:
            stdin = pulumi.Output.secret(stdin)
        return remote.Command(
            f"{self.node}-{name}",
            connection=target.connection(),
            create=create,
            delete=options.delete,
            stdin=stdin,
            triggers=[digest(text), *options.extra_triggers, *generation],
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
                deleted_with=self.parent if options.deleted_with_parent else None,
                aliases=list(options.aliases),
                ignore_changes=list(options.ignore_changes) or None,
            ),
        )
