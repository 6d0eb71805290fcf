"""Read the node layer's steps out of an offline evaluation: which steps a node has, their edges, and the
parameters each one's generated header hands its script."""

import itertools
import shlex
from dataclasses import dataclass
from typing import Any

from components.script import library_text
from offline.evaluate import Evaluation, depends_directly
from offline.recorder import RecordedResource

COMMAND = "command:remote:Command"
COPY = "command:remote:CopyToRemote"  # a shared file staged by reference (components.shared_file)
OS_COMPONENT = "goldentooth:nodes:Os"
_LIB = library_text()  # exactly what render() prepends after the header


@dataclass(frozen=True)
class Step:
    """One node-layer step as the program registered it."""

    node: str
    name: str  # the step name without the node prefix: "firmware"
    resource: RecordedResource

    @property
    def urn(self) -> str:
        return self.resource.urn

    @property
    def is_upload(self) -> bool:
        return self.resource.type == COPY

    @property
    def source_path(self) -> str:
        """An upload's local file (a FileAsset's path): the offline evaluation holds its text under `shared`."""
        source = self.resource.raw_inputs["source"]
        assert isinstance(source, dict) and isinstance(source.get("path"), str), source
        return str(source["path"])

    @property
    def remote_path(self) -> str:
        value = self.resource.raw_inputs["remotePath"]
        assert isinstance(value, str)
        return value

    @property
    def create(self) -> str:
        value = self.resource.raw_inputs["create"]
        assert isinstance(value, str)
        return value

    @property
    def stdin(self) -> str | None:
        value = self.resource.raw_inputs.get("stdin")
        return value if isinstance(value, str) else None

    @property
    def script(self) -> str:
        """The script text inside `create` (`[sudo -n] /bin/bash -c <text> goldentooth-<name>`)."""
        words = shlex.split(self.create)
        return words[words.index("-c") + 1]

    @property
    def params(self) -> dict[str, str]:
        return header_params(self.script)

    @property
    def triggers(self) -> list[Any]:
        value = self.resource.raw_inputs.get("triggers", [])
        assert isinstance(value, list)
        return value

    @property
    def connection(self) -> dict[str, Any]:
        value = self.resource.raw_inputs["connection"]
        assert isinstance(value, dict)
        return value


def header_params(script: str) -> dict[str, str]:
    """The `export GT_...=` assignments of a rendered step's generated header."""
    header = script[: script.index(_LIB)]
    words = shlex.split(header, comments=True)
    params = {}
    for previous, word in itertools.pairwise(words):
        if previous == "export":
            key, _, value = word.partition("=")
            params[key] = value
    return params


def node_steps(ev: Evaluation) -> dict[str, dict[str, Step]]:
    """node -> step name -> step, for every command and upload parented under a node's `Os` component."""
    by_urn = ev.by_urn()
    result: dict[str, dict[str, Step]] = {}
    for r in ev.resources:
        if r.type not in (COMMAND, COPY):
            continue
        parent = by_urn.get(r.parent)
        if parent is None or parent.type != OS_COMPONENT:
            continue
        node = parent.name.removesuffix("-os")
        result.setdefault(node, {})[r.name.removeprefix(f"{node}-")] = Step(node, r.name.removeprefix(f"{node}-"), r)
    return result


def depends_on(step: Step, other: Step) -> bool:
    """`step` names `other` among its own dependencies (offline.evaluate.depends_directly)."""
    return depends_directly(step.resource, other.resource)
