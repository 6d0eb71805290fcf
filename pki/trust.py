"""Trust in the cluster root on one node: the trust store, the step client context, the host-CA known_hosts line,
the SSH CA keys and the generic `cert-renewer@` units (pki/trust.sh)."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.remote_step import StepOptions, StepRunner
from components.systemd_unit import record_units, unit_params
from config.spec import ClusterSpec
from pki import renewer
from pki.names import (
    RENEWER,
    ROOT_BUNDLE,
    SSH_KNOWN_HOSTS,
    SSH_USER_CA,
    STATE_DIR,
    STEPPATH,
    TRUST_ANCHOR,
    CaEndpoint,
    cli_package,
    smallstep_source,
)
from pki.scripts import script

_TRUST = script("trust.sh")
SSH_HOST_CA = "/etc/ssh/goldentooth_host_ca.pub"


def trust_step(runner: StepRunner, spec: ClusterSpec, endpoint: CaEndpoint, architecture: str,
               identity: pulumi.Output[str], depends_on: list[pulumi.Resource]) -> remote.Command:
    units = list(renewer.units())
    record_units(runner.node, units)
    artifacts.record(runner.node, RENEWER, renewer.RENEWER_TEXT, "0755")
    params = {
        **smallstep_source(architecture).params("GT_SMALLSTEP"),
        "GT_PACKAGES": cli_package(spec),
        "GT_CA_URL": endpoint.url,
        "GT_STEPPATH": STEPPATH,
        "GT_ANCHOR": TRUST_ANCHOR,
        "GT_ROOT_BUNDLE": ROOT_BUNDLE,
        "GT_KNOWN_HOSTS": SSH_KNOWN_HOSTS,
        "GT_SSH_HOST_CA": SSH_HOST_CA,
        "GT_SSH_USER_CA": SSH_USER_CA,
        "GT_STATE_DIR": STATE_DIR,
        "GT_RENEWER": RENEWER,
        "GT_RENEWER_TEXT": renewer.RENEWER_TEXT,
        **unit_params(units),
    }
    return runner.run("pki-trust", _TRUST, params, stdin=identity,
                      options=StepOptions(depends_on=depends_on, timeout="15m"))
