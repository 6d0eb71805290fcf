"""Which resources hold state that a replace or delete would destroy, decided from what a policy can see.

Convention (documented in docs/policies.md):
- AWS KMS keys and Route53 zones always hold state.
- S3 buckets are data buckets unless tagged `goldentooth:stateful = "false"` (e.g. a site bucket rebuilt
  from git); any taggable resource can opt in with `goldentooth:stateful = "true"`.
- A remote command holds state when its script carries the marker comment `# goldentooth:stateful <what>`,
  or when it creates durable data with a well-known command: `zpool create`, `mkfs`, `vault operator init`,
  `kubeadm init` (etcd), or `kubeadm join ... --control-plane` (an etcd member). Comment lines other than
  the marker are ignored, so mentioning a command in a comment does not count.
"""

import re
from collections.abc import Mapping
from typing import Any

from policies.common import COMMAND_TYPES, Needle, code, get, tag

STATEFUL_TAG = "goldentooth:stateful"
MARKER = Needle("goldentooth:stateful", re.compile(r"(?m)^\s*#\s*goldentooth:stateful\b[:\s]*(?P<what>[^\n]*)$"))
ALWAYS_STATEFUL = {
    "aws:kms/key:Key": "KMS key",
    "aws:route53/zone:Zone": "Route53 zone",
}
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
DURABLE_COMMANDS = (
    (Needle("zpool", re.compile(r"\bzpool\s+create\b")), "ZFS pool"),
    (Needle("mkfs", re.compile(r"\bmkfs(\.[a-z0-9]+)?\b")), "filesystem on a data disk"),
    (Needle("vault", re.compile(r"\bvault\s+operator\s+init\b")), "Vault storage"),
    (Needle("kubeadm", re.compile(r"\bkubeadm\s+init\b(?!\s+phase\b)")), "etcd (kubeadm init)"),
    (Needle("--control-plane", re.compile(r"\bkubeadm\s+join\b[^\n]*--control-plane\b")),
     "etcd member (control-plane join)"),
)


def command_state(create: str) -> str | None:
    marker = MARKER.search(create)
    if marker:
        return marker.group("what").strip() or "marked stateful"
    lines = code(create)
    for pattern, what in DURABLE_COMMANDS:
        if pattern.search(lines):
            return what
    return None


def bucket_is_data(props: Mapping[str, Any]) -> bool:
    return tag(props, STATEFUL_TAG) != "false"


def state_held(resource_type: str, props: Mapping[str, Any]) -> str | None:
    """What durable state the resource holds, or None."""
    if resource_type in ALWAYS_STATEFUL:
        return ALWAYS_STATEFUL[resource_type]
    if resource_type in BUCKET_TYPES:
        return "data bucket" if bucket_is_data(props) else None
    if resource_type in COMMAND_TYPES:
        create = get(props, "create")
        return command_state(create) if isinstance(create, str) else None
    if tag(props, STATEFUL_TAG) == "true":
        return f"resource tagged {STATEFUL_TAG}=true"
    return None
