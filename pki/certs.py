"""One `CertificateRequest` on its node: issue when needed (pki/cert_issue.sh), settings, `cert-renewer@` timer."""

import re
from collections.abc import Iterable, Mapping

import pulumi
from pulumi_command import remote

from components.contributions import CertificateRequest
from components.remote_step import StepOptions, StepRunner
from config.pki import PkiSpec
from pki import renewer
from pki.names import ROOT_BUNDLE, STEPPATH, X509_PROVISIONER
from pki.scripts import script

_ISSUE = script("cert_issue.sh")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_MODE = re.compile(r"^0[0-7]{3}$")
_ACCOUNT = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
DEFAULT_DIR = "/etc/step/certs"  # the reference's default location for a certificate without explicit paths


def cert_path(request: CertificateRequest) -> str:
    return request.cert_path or f"{DEFAULT_DIR}/{request.id}.crt"


def key_path(request: CertificateRequest) -> str:
    return request.key_path or f"{DEFAULT_DIR}/{request.id}.key"


def sans(request: CertificateRequest) -> tuple[str, ...]:
    """Every name the certificate carries: the common name first, then the DNS names and addresses, no repeats."""
    names = [request.common_name, *request.dns_names, *(str(ip) for ip in request.ip_addresses)]
    return tuple(dict.fromkeys(names))


def request_problems(requests: Iterable[CertificateRequest], nodes: Iterable[str]) -> list[str]:
    """Every way the merged requests are unusable; the layer refuses to build with any of them."""
    known, seen, problems = set(nodes), set(), []
    for r in requests:
        where = f"certificate {r.id!r} on {r.node!r}"
        if r.node not in known:
            problems.append(f"{where}: no such node")
        if not _ID.match(r.id):
            problems.append(f"{where}: id must be lower-case letters, digits and '-' (it names a systemd instance)")
        if (r.node, r.id) in seen:
            problems.append(f"{where}: requested twice")
        seen.add((r.node, r.id))
        for label, path in (("cert_path", r.cert_path), ("key_path", r.key_path), ("bundle_path", r.bundle_path)):
            if path and not path.startswith("/"):
                problems.append(f"{where}: {label} {path!r} is not absolute")
        if not _MODE.match(r.mode):
            problems.append(f"{where}: mode {r.mode!r} is not an octal mode like 0600")
        for label, account in (("owner", r.owner), ("group", r.group)):
            if not _ACCOUNT.match(account):
                problems.append(f"{where}: {label} {account!r} is not an account name")
        if r.reload is not None and "\n" in r.reload:
            problems.append(f"{where}: reload must be one line")
    return problems


def settings(request: CertificateRequest, pki: PkiSpec) -> dict[str, str]:
    return {
        "GT_KIND": "x509",
        "GT_CERT": cert_path(request),
        "GT_KEY": key_path(request),
        "GT_BUNDLE": request.bundle_path or "",
        "GT_OWNER": request.owner,
        "GT_GROUP": request.group,
        "GT_MODE": request.mode,
        "GT_RENEW_AT": str(request.renew_at if request.renew_at is not None else pki.tls.renew_at),
        "GT_RELOAD": request.reload or "",
    }


def issue_step(runner: StepRunner, request: CertificateRequest, pki: PkiSpec, password: pulumi.Output[str],
               identity: pulumi.Output[str], depends_on: list[pulumi.Resource]) -> remote.Command:
    """The identity rides in the triggers: a new root re-runs the step, which then finds the chain broken."""
    values = settings(request, pki)
    params: Mapping[str, str] = {
        "GT_ID": request.id,
        "GT_COMMON_NAME": request.common_name,
        "GT_SANS": "\n".join(sans(request)),
        "GT_CERT": values["GT_CERT"],
        "GT_KEY": values["GT_KEY"],
        "GT_BUNDLE": values["GT_BUNDLE"],
        "GT_OWNER": request.owner,
        "GT_GROUP": request.group,
        "GT_MODE": request.mode,
        "GT_DURATION": request.duration or pki.tls.default_duration,
        "GT_PROVISIONER": X509_PROVISIONER,
        "GT_ROOT_BUNDLE": ROOT_BUNDLE,
        "GT_STEPPATH": STEPPATH,
        "GT_SETTINGS_FILE": renewer.settings_path(request.id),
        "GT_SETTINGS": renewer.settings(values),
        "GT_RELOAD": values["GT_RELOAD"],
        "GT_TIMER": renewer.timer(request.id),
    }
    return runner.run(f"pki-cert-{request.id}", _ISSUE, params, stdin=password, secret=True,
                      options=StepOptions(depends_on=depends_on, extra_triggers=[identity]))
