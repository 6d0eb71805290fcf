"""Write every recorded file to DIR/<node>/<path on the node> (and DIR/cluster/...) for review."""

from pathlib import Path

from offline.evaluate import Evaluation


def write_files(ev: Evaluation, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    for f in ev.files:
        target = (root / f.node / f.path.lstrip("/")).resolve()
        if root not in target.parents:
            raise ValueError(f"refusing to write {f.path!r} of {f.node}: it escapes {out}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.content, encoding="utf-8")
        target.chmod(int(f.mode, 8))
    return len(ev.files)
