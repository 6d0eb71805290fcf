"""journald keeps at most 256 MB of logs: an SD card fills up and wears out otherwise."""

import pulumi
from pulumi_command import remote

from components.remote_file import FileSpec, write_file
from nodes.os.context import StepContext, after

DROP_IN = "/etc/systemd/journald.conf.d/60-goldentooth.conf"
CONF = "# goldentooth (managed)\n[Journal]\nSystemMaxUse=256M\n"


def journald_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    spec = FileSpec(DROP_IN, CONF, on_change="systemctl restart systemd-journald")
    return write_file(ctx.runner, "journald", spec, options=after(*deps))
