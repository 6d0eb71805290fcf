"""DNS names of the cluster."""

import re

from pydantic import Field, field_validator

from config.base import ConfigModel

_FQDN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class DomainsSpec(ConfigModel):
    """`goldentooth:domains`. Nodes are `<name>.<nodes>`, services `<svc>.<services>`."""

    base: str
    nodes: str
    services: str
    k8s_services: str = Field(alias="k8sServices")
    nomad_services: str

    @field_validator("*")
    @classmethod
    def _fqdn(cls, value: str) -> str:
        if not _FQDN.match(value):
            raise ValueError(f"{value!r} is not a lower-case DNS name")
        return value

    def node_fqdn(self, node: str) -> str:
        return f"{node}.{self.nodes}"
