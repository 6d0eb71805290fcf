"""alertmanager.yml: one receiver from config, critical alerts repeated sooner, and inhibitions so a node that
is down does not also page for everything on it. Secrets are `{{secret:NAME}}` placeholders that
`write_file` fills inside a secret Output (state, logs and `goldentooth render` see only the placeholder)."""

from typing import Any

from config.observability import AlertmanagerSpec

WEBHOOK_SECRET = "ALERTMANAGER_WEBHOOK_URL"
SMTP_SECRET = "ALERTMANAGER_SMTP_PASSWORD"
DISCARD = "discard"
SECRET_KEYS = {WEBHOOK_SECRET: "alertmanagerWebhookUrl", SMTP_SECRET: "alertmanagerSmtpPassword"}


def placeholder(name: str) -> str:
    return "{{secret:" + name + "}}"


def secrets_needed(spec: AlertmanagerSpec) -> tuple[str, ...]:
    """Placeholders the rendered config holds (keys of SECRET_KEYS)."""
    r = spec.receiver
    if r.kind == "webhook":
        return (WEBHOOK_SECRET,)
    if r.kind == "email" and r.auth_username is not None:
        return (SMTP_SECRET,)
    return ()


def _receiver(spec: AlertmanagerSpec) -> dict[str, Any]:
    r = spec.receiver
    out: dict[str, Any] = {"name": r.name}
    if r.kind == "webhook":
        out["webhook_configs"] = [{"url": placeholder(WEBHOOK_SECRET), "send_resolved": True}]
    elif r.kind == "email":
        email: dict[str, Any] = {"to": r.email_to, "send_resolved": True}
        out["email_configs"] = [email]
    return out


def alertmanager_config(spec: AlertmanagerSpec) -> dict[str, Any]:
    r = spec.receiver
    global_: dict[str, Any] = {"resolve_timeout": "5m"}
    if r.kind == "email":
        global_.update({"smtp_from": r.email_from, "smtp_smarthost": r.smarthost, "smtp_require_tls": True})
        if r.auth_username is not None:
            global_.update({"smtp_auth_username": r.auth_username, "smtp_auth_password": placeholder(SMTP_SECRET)})
    return {
        "global": global_,
        "route": {
            "receiver": r.name,
            "group_by": ["alertname", "instance"],
            "group_wait": spec.group_wait,
            "group_interval": spec.group_interval,
            "repeat_interval": spec.repeat_interval,
            "routes": [
                {"receiver": r.name, "matchers": ['severity="critical"'],
                 "repeat_interval": spec.critical_repeat_interval},
                # Informational alerts are visible in Alertmanager's UI but notify no one.
                {"receiver": DISCARD, "matchers": ['severity="info"']},
            ],
        },
        "inhibit_rules": [
            # A node that is down explains every other alert about it.
            {"source_matchers": ['alertname="NodeDown"'], "target_matchers": ['alertname!="NodeDown"'],
             "equal": ["instance"]},
            # The critical form of an alert silences its warning form on the same instance.
            {"source_matchers": ['severity="critical"'], "target_matchers": ['severity="warning"'],
             "equal": ["alertname", "instance"]},
        ],
        "receivers": [_receiver(spec), {"name": DISCARD}],
    }
