"""`Nomad`: servers, clients (velaryon in the GPU class with the NVIDIA device plugin), ACLs bootstrapped with a
preset token, and the program's jobs submitted through the API once the cluster is up.

Order: packages → configuration (after the node's Consul agent has its token) → servers start one after another
(a formed server's restart waits for a leader and every server alive) → ACL bootstrap → clients → jobs.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_command import remote

from components.remote_file import FileSpec
from components.remote_step import StepOptions
from components.script import Script
from config.spec import ClusterSpec
from hashicorp import paths, ports, steps
from hashicorp.identity import HashicorpIdentity
from hashicorp.nomad.config import CONSUL_TOKEN, GOSSIP_KEY, agent_config, render
from hashicorp.nomad.jobs.model import registration
from hashicorp.nomad.jobs.samples import jobs
from nodes.node import Node

_ACL = Script.beside(__file__, "acl.sh")
_SUBMIT = Script.beside(__file__, "submit.sh")
UNIT = "nomad.service"
CONFIG_PATH = f"{paths.NOMAD_DIR}/nomad.json"
LOCAL_API = f"https://127.0.0.1:{ports.NOMAD_HTTP}"
_CLI = {"GT_CA": paths.CA_FILE, "GT_CERT": paths.NOMAD_CLI_TLS.cert, "GT_KEY": paths.NOMAD_CLI_TLS.key}


def unit_text(run_as: str) -> str:
    return f"""[Unit]
Description=Nomad agent (goldentooth)
Documentation=https://developer.hashicorp.com/nomad/docs
Wants=network-online.target consul.service
After=network-online.target consul.service
ConditionFileNotEmpty={CONFIG_PATH}
AssertPathExists={paths.NOMAD_TLS.cert}

[Service]
User={run_as}
Group={run_as}
ExecStart=/usr/bin/nomad agent -config {CONFIG_PATH}
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
KillSignal=SIGINT
LimitNOFILE=65536
LimitNPROC=infinity
TasksMax=infinity
OOMScoreAdjust=-1000
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
"""


def quorum_health(servers: int) -> str:
    """A leader exists and every server is alive in the gossip pool (`/v1/status/*` needs no ACL token)."""
    curl = f"curl -sf --cacert {paths.CA_FILE} --cert {paths.NOMAD_CLI_TLS.cert} --key {paths.NOMAD_CLI_TLS.key}"
    return (f"leader=$({curl} {LOCAL_API}/v1/status/leader) && [ -n \"${{leader//\\\"/}}\" ] && "
            f"[ \"$({curl} {LOCAL_API}/v1/status/peers | jq length)\" -ge {servers} ]")


@dataclass(frozen=True)
class NomadArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    identity: HashicorpIdentity
    consul_ready: Mapping[str, pulumi.Resource]
    certificates: Mapping[tuple[str, str], pulumi.Resource]
    repositories: Mapping[str, pulumi.Resource]  # node -> its HashiCorp apt repository step


class Nomad(pulumi.ComponentResource):
    acl: remote.Command
    submit: remote.Command

    def __init__(self, name: str, args: NomadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:hashicorp:Nomad", name, None, opts)
        spec, identity, settings = args.spec, args.identity, args.spec.hashicorp.nomad
        roles = spec.roles.nomad
        servers = roles.servers
        server_addresses = tuple(str(spec.node(s).ip) for s in servers)
        members = (*servers, *(c for c in roles.clients if c not in servers))
        previous: list[pulumi.Resource] = []
        restarts: dict[str, remote.Command] = {}
        client_restarts: list[pulumi.Resource] = []
        for node_name in members:
            node = args.nodes[node_name]
            runner = node.runner_under(self)
            is_server, is_client = node_name in servers, node_name in roles.clients
            gpu = node_name in roles.gpu_clients
            certs = [c for k in ("nomad", "nomad-cli") if (c := args.certificates.get((node_name, k))) is not None]
            consul = [c for c in (args.consul_ready.get(node_name),) if c is not None]
            packages = {"nomad": settings.version, "jq": None}
            if gpu:
                packages["nomad-device-nvidia"] = settings.nvidia_plugin_version
            installed = steps.install(runner, "nomad", packages, [args.repositories[node_name]])
            config = agent_config(settings, node=node_name, address=str(node.spec.ip),
                                  architecture=node.spec.architecture, servers=server_addresses,
                                  is_server=is_server, is_client=is_client, gpu=gpu)
            config_spec = FileSpec(CONFIG_PATH, render(config), mode="0600", owner="root", group="root")
            secrets = {CONSUL_TOKEN: identity.consul_tokens[f"nomad-{node_name}"].secret}
            if is_server:
                secrets[GOSSIP_KEY] = identity.nomad_gossip_key
            # A client needs root for its drivers (G-NMD); a server-only agent could run as nomad, but every server
            # here is a client too.
            unit_spec = FileSpec(f"/etc/systemd/system/{UNIT}", unit_text("root" if is_client else "nomad"))
            written = [
                steps.config_file(runner, "nomad-config", config_spec, unit=UNIT, after=[installed, *certs, *consul],
                                  secrets=secrets),
                steps.config_file(runner, "nomad-unit", unit_spec, unit=UNIT, after=[installed]),
            ]
            after = [*written, *certs, *consul, *(previous if is_server else [])]
            if not is_server:
                after.append(self.acl)
            restart = steps.restart(
                runner, "nomad", unit=UNIT, state=f"{paths.NOMAD_DATA}/server/raft/raft.db" if is_server
                else f"{paths.NOMAD_DATA}/client/client-id",
                health=quorum_health(len(servers)), after=after,
                triggers=[steps.content_digest(config_spec, secrets), steps.content_digest(unit_spec)],
            )
            restarts[node_name] = restart
            if is_server:
                previous = [restart]
                if node_name == servers[-1]:
                    self.acl = args.nodes[servers[0]].runner_under(self).run(
                        "nomad-acl", _ACL, {**_CLI, "GT_NOMAD_URL": LOCAL_API, "GT_NODE": servers[0],
                                            "GT_TIMEOUT": "600"},
                        stdin=identity.nomad_management_token, secret=True,
                        options=StepOptions(depends_on=list(restarts.values()), timeout="15m"),
                    )
            else:
                client_restarts.append(restart)
        params: dict[str, str] = {**_CLI, "GT_NOMAD_URL": LOCAL_API}
        sample_jobs = jobs(settings, has_gpu_clients=bool(roles.gpu_clients))
        params["GT_JOB_COUNT"] = str(len(sample_jobs))
        for index, job in enumerate(sample_jobs):
            params[f"GT_JOB_{index}_ID"] = job.id
            params[f"GT_JOB_{index}_BODY"] = registration(job)
        self.submit = args.nodes[servers[0]].runner_under(self).run(
            "nomad-jobs", _SUBMIT, params, stdin=identity.nomad_management_token, secret=True,
            options=StepOptions(depends_on=[self.acl, *client_restarts]),
        )
        self.register_outputs({"servers": list(servers), "jobs": [j.id for j in sample_jobs]})
