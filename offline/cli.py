"""`goldentooth`: the offline evaluator's command line (plan, graph, render, check, import-file, host-keys)."""

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from config.errors import ConfigError

DEFAULT_STACK_FILE = Path("Pulumi.goldentooth.yaml")
EXIT_INVALID_CONFIG = 2


_READS: dict[Path, Any] = {}  # this run's reads of each stack file: the file is parsed once per command


def _read(config: Path) -> Any:
    from config.load import read_stack

    key = config.resolve()
    if key not in _READS:
        _READS[key] = read_stack(config)
    return _READS[key]


def _evaluate(config: Path, preview: bool = False):  # type: ignore[no-untyped-def]
    from offline.evaluate import evaluate

    plain, secrets, providers = _read(config)
    return evaluate(plain, secrets, preview=preview, provider_config=providers)


def _check_transitions(args: argparse.Namespace) -> None:
    """With `--previous`: reject an unsafe membership change (lifecycle/transitions.py) as `pulumi up` would."""
    if args.previous is None:
        return
    from config.load import load
    from lifecycle.previous import read
    from lifecycle.transitions import transition_violations

    plain, secrets, _ = _read(args.config)
    spec, _ = load(plain, secrets, require_secrets=False)
    unsafe = transition_violations(read(args.previous), spec)
    if unsafe:
        raise ConfigError(unsafe)


def cmd_plan(args: argparse.Namespace) -> int:
    from offline.plan import plan_document, summary

    _check_transitions(args)
    ev = _evaluate(args.config)
    if args.imported:
        from offline.adoption import after_import
        from offline.plan import after_import_summary

        document = json.loads(Path(args.imported).read_text(encoding="utf-8"))
        after = after_import(ev, document)
        print(after_import_summary(after, args.imported))
        return 1 if after.orphans or after.wrong_providers else 0  # that file would delete or misplace resources
    text = summary(ev)
    if not (args.against or args.json):
        print(text)
        return 0
    document = plan_document(ev)  # with the secret digests (scrypt): only when the JSON is asked for
    if args.against:
        from offline.plan_diff import compare
        from offline.plan_diff import summary as diff_summary

        before = json.loads(Path(args.against).read_text(encoding="utf-8"))
        text += "\n\n" + diff_summary(compare(before, document), len(document["resources"]), str(args.against))
    if args.json == "-":
        json.dump(document, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        print(text, file=sys.stderr)
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(text)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from offline.graph_render import render_graph

    ev = _evaluate(args.config)
    text = render_graph(ev, args.format)
    if args.out in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.format} graph to {args.out}", file=sys.stderr)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from offline.render import write_files

    ev = _evaluate(args.config)
    written = write_files(ev, Path(args.dir))
    print(f"wrote {written} files under {args.dir}", file=sys.stderr)
    return 0


def cmd_import_file(args: argparse.Namespace) -> int:
    from offline.adoption import build_import_plan

    ev = _evaluate(args.config)
    plan = build_import_plan(ev, args.only or None)
    if plan.problems:
        print(f"goldentooth import-file: {len(plan.problems)} adopted resources lack what the import needs "
              "(nothing written)", file=sys.stderr)
        for problem in plan.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    text = json.dumps(plan.document, indent=2, sort_keys=True) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    out = sys.stderr if args.out == "-" else sys.stdout
    print(f"goldentooth import-file: {len(plan.adopted)} resources to import into {args.out}", file=out)
    for item in plan.adopted:
        source = "derived from config" if item.derived else "from config"
        print(f"  {item.resource.type} {item.resource.name}: {item.id} ({source})", file=out)
    if plan.providers_first:
        print("providers the file names must be in the state first:", file=out)
        for step in plan.providers_first:
            print(f"  {step}", file=out)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from offline.check import check, read_policy_config, report, resolve_config
    from policies.catalog import POLICIES

    document = read_policy_config(args.policy_config) if args.policy_config else {}
    resolve_config(document, POLICIES)  # a bad policy config fails before the (slower) evaluation
    _check_transitions(args)
    ev = _evaluate(args.config)
    _, secrets, _ = _read(args.config)  # the same read the evaluation used
    findings = check(ev, policy_config=document, secrets=secrets)
    print(report(findings, len(ev.resources), len(POLICIES)))
    return 1 if any(f.mandatory for f in findings) else 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from lifecycle.rebuild import rebuild

    text = args.config.read_text(encoding="utf-8")
    updated, generation = rebuild(text, args.node, args.host_key)
    args.config.write_text(updated, encoding="utf-8")
    print(f"{args.node}: generation {generation}, host key pinned in {args.config}; `pulumi up` re-runs its steps "
          "(README, 'Rebuild after a dead SD card')")
    return 0


def cmd_host_keys(args: argparse.Namespace) -> int:
    from config.load import load
    from offline.host_keys import fingerprint, from_known_hosts, record, scan, targets

    plain, secrets, _ = _read(args.config)
    spec, _ = load(plain, secrets, require_secrets=False)
    wanted = targets(spec, args.node or ())
    if args.known_hosts is not None:
        found, said = from_known_hosts(args.known_hosts.read_text(encoding="utf-8"), wanted), ""
        source = str(args.known_hosts)
    else:
        found, said = scan(wanted, args.timeout)
        source = "ssh-keyscan"
    outcome = record(args.config.read_text(encoding="utf-8"), spec, found, wanted)
    if outcome.added and not args.dry_run:
        args.config.write_text(outcome.text, encoding="utf-8")
    verb = "would pin" if args.dry_run else "pinned"
    print(f"goldentooth host-keys: {verb} {len(outcome.added)}, already pinned {len(outcome.unchanged)}, "
          f"not found {len(outcome.missing)} (from {source}, in {args.config})")
    for node, key in sorted(outcome.added.items()):
        print(f"  {verb} {node}: {key.split()[0]} {fingerprint(key)}")
    for node in outcome.missing:
        print(f"  no key for {node} ({spec.node(node).ip})", file=sys.stderr)
    if said and outcome.missing:
        print(said, file=sys.stderr)
    if outcome.added and not args.dry_run:
        print("compare each fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the node's "
              "console before the first `pulumi up` (README, 'Adopting the live cluster')")
    return 1 if outcome.missing else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goldentooth", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", type=Path, default=DEFAULT_STACK_FILE, help="stack file (default: %(default)s)")

    def previous(p: argparse.ArgumentParser) -> None:
        p.add_argument("--previous", type=Path, metavar="PATH",
                       help="the last up's memberships (`pulumi stack output --json memberships`): reject an "
                            "unsafe membership change as `pulumi up` would")

    plan = sub.add_parser("plan", help="evaluate the stack offline and summarise what `pulumi up` would create")
    common(plan)
    previous(plan)
    plan.add_argument("--json", metavar="PATH", help="also write the plan as JSON to PATH ('-' for stdout)")
    plan.add_argument("--imported", metavar="FILE",
                      help="summarise the plan as it is once FILE (from import-file) is imported: what is still created")
    plan.add_argument("--against", type=Path, metavar="BEFORE.json",
                      help="also count what changes from an earlier `plan --json`: connection-only updates, "
                           "re-runs, replacements")
    plan.set_defaults(func=cmd_plan)

    graph = sub.add_parser("graph", help="draw the dependency graph, grouped by node and layer")
    common(graph)
    graph.add_argument("--format", choices=("dot", "mermaid", "html"), default="html")
    graph.add_argument("--out", metavar="PATH", help="output file (default: stdout)")
    graph.set_defaults(func=cmd_graph)

    render = sub.add_parser("render", help="write every file the program puts on a node or applies to the cluster")
    common(render)
    render.add_argument("dir", help="output folder: DIR/<node>/<path on the node>, DIR/cluster/...")
    render.set_defaults(func=cmd_render)

    imports = sub.add_parser("import-file", help="write the `pulumi import --file` document for goldentooth:adoption")
    common(imports)
    imports.add_argument("--out", required=True, metavar="FILE", help="where to write it ('-' for stdout)")
    imports.add_argument("--only", action="append", metavar="PACKAGE", choices=("aws", "kubernetes"),
                         help="only resources of this provider package (repeatable): aws first, kubernetes later")
    imports.set_defaults(func=cmd_import_file)

    check = sub.add_parser("check", help="run the policy pack's rules over the offline evaluation (exit 1 on a mandatory violation)")
    common(check)
    previous(check)
    check.add_argument("--policy-config", type=Path, metavar="PATH",
                       help="policy config JSON, as for `pulumi preview --policy-pack-config`")
    check.set_defaults(func=cmd_check)

    rebuild = sub.add_parser("rebuild", help="mark NODE as reflashed in the stack file: new host key pin, its "
                                             "generation counted up so its steps re-run and it rejoins")
    rebuild.add_argument("--config", type=Path, default=DEFAULT_STACK_FILE, help="stack file (default: %(default)s)")
    rebuild.add_argument("node")
    rebuild.add_argument("--host-key", required=True, metavar="KEY",
                         help="the reflashed node's new host key, e.g. `ssh-keyscan -t ed25519 NODE | cut -d' ' -f2-`")
    rebuild.set_defaults(func=cmd_rebuild)
    keys = sub.add_parser("host-keys", help="pin every node's SSH host key in the stack file (ssh.hostKeys), read "
                                            "with ssh-keyscan or from a known_hosts file; a differing pin stops it")
    keys.add_argument("--config", type=Path, default=DEFAULT_STACK_FILE, help="stack file (default: %(default)s)")
    source = keys.add_mutually_exclusive_group(required=True)
    source.add_argument("--scan", action="store_true", help="read each key with ssh-keyscan at the node's inventory "
                                                            "address and ssh.port (from a trusted network)")
    source.add_argument("--known-hosts", type=Path, metavar="FILE",
                        help="read the keys from a known_hosts file (by address, [address]:port, name or FQDN)")
    keys.add_argument("--node", action="append", metavar="NAME", help="only this node (repeatable)")
    keys.add_argument("--timeout", type=int, default=5, metavar="SECONDS", help="ssh-keyscan's -T (default: 5)")
    keys.add_argument("--dry-run", action="store_true", help="print what would be pinned, write nothing")
    keys.set_defaults(func=cmd_host_keys)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _READS.clear()
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_INVALID_CONFIG


def run() -> None:
    """The `goldentooth` command: `main`, then exit."""
    # One short process that keeps what it builds: the collector would only walk it (a quarter of the imports'
    # and of an evaluation's CPU time, docs/performance.md). Not in `main`, which tests call in-process.
    gc.disable()
    code = main()
    # Spare the interpreter's final collections a walk over the whole evaluation (a fifth of a real-stack plan).
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
