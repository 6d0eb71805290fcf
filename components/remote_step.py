"""The one way this program runs something on a node: a `remote.Command` built from a static script.

`StepRunner.run` injects the host connection, the parent, `add_previous_output_in_env=False`, a trigger
that is the hash of the exact script text, and, for steps that touch secrets, stdin delivery with logging
off and stdout/stderr marked secret. No other module constructs `remote.Command` directly.

What re-runs (pulumi-command 1.2.1: a change of `triggers` replaces, which runs `create`; a change of any other
input updates, which runs `update`, or `create` when there is none; an input in `ignore_changes` keeps its value
from state, for updates and replacements alike):
- an ordinary step carries everything that is work in its replacing inputs (the script's digest and the extra
  triggers in `triggers`; `stdin` through `replace_on_changes`, unless the step is protected) and an `update` that
  does nothing on the node. A change of the connection alone (key, user, agent, host keys, bastion, dial limits)
  is then an update that dials the node once with the new connection, runs `true` and stores the connection.
- a frozen step (create and triggers ignored: kubeadm init, Vault init) never runs again; it also ignores its
  connection (no run would use it, and it has no delete), and has no `update`, which would replace its stdout.
- a step that is re-run by updates (its stdout is read by others, or its triggers are frozen so that edits update
  it in place) has no `update`: a connection change re-runs its script, which is a read or idempotent checks.
  Ignoring its connection instead would make every later run dial with the connection of its first run.

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
    # Other resources read this step's stdout (a kubeconfig, a CA's identity): an update must not replace it.
    keeps_output: bool = False
    # False for a step whose delete must run even when its parent goes too (lifecycle/: a node's leave steps).
    deleted_with_parent: bool = True
    # False for a step that must not re-run when the node is rebuilt (its create is a no-op marker).
    follows_generation: bool = True
    # Its create changes nothing (lifecycle/: a leave step records its membership; its delete is the work): every
    # update, a connection change included, runs the no-work update, and nothing ever replaces it (a replacement
    # would run its delete).
    marker: bool = False

    @property
    def frozen(self) -> bool:
        """Never runs again after its first run."""
        return "create" in self.ignore_changes and "triggers" in self.ignore_changes

    @property
    def reruns_on_update(self) -> bool:
        """An update must run its script (see the module's docstring)."""
        return not self.marker and (self.frozen or self.keeps_output or "triggers" in self.ignore_changes)


NO_WORK_UPDATE = "true"  # the update of an ordinary step: its inputs that mean work all replace it


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
        in_place = options.reruns_on_update
        if options.frozen and options.delete is not None:
            raise ValueError(f"step {self.node}-{name}: a frozen step ignores connection changes, so its delete "
                             "would dial with a stale connection; give it no delete command")
        ignore = [*options.ignore_changes, "connection"] if options.frozen else list(options.ignore_changes)
        replace_on = ["stdin"] if stdin is not None and not in_place and not options.protect and not options.marker else []
        return remote.Command(
            f"{self.node}-{name}",
            connection=target.connection(),
            create=create,
            update=None if in_place else NO_WORK_UPDATE,
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
                ignore_changes=ignore or None,
                replace_on_changes=replace_on or None,
            ),
        )
