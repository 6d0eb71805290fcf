"""`Slurm`: munge with one generated key, Debian's Slurm configured from the inventory, Lmod's module files.

Per node, in order: munge (key on stdin) -> packages -> slurm.conf, cgroup.conf, gres.conf and Lmod's module
path -> on compute nodes the `slurmd -C` check -> start. The first controller makes the shared tree on NFS
and writes the module files. Controllers start one at a time in `roles.slurm.controllers` order, each after
the previous one answers `scontrol ping`; compute nodes start after the primary.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_random as random
from pulumi_command import remote

from batch.slurm import exporter
from batch.slurm.accounting import Accounting, AccountingArgs
from batch.slurm.conf import (
    CGROUP_CONF,
    GRES_CONF,
    LOG_DIR,
    SLURM_CONF,
    SLURMD_SPOOL,
    cgroup_conf,
    compute_nodes,
    gres_conf,
    slurm_conf,
)
from batch.slurm.modules import MODULESPATH_FILE, module_files, modulefiles_dir, modulespath
from components.apt import pinned
from components.remote_file import FileSpec, write_file, write_shared_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from components.shared_file import SharedFile
from components.systemd_unit import Unit, record_units, unit_params
from config.batch import SlurmSettings
from config.spec import ClusterSpec
from nodes.node import Node

MUNGE_VERSION = "0.5.15"  # bookworm's munge, the one slurm-wlm 22.05.8 is built against
MUNGE_KEY_BYTES = 128  # what `mungekey` creates by default (1024 bits)

_MUNGE = Script.beside(__file__, "munge.sh")
_INSTALL = Script.beside(__file__, "install.sh")
_SHARED = Script.beside(__file__, "shared_dirs.sh")
_CHECK = Script.beside(__file__, "check_node.sh")
_START = Script.beside(__file__, "start.sh")
_EXPORTER = Script.beside(__file__, "exporter.sh")


@dataclass(frozen=True)
class SlurmArgs:
    spec: ClusterSpec
    settings: SlurmSettings
    nodes: Mapping[str, Node]


def slurm_members(spec: ClusterSpec) -> tuple[str, ...]:
    """Every node that runs a Slurm daemon, in inventory order."""
    roles = spec.roles.slurm
    assert roles is not None
    wanted = set(roles.controllers) | set(roles.compute)
    return tuple(n.name for n in spec.nodes if n.name in wanted)


def packages(spec: ClusterSpec, settings: SlurmSettings, node: str) -> str:
    roles = spec.roles.slurm
    assert roles is not None
    wanted: dict[str, str | None] = {"slurm-client": settings.version, "lmod": settings.lmod_version}
    if node in roles.controllers:
        wanted["slurmctld"] = settings.version
    if node in roles.compute:
        wanted["slurmd"] = settings.version
        wanted["openmpi-bin"] = None  # the distribution's, for the OpenMPI module
    return pinned(wanted)


def restart_command(spec: ClusterSpec, node: str) -> str:
    """After a config change: restart what runs; a running controller is waited for until it answers again."""
    roles = spec.roles.slurm
    assert roles is not None
    daemons = [d for d, on in (("slurmctld", node in roles.controllers), ("slurmd", node in roles.compute)) if on]
    command = f"systemctl try-restart {' '.join(daemons)}"
    if node in roles.controllers:
        command += (
            "; if systemctl is-active --quiet slurmctld; then for _ in $(seq 1 60); do "
            f'case "$(scontrol ping 2>&1 || true)" in *"at {node} is UP"*) exit 0 ;; esac; sleep 2; done; '
            f'echo "error: {node}: slurmctld does not answer after the restart" >&2; exit 1; fi'
        )
    return command


class Slurm(pulumi.ComponentResource):
    started: dict[str, remote.Command]  # node -> its start step

    def __init__(self, name: str, args: SlurmArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:batch:Slurm", name, None, opts)
        spec, settings = args.spec, args.settings
        roles = spec.roles.slurm
        assert roles is not None
        # One key for the whole cluster, so every node holds the same bytes by construction. Protected: a new
        # key would lock every daemon out until all nodes have it.
        key = random.RandomBytes(
            "munge-key", length=MUNGE_KEY_BYTES, opts=pulumi.ResourceOptions(parent=self, protect=True)
        )
        shape = {n.name: n for n in compute_nodes(spec, settings)}
        # The same text on every Slurm node: shipped by reference, so no node's inputs grow with the others.
        conf = SharedFile("slurm.conf", slurm_conf(spec, settings))
        gres = SharedFile("gres.conf", gres_conf(spec, settings))
        primary = roles.controllers[0]
        runners = {n: args.nodes[n].runner_under(self) for n in slurm_members(spec)}
        installed: dict[str, remote.Command] = {}
        configured: dict[str, list[pulumi.Resource]] = {}
        checked: dict[str, list[pulumi.Resource]] = {}
        for node, runner in runners.items():
            munge = runner.run(
                "munge",
                _MUNGE,
                {"GT_MUNGE_VERSION": MUNGE_VERSION, "GT_REPLACE_KEY": "yes" if settings.replace_munge_key else "no"},
                stdin=key.base64,
                secret=True,
                options=StepOptions(depends_on=list(args.nodes[node].os_ready), timeout="15m"),
            )
            installed[node] = runner.run(
                "slurm-install",
                _INSTALL,
                {"GT_PACKAGES": packages(spec, settings, node), "GT_SPOOL_DIR": SLURMD_SPOOL, "GT_LOG_DIR": LOG_DIR},
                options=StepOptions(depends_on=[munge], timeout="20m"),
            )
            if node not in roles.controllers:
                configured[node] = self._files(runner, spec, settings, node, (conf, gres), [installed[node]])
            if node in shape:
                checked[node] = [runner.run(
                    "slurmd-check",
                    _CHECK,
                    {"GT_NODE_NAME": node, "GT_CPUS": str(shape[node].cpus),
                     "GT_REAL_MEMORY": str(shape[node].real_memory)},
                    options=StepOptions(depends_on=[installed[node]]),
                )]
        shared = runners[primary].run(
            "slurm-shared-dirs",
            _SHARED,
            {"GT_SHARED_ROOT": settings.shared_root, "GT_STATE_DIR": settings.state_save_location,
             "GT_REQUIRE_NFS": "yes" if len(roles.controllers) > 1 else "no"},
            options=StepOptions(depends_on=[installed[primary]]),
        )
        modules = [
            write_file(
                runners[primary],
                f"lmod-module-{path.removesuffix('.lua').replace('/', '-').lower()}",
                FileSpec(f"{modulefiles_dir(settings)}/{path}", text, owner="slurm", group="slurm"),
                options=StepOptions(depends_on=[shared]),
            )
            for path, text in sorted(module_files(spec, settings).items())
        ]
        accounting: Sequence[pulumi.Resource] = ()
        if settings.accounting is not None:
            node = settings.accounting.node  # a Slurm node (config/batch.py): it has munge and the packages
            accounting = (Accounting("slurmdbd", AccountingArgs(settings, runners[node], [installed[node]]),
                                     pulumi.ResourceOptions(parent=self)).ready,)
        self.started = {}
        previous: list[pulumi.Resource] = []
        for node in roles.controllers:
            # A controller's files (and the restart a change brings, which waits until it answers) come after the
            # previous controller's: on an edit they restart one at a time, never all three together.
            configured[node] = self._files(runners[node], spec, settings, node, (conf, gres),
                                           [installed[node], *previous])
            self.started[node] = runners[node].run(
                "slurm-start",
                _START,
                {"GT_NODE_NAME": node, "GT_CONTROLLER": "yes", "GT_COMPUTE": "yes" if node in shape else "no"},
                options=StepOptions(depends_on=[*configured[node], *checked.get(node, []), shared, *modules,
                                                *accounting, *previous]),
            )
            previous = [self.started[node], *configured[node]]
        for node in runners:
            if node in roles.controllers:
                continue
            self.started[node] = runners[node].run(
                "slurm-start",
                _START,
                {"GT_NODE_NAME": node, "GT_CONTROLLER": "no", "GT_COMPUTE": "yes"},
                options=StepOptions(depends_on=[*configured[node], *checked.get(node, []), self.started[primary]]),
            )
        if settings.exporter is not None:
            for node in roles.controllers:
                units = [Unit(exporter.UNIT, exporter.unit_text(settings.exporter, str(spec.node(node).ip)),
                              enable=True, start=True)]
                record_units(node, units)
                runners[node].run(
                    "slurm-exporter",
                    _EXPORTER,
                    {"GT_EXPORTER_URL": settings.exporter.release_url(spec.node(node).architecture),
                     "GT_EXPORTER_SHA256": settings.exporter.sha256[spec.node(node).architecture],
                     "GT_EXPORTER_PREFIX": exporter.prefix(settings.exporter), **unit_params(units)},
                    options=StepOptions(depends_on=[self.started[node]]),
                )
        self.register_outputs({"controllers": list(roles.controllers), "compute": list(roles.compute)})

    @staticmethod
    def _files(
        runner: StepRunner,
        spec: ClusterSpec,
        settings: SlurmSettings,
        node: str,
        shared: tuple[SharedFile, SharedFile],
        after: Sequence[pulumi.Resource],
    ) -> list[pulumi.Resource]:
        restart = restart_command(spec, node)
        conf, gres = shared
        options = StepOptions(depends_on=list(after))
        return [
            write_shared_file(runner, "slurm-conf", FileSpec(SLURM_CONF, conf.content, on_change=restart), conf,
                              options=options),
            write_file(runner, "slurm-cgroup-conf", FileSpec(CGROUP_CONF, cgroup_conf(), on_change=restart),
                       options=options),
            write_shared_file(runner, "slurm-gres-conf", FileSpec(GRES_CONF, gres.content, on_change=restart), gres,
                              options=options),
            write_file(runner, "lmod-modulespath", FileSpec(MODULESPATH_FILE, modulespath(settings)),
                       options=options),
        ]
