"""`Batch`: the batch and ML layer. Slurm (munge, Lmod modules, optional accounting), Ray and Ollama, each
built when both its `goldentooth:batch` settings and its role entry exist. What it needs of other concerns
(routes, scrape targets, alerts, ports, the controllers' health check, draining) is in batch/contributions.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from batch.ollama.component import Ollama, OllamaArgs
from batch.ray.component import Ray, RayArgs
from batch.slurm.component import Slurm, SlurmArgs
from config.spec import ClusterSpec
from nodes.node import Node


@dataclass(frozen=True)
class BatchArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]


class Batch(pulumi.ComponentResource):
    slurm: Slurm | None
    ray: Ray | None
    ollama: Ollama | None

    def __init__(self, name: str, args: BatchArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:batch:Batch", name, None, opts)
        spec = args.spec
        batch = spec.batch
        assert batch is not None, "the batch layer is built only when goldentooth:batch is set"
        child = pulumi.ResourceOptions(parent=self)
        self.slurm = (
            Slurm("slurm", SlurmArgs(spec, batch.slurm, args.nodes), child)
            if batch.slurm is not None and spec.roles.slurm is not None
            else None
        )
        self.ray = (
            Ray("ray", RayArgs(spec, batch.ray, args.nodes), child)
            if batch.ray is not None and spec.roles.ray is not None
            else None
        )
        self.ollama = (
            Ollama("ollama", OllamaArgs(spec, batch.ollama, args.nodes), child)
            if batch.ollama is not None and spec.roles.ollama
            else None
        )
        self.register_outputs(
            {"slurm": self.slurm is not None, "ray": self.ray is not None, "ollama": self.ollama is not None}
        )
