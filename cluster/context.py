"""What a layer's build function receives: the spec, the secrets, every layer's merged contributions, the layers
built before it, and the options that parent it under the `Cluster`."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import pulumi

from components.contributions import Contributions
from config.secrets import SecretValues
from config.spec import ClusterSpec
from lifecycle.forget import LateSecrets

if TYPE_CHECKING:
    from nodes.node import Node

T = TypeVar("T")


@dataclass
class LayerContext:
    spec: ClusterSpec
    secrets: SecretValues
    contributions: Contributions  # every layer's, merged in registry order
    cluster: pulumi.Resource  # the composition root: each layer component's parent
    built: dict[str, object] = field(default_factory=dict)  # layer name -> what its build returned
    # Secrets a rebuilt node's forget steps (built with the nodes) take from a later layer (lifecycle/forget.py).
    late_secrets: LateSecrets = field(default_factory=LateSecrets)

    @property
    def opts(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.cluster)

    def layer(self, name: str, kind: type[T]) -> T:
        """A layer built earlier, checked to be what this wiring expects."""
        value = self.built.get(name)
        if not isinstance(value, kind):
            raise TypeError(
                f"layer {name!r} built {type(value).__name__}, not {kind.__name__}: "
                "is it listed before its consumers in cluster/registry.py?"
            )
        return value

    def optional(self, name: str, kind: type[T]) -> T | None:
        """A layer that may be off (its build returned None)."""
        return None if self.built.get(name) is None else self.layer(name, kind)

    @property
    def nodes(self) -> "dict[str, Node]":
        nodes: dict[str, Node] = self.layer("nodes", dict)
        return nodes
