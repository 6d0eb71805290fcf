"""`Accounting`: slurmdbd with a local MariaDB on `batch.slurm.accounting.node`, when accounting is on.

The database password is generated (pulumi-random) and reaches the node on stdin twice: to MariaDB (the step
that creates the user) and into slurmdbd.conf (0600 slurm, a secret placeholder in the rendered file).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from batch.slurm.conf import SLURMDBD_CONF, slurmdbd_conf
from components.apt import pinned
from components.remote_file import FileSpec, secret_placeholder, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from config.batch import SlurmSettings

_DBD = Script.beside(__file__, "slurmdbd.sh")
_DBD_START = Script.beside(__file__, "slurmdbd_start.sh")
_PASSWORD = "SLURMDBD_STORAGE_PASSWORD"


@dataclass(frozen=True)
class AccountingArgs:
    settings: SlurmSettings
    runner: StepRunner  # the accounting node's
    after: Sequence[pulumi.Resource]


class Accounting(pulumi.ComponentResource):
    ready: pulumi.Resource

    def __init__(self, name: str, args: AccountingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:batch:SlurmAccounting", name, None, opts)
        settings, runner, after = args.settings, args.runner, args.after
        inner = StepRunner(runner.node, runner.target, self)
        password = random.RandomPassword(
            "slurmdbd-password", length=32, special=False, opts=pulumi.ResourceOptions(parent=self, protect=True)
        )
        database = inner.run(
            "slurmdbd-database",
            _DBD,
            {"GT_PACKAGES": pinned({"mariadb-server": None, "slurmdbd": settings.version})},
            stdin=password.result,
            secret=True,
            options=StepOptions(depends_on=list(after), timeout="20m"),
        )
        conf = write_file(
            inner,
            "slurmdbd-conf",
            FileSpec(SLURMDBD_CONF, slurmdbd_conf(settings, secret_placeholder(_PASSWORD)), mode="0600",
                     owner="slurm", group="slurm", on_change="systemctl try-restart slurmdbd"),
            secrets={_PASSWORD: password.result},
            options=StepOptions(depends_on=[database]),
        )
        self.ready = inner.run("slurmdbd-start", _DBD_START, options=StepOptions(depends_on=[conf]))
        self.register_outputs({"node": runner.node})
