"""Grafana on roles.grafana, Loki on roles.loki and Vector on every node: each is deployed on a node only once
the PKI layer's steps have put its certificate there (`certificates_ready`), because all three refuse to start
without their TLS files. Their configuration is rendered by grafana.py, loki.py and vector.py."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.contributions import Contributions
from config.secrets import SecretValues
from config.spec import ClusterSpec
from nodes.node import Node


@dataclass(frozen=True)
class LogsArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    contributions: Contributions
    secrets: SecretValues
    certificates_ready: Mapping[tuple[str, str], Sequence[pulumi.Resource]]


def logs_steps(parent: pulumi.Resource, args: LogsArgs) -> list[str]:
    """Register the steps of the daemons whose certificates are ready; the names of the nodes that got them."""
    return []
