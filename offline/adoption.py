"""`goldentooth import-file`: the `pulumi import --file` document for what already exists (`goldentooth:adoption`).

Every name, type, parent and provider comes from an evaluation of the stack, so each imported resource gets the
URN the program registers: the next `pulumi up` updates it in place instead of creating a second one.

- A resource's parents are the program's components. They do not exist on a fresh stack, so they are written as
  `component: true` entries (the engine creates them empty; the next `pulumi up` fills in their outputs).
- Providers cannot be imported (the engine refuses "a new explicit provider"): each one the file names is listed
  in `nameTable` and must be in the state first. `providers_first` says how: a targeted `pulumi up` when the
  provider needs nothing but its parents (the AWS providers), else a first `pulumi up` that excludes the
  imported resources (the Kubernetes provider reads the kubeconfig from bettley).
- `imported_urns` resolves a file the way the CLI does (`pkg/cmd/pulumi/import.go`: a parent is a `nameTable`
  entry or another entry's name; URN = stack, project, parent's type chain, type, logical name), so tests check
  the URNs the engine will form, not the ones this module meant.
"""

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from config.adoption import AdoptedResource
from offline.evaluate import Evaluation
from offline.import_ids import NOT_IMPORTABLE, lookup_hint, rule_for
from offline.recorder import PROJECT, STACK, RecordedResource
from offline.urns import ROOT_STACK, EngineUrns, Entry, make_urn, qualified_type


@dataclass(frozen=True)
class Adopted:
    entry: AdoptedResource
    path: str  # adoption.resources[i]
    resource: RecordedResource
    id: str
    derived: bool  # the id came from config through the type's rule, not from the entry


@dataclass(frozen=True)
class ImportPlan:
    document: dict[str, Any]  # what `pulumi import --file` reads
    adopted: tuple[Adopted, ...]
    problems: tuple[str, ...]  # each names its config path; the file is not written while there are any
    providers_first: tuple[str, ...]  # the commands that put the file's providers into the state


def package(type_: str) -> str:
    return type_.split(":", 1)[0]


def _engine(ev: Evaluation) -> EngineUrns:
    return EngineUrns(Entry(r.urn, r.type, r.name, r.parent, tuple(r.aliases)) for r in ev.resources)


def _find(ev: Evaluation, entry: AdoptedResource, path: str) -> tuple[RecordedResource | None, str | None]:
    found = [r for r in ev.resources if r.type == entry.type and r.name == entry.name]
    if len(found) == 1:
        if not found[0].custom:
            return None, f"{path}: {entry.type} {entry.name!r} is a component; adopt the resources inside it"
        if entry.type in NOT_IMPORTABLE:
            return None, f"{path}: {entry.type} cannot be imported ({NOT_IMPORTABLE[entry.type]})"
        return found[0], None
    if found:
        return None, f"{path}: {len(found)} resources are {entry.type} {entry.name!r}; the program must name them apart"
    names = sorted({r.name for r in ev.resources if r.type == entry.type})
    if not names:
        return None, f"{path}.type: the program registers no {entry.type}"
    close = difflib.get_close_matches(entry.name, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (it has: {', '.join(names[:8])}{', …' if len(names) > 8 else ''})"
    return None, f"{path}.name: the program has no {entry.type} named {entry.name!r}{hint}"


def check_given_id(resource: RecordedResource, given: str, derived: str | None, zone_id: str) -> str | None:
    """A given id that contradicts config: another record's id, or a record outside the adopted zone."""
    if derived is not None and given != derived:
        return f"{given!r} is not the id config gives {resource.type} {resource.name!r} ({derived!r}): drop the id"
    if resource.type == "aws:route53/record:Record" and not given.startswith(f"{zone_id}_"):
        return f"{given!r} is not a record of zone aws.zoneId {zone_id} (<zone id>_<name>_<type>)"
    return None


def _adopt(ev: Evaluation, only: frozenset[str] | None) -> tuple[list[Adopted], list[str]]:
    adopted: list[Adopted] = []
    problems: list[str] = []
    for i, entry in enumerate(ev.spec.adoption.resources):
        if only is not None and package(entry.type) not in only:
            continue
        path = f"adoption.resources[{i}]"
        resource, problem = _find(ev, entry, path)
        if resource is None:
            problems.append(problem or path)
            continue
        derived = rule_for(resource.type).derive(resource, ev.spec)
        if entry.id is not None:
            mismatch = check_given_id(resource, entry.id, derived, ev.spec.aws.zone_id)
            if mismatch:
                problems.append(f"{path}.id: {mismatch}")
                continue
            adopted.append(Adopted(entry, path, resource, entry.id, derived=False))
            continue
        if derived is None:
            problems.append(f"{path}.id: {resource.type} {resource.name!r} needs its import id: "
                            f"{lookup_hint(resource, ev.spec)}")
            continue
        adopted.append(Adopted(entry, path, resource, derived, derived=True))
    return adopted, problems


@dataclass
class _Names:
    """File names, unique across entries and `nameTable` (the CLI refuses an ambiguous parent or provider)."""

    taken: set[str] = field(default_factory=set)

    def claim(self, name: str, type_: str) -> str:
        if name not in self.taken:
            self.taken.add(name)
            return name
        base = f"{name}-{type_.rsplit(':', 1)[-1]}"  # as `pulumi preview --import-file` does: the type suffix
        candidate, counter = base, 2
        while candidate in self.taken:
            candidate, counter = f"{base}-{counter}", counter + 1
        self.taken.add(candidate)
        return candidate


def _ancestors(ev: Evaluation, resource: RecordedResource) -> list[RecordedResource]:
    """Outermost first, without the root stack."""
    return [a for a in reversed(list(ev.ancestors(resource))) if a.type != ROOT_STACK]


def _providers_first(ev: Evaluation, adopted: list[Adopted], engine: EngineUrns) -> tuple[str, ...]:
    """How each provider the file names gets into the state before `pulumi import` runs."""
    by_urn = ev.by_urn()
    users: dict[str, list[str]] = {}  # provider URN -> the imported resources that use it
    for item in adopted:
        if item.resource.provider:
            users.setdefault(ev.provider_of(item.resource).urn, []).append(engine.engine_urn(item.resource.urn))
    targets: list[str] = []
    steps: list[str] = []
    for urn in sorted(users):
        provider = by_urn[urn]
        chain = [*_ancestors(ev, provider), provider]
        ancestry = {a.urn for a in chain}
        needs = [u for r in chain for u in r.dependencies if u not in ancestry and u in by_urn]
        if not needs:  # nothing but its parents: a targeted update creates it and them, and nothing else
            targets += [t for t in (engine.engine_urn(r.urn) for r in chain) if t not in targets]
            continue
        # It waits for other resources (the Kubernetes provider reads the kubeconfig from a node): a first
        # update creates it with everything else except what is still to be imported and what depends on that.
        excluded = " ".join(f"--exclude '{u}'" for u in sorted(users[urn]))
        steps.append(f"pulumi up {excluded} --exclude-dependents   # creates {engine.engine_urn(urn)}")
    if targets:
        steps.insert(0, "pulumi up " + " ".join(f"--target '{u}'" for u in targets))
    return tuple(steps)


def build_import_plan(ev: Evaluation, only: Iterable[str] | None = None) -> ImportPlan:
    """The import file for `goldentooth:adoption`, restricted to the given packages (`aws`, `kubernetes`)."""
    packages = frozenset(only) if only is not None else None
    adopted, problems = _adopt(ev, packages)
    engine = _engine(ev)
    by_urn = ev.by_urn()
    names = _Names()
    file_name: dict[str, str] = {}  # recorded URN -> its name in the file
    components: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    name_table: dict[str, str] = {}

    def named(resource: RecordedResource) -> dict[str, Any]:
        name = names.claim(resource.name, resource.type)
        file_name[resource.urn] = name
        spec: dict[str, Any] = {"type": resource.type, "name": name}
        if name != resource.name:
            spec["logicalName"] = resource.name
        parent = by_urn.get(resource.parent)
        if parent is not None and parent.type != ROOT_STACK:
            spec["parent"] = file_name[parent.urn]
        return spec

    for item in sorted(adopted, key=lambda a: engine.engine_urn(a.resource.urn)):
        for ancestor in _ancestors(ev, item.resource):
            if ancestor.urn not in file_name:
                components.append({**named(ancestor), "component": True})
        spec = {**named(item.resource), "id": item.id}
        if item.resource.provider:
            provider = ev.provider_of(item.resource)
            if provider.urn not in file_name:
                file_name[provider.urn] = names.claim(provider.name, provider.type)
                name_table[file_name[provider.urn]] = engine.engine_urn(provider.urn)
            spec["provider"] = file_name[provider.urn]
        resources.append(spec)

    document: dict[str, Any] = {"resources": [*components, *resources]}
    if name_table:
        document["nameTable"] = dict(sorted(name_table.items()))
    return ImportPlan(document, tuple(adopted), tuple(problems), _providers_first(ev, adopted, engine))


def imported_urns(document: Mapping[str, Any], stack: str = STACK, project: str = PROJECT) -> dict[str, str]:
    """Each entry's name -> the URN `pulumi import --file` gives it (components included), as the CLI resolves."""
    table: dict[str, str] = dict(document.get("nameTable", {}))
    specs = list(document["resources"])
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("entry names repeat: the CLI cannot tell parents apart")
    urns: dict[str, str] = {}
    pending = list(specs)
    while pending:
        progressed = False
        for spec in list(pending):
            parent = spec.get("parent")
            if parent is None:
                parent_type = ""
            elif parent in table:
                parent_type = qualified_type(table[parent])
            elif parent in urns:
                parent_type = qualified_type(urns[parent])
            elif parent in names:
                continue  # its parent's URN is not worked out yet
            else:
                raise ValueError(f"the parent {parent!r} of {spec['name']!r} has no entry in 'nameTable'")
            urns[spec["name"]] = make_urn(stack, project, parent_type, spec["type"], spec.get("logicalName") or spec["name"])
            pending.remove(spec)
            progressed = True
        if not progressed:
            raise ValueError(f"parents form a cycle: {[s['name'] for s in pending]}")
    for spec in specs:
        provider = spec.get("provider")
        if provider is not None and provider not in table:
            raise ValueError(f"the provider {provider!r} of {spec['name']!r} has no entry in 'nameTable'")
    return urns


@dataclass(frozen=True)
class AfterImport:
    """The plan as the engine sees it once the file is imported: what is still created, and what is not."""

    creates: tuple[RecordedResource, ...]
    imported: tuple[RecordedResource, ...]  # custom resources the file brings into the state
    orphans: tuple[str, ...]  # imported URNs the program does not register: the next `pulumi up` would delete them
    wrong_providers: tuple[str, ...]  # imported under another provider than the program gives them


def after_import(ev: Evaluation, document: Mapping[str, Any]) -> AfterImport:
    engine = _engine(ev)
    by_engine = {engine.engine_urn(r.urn): r for r in ev.resources}
    resolved = imported_urns(document)
    table = document.get("nameTable", {})
    imported_set = set(resolved.values())
    orphans = sorted(u for u in imported_set if u not in by_engine)
    wrong: list[str] = []
    for spec in document["resources"]:
        resource = by_engine.get(resolved[spec["name"]])
        if resource is None or spec.get("component"):
            continue
        want = engine.engine_urn(ev.provider_of(resource).urn) if resource.provider else None
        if table.get(spec.get("provider", "")) != want:
            wrong.append(resolved[spec["name"]])
    creates = tuple(r for u, r in sorted(by_engine.items()) if u not in imported_set)
    imported = tuple(r for u, r in sorted(by_engine.items()) if u in imported_set and r.custom)
    return AfterImport(creates, imported, tuple(orphans), tuple(sorted(wrong)))
