"""A stack as a graph that stack-wide rules can ask questions of: which host a command targets, what it
runs, what it (transitively) waits for."""

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pulumi_policy import PolicyResource

from policies.common import COMMAND_TYPES, get, known, strings

NODE_COMPONENT = "goldentooth:nodes:Node"
_HEADER_PARAM = re.compile(r"(?m)^export (GT_[A-Z0-9_]+)=(.*)$")


def header_params(create: str) -> dict[str, str]:
    """The `export GT_X='value'` header that components/script.py puts at the top of every step."""
    return dict(_header_params(create))


@functools.lru_cache(maxsize=2048)
def _header_params(create: str) -> tuple[tuple[str, str], ...]:
    """Parsed once per text: several rules read the header of every step."""
    params = {}
    for name, raw in _HEADER_PARAM.findall(create):
        value = raw.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        params[name] = value
    return tuple(params.items())


@dataclass
class StackView:
    resources: list[PolicyResource]
    by_urn: dict[str, PolicyResource] = field(init=False)
    children: dict[str, list[PolicyResource]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}
        self.children = {}
        for r in self.resources:
            if r.parent is not None:
                self.children.setdefault(r.parent.urn, []).append(r)

    def commands(self) -> Iterator[PolicyResource]:
        return (r for r in self.resources if r.resource_type in COMMAND_TYPES)

    @staticmethod
    def create(r: PolicyResource) -> str:
        """The command line; empty when unknown during preview."""
        value = known(lambda: get(r.props, "create"), None)
        return value if isinstance(value, str) else ""

    @staticmethod
    def stdin(r: PolicyResource) -> str:
        """What the command reads on stdin; empty when unknown during preview (e.g. filled from a secret)."""
        return known(lambda: "\n".join(strings(get(r.props, "stdin"))), "")

    def ancestors(self, r: PolicyResource) -> Iterator[PolicyResource]:
        parent = r.parent
        while parent is not None:
            yield parent
            parent = parent.parent

    def node_of(self, r: PolicyResource) -> PolicyResource | None:
        return next((a for a in self.ancestors(r) if a.resource_type == NODE_COMPONENT), None)

    def host(self, r: PolicyResource) -> str:
        """The host a command runs on: its connection's host, else its Node ancestor, else its name."""
        host = known(lambda: get(r.props, "connection", "host"), None)
        if isinstance(host, str) and host:
            return host
        node = self.node_of(r)
        return node.name if node is not None else r.name

    def direct_dependencies(self, r: PolicyResource) -> Iterator[PolicyResource]:
        yield from r.dependencies
        for deps in r.property_dependencies.values():
            yield from deps

    def waits_for(self, r: PolicyResource) -> set[str]:
        """URNs of everything `r` is ordered after. Waiting on a component means waiting on its children."""
        seen: set[str] = set()
        stack = list(self.direct_dependencies(r))
        while stack:
            d = stack.pop()
            if d.urn in seen:
                continue
            seen.add(d.urn)
            stack.extend(self.direct_dependencies(d))
            stack.extend(self.children.get(d.urn, ()))
        return seen

    def named(self, rs: Iterable[PolicyResource]) -> str:
        return ", ".join(sorted(r.name for r in rs))
