"""`Vault`: three servers on raft storage, auto-unsealed by the AWS layer's KMS key, initialised once.

Order: packages → configuration, credentials and unit → servers start one after another (each restart of a
joined server waits until every server answers unsealed) → `vault operator init` on the first server, once
(protected, frozen after its first run) → the first configuration as code with the program's admin token.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_command import remote

from components.remote_file import FileSpec, secret_placeholder
from components.remote_step import StepOptions
from components.script import Script
from config.spec import ClusterSpec
from hashicorp import paths, ports, steps
from hashicorp.identity import HashicorpIdentity
from hashicorp.vault.config import CONSUL_TOKEN, render, server_config
from hashicorp.vault.policies import POLICIES
from nodes.node import Node

_INIT = Script.beside(__file__, "init.sh")
_CONFIGURE = Script.beside(__file__, "configure.sh")
UNIT = "vault.service"
CONFIG_PATH = f"{paths.VAULT_DIR}/vault.json"
ENV_PATH = f"{paths.VAULT_DIR}/vault.env"
ACCESS_KEY_ID, SECRET_ACCESS_KEY = "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"


@dataclass(frozen=True)
class SealAccess:
    """What the awskms seal needs: the key alias, its region and the scoped IAM user's key (AWS layer)."""

    alias: str  # alias/goldentooth/vault-seal
    region: str
    access_key_id: pulumi.Output[str]
    secret_access_key: pulumi.Output[str]
    endpoint: str | None = None  # a KMS endpoint other than AWS's: the lab overlay only


def unit_text() -> str:
    """Restart on failure (G-VLT: none before), after the network and the certificate it serves with."""
    return f"""[Unit]
Description=Vault server (goldentooth)
Documentation=https://developer.hashicorp.com/vault/docs
Wants=network-online.target
After=network-online.target consul.service
ConditionFileNotEmpty={CONFIG_PATH}
AssertPathExists={paths.VAULT_TLS.cert}
StartLimitIntervalSec=60
StartLimitBurst=3

[Service]
User=vault
Group=vault
EnvironmentFile={ENV_PATH}
SecureBits=keep-caps
AmbientCapabilities=CAP_IPC_LOCK
CapabilityBoundingSet=CAP_SYSLOG CAP_IPC_LOCK
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=read-only
PrivateTmp=yes
ExecStart=/usr/bin/vault server -config={CONFIG_PATH}
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
KillSignal=SIGINT
Restart=on-failure
RestartSec=5
LimitNOFILE=65536
LimitMEMLOCK=infinity

[Install]
WantedBy=multi-user.target
"""


def quorum_health(addresses: tuple[str, ...]) -> str:
    """Every server answers and is unsealed (standbys count: `vault status` exits 0 on any unsealed server)."""
    return " && ".join(f"VAULT_ADDR=https://{a}:{ports.VAULT_API} VAULT_CACERT={paths.CA_FILE} vault status >/dev/null"
                       for a in addresses)


@dataclass(frozen=True)
class VaultArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    identity: HashicorpIdentity
    seal: SealAccess
    consul_ready: Mapping[str, pulumi.Resource]  # node -> its Consul agent runs with its token
    certificates: Mapping[tuple[str, str], pulumi.Resource]
    repositories: Mapping[str, pulumi.Resource]  # node -> its HashiCorp apt repository step
    pgp_keys: tuple[str, ...] = ()


class Vault(pulumi.ComponentResource):
    init: remote.Command
    configure: remote.Command
    recovery_keys: pulumi.Output[str]  # secret: init's JSON (ciphertext only, with recoveryPgpKeys)

    def __init__(self, name: str, args: VaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:hashicorp:Vault", name, None, opts)
        spec, identity, settings = args.spec, args.identity, args.spec.hashicorp.vault
        servers = spec.roles.vault.servers
        addresses = tuple(str(spec.node(s).ip) for s in servers)
        previous: list[pulumi.Resource] = []
        env = f"AWS_REGION={args.seal.region}\n{ACCESS_KEY_ID}={secret_placeholder(ACCESS_KEY_ID)}\n" \
              f"{SECRET_ACCESS_KEY}={secret_placeholder(SECRET_ACCESS_KEY)}\nVAULT_ADDR=https://127.0.0.1:8200\n" \
              f"VAULT_CACERT={paths.CA_FILE}\n"
        env_secrets = {ACCESS_KEY_ID: args.seal.access_key_id, SECRET_ACCESS_KEY: args.seal.secret_access_key}
        unit_spec = FileSpec(f"/etc/systemd/system/{UNIT}", unit_text())
        for node_name, address in zip(servers, addresses, strict=True):
            node = args.nodes[node_name]
            runner = node.runner_under(self)
            cert = [c for c in (args.certificates.get((node_name, "vault")),) if c is not None]
            consul = [c for c in (args.consul_ready.get(node_name),) if c is not None]
            packages = steps.install(runner, "vault", {"vault": settings.version, "jq": None},
                                     [args.repositories[node_name]])
            config = server_config(
                cluster=spec.cluster.name, node=node_name, address=address,
                peers=tuple(a for a in addresses if a != address), kms_alias=args.seal.alias, region=args.seal.region,
                consul_registration=settings.consul_registration, declarative_audit=settings.declarative_audit,
            )
            if args.seal.endpoint is not None:
                config = config.model_copy(update={"seal": config.seal.model_copy(update={
                    "awskms": config.seal.awskms.model_copy(update={"endpoint": args.seal.endpoint})})})
            config_spec = FileSpec(CONFIG_PATH, render(config), mode="0640", owner="root", group="vault")
            config_secrets = ({CONSUL_TOKEN: identity.consul_tokens[f"vault-{node_name}"].secret}
                              if settings.consul_registration else {})
            dirs = runner.run("vault-dirs", Script.beside(__file__, "dirs.sh"),
                              {"GT_RAFT": paths.VAULT_RAFT, "GT_AUDIT_DIR": paths.VAULT_AUDIT_LOG.rsplit("/", 1)[0]},
                              options=StepOptions(depends_on=[packages]))
            written = [
                steps.config_file(runner, "vault-config", config_spec, unit=UNIT, after=[packages, *cert],
                                  secrets=config_secrets),
                steps.config_file(runner, "vault-env", FileSpec(ENV_PATH, env, mode="0600", owner="vault",
                                                                group="vault"),
                                  unit=UNIT, after=[packages], secrets=env_secrets),
                steps.config_file(runner, "vault-unit", unit_spec, unit=UNIT, after=[packages]),
            ]
            restart = steps.restart(
                runner, "vault", unit=UNIT, state=f"{paths.VAULT_RAFT}/raft/raft.db", health=quorum_health(addresses),
                after=[*written, dirs, *cert, *consul, *previous],
                triggers=[steps.content_digest(config_spec, config_secrets),
                          steps.content_digest(FileSpec(ENV_PATH, env), env_secrets), steps.content_digest(unit_spec)],
            )
            previous = [restart]
        first = args.nodes[servers[0]].runner_under(self)
        adopt = args.identity.vault_adopt_root_token
        lines: pulumi.Output[str] = pulumi.Output.all(identity.vault_admin_token, adopt).apply(
            lambda values: f"{values[0]}\n{values[1]}\n")
        stdin: pulumi.Output[str] = pulumi.Output.secret(lines)
        self.init = first.run(
            "vault-init", _INIT,
            {"GT_SHARES": str(settings.recovery_shares), "GT_THRESHOLD": str(settings.recovery_threshold),
             "GT_PGP_KEYS": ",".join(args.pgp_keys or settings.recovery_pgp_keys),
             "GT_TTL_HOURS": str(settings.admin_token_ttl_hours), "GT_NODE": servers[0], "GT_TIMEOUT": "600",
             "GT_CA": paths.CA_FILE},
            stdin=stdin, secret=True,
            # Initialises the cluster's barrier once: protected, and frozen after its first run, so no edit of
            # this step's script or settings can re-run or replace it.
            options=StepOptions(depends_on=previous, timeout="15m", protect=True,
                                ignore_changes=("create", "triggers", "stdin"), keeps_output=True),
        )
        self.recovery_keys = pulumi.Output.secret(self.init.stdout)
        params = {"GT_SERVERS": str(len(servers)), "GT_KV": settings.kv_mount, "GT_AUDIT_LOG": paths.VAULT_AUDIT_LOG,
                  "GT_CA": paths.CA_FILE, "GT_TIMEOUT": "600",
                  "GT_NODE_NAMES": f"*.{spec.domains.nodes}", "GT_POLICY_COUNT": str(len(POLICIES))}
        for index, (policy_name, text) in enumerate(sorted(POLICIES.items())):
            params[f"GT_POLICY_{index}_NAME"] = policy_name
            params[f"GT_POLICY_{index}_TEXT"] = text
        self.configure = first.run(
            "vault-configure", _CONFIGURE, params, stdin=identity.vault_admin_token, secret=True,
            options=StepOptions(depends_on=[self.init], timeout="15m"),
        )
        self.register_outputs({"servers": list(servers)})
