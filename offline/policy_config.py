"""`policies/config.json`, generated from the program: the pack cannot import the program (it runs in its own
virtualenv under the Pulumi CLI), so the facts it checks against are written into its config from the
program's own constants and the real stack's spec, and a test fails when the committed file drifts.

    .venv/bin/python -m offline.policy_config --write     # regenerate policies/config.json
"""

import json
import sys
from pathlib import Path
from typing import Any

from config.hardware import CAPABILITIES
from config.spec import ClusterSpec
from k8s import namespaces

ROOT = Path(__file__).resolve().parent.parent
POLICY_CONFIG = ROOT / "policies" / "config.json"
STACK_FILE = ROOT / "Pulumi.goldentooth.yaml"


def policy_config(spec: ClusterSpec) -> dict[str, Any]:
    return {
        "k8s-loadbalancer-ip-in-metallb-pool": {"pools": [str(spec.network.metallb)]},
        "k8s-privileged-pods-allowed-namespaces": {"allowedNamespaces": privileged_namespaces(spec)},
        "k8s-app-resources-and-probes": {"enforcementLevel": "advisory", "systemNamespaces": list(namespaces.PLATFORM)},
        "pi-overclock-within-safe-range": {"limits": overclock_limits()},
        "protected-identities-stay": protected_identities(spec),
    }


def protected_identities(spec: ClusterSpec) -> dict[str, Any]:
    """The identities of the live protected AWS resources, as the real stack names them (policies/identity_rules.py):
    the data buckets and the Vault seal's key, each with the region it lives in."""
    aws = spec.aws
    return {
        "buckets": [{"name": b.name, "region": aws.region} for b in sorted(aws.buckets, key=lambda b: b.name)],
        "kmsAliases": [{"name": f"alias/{aws.vault_seal.alias}", "region": aws.region}],
    }


def privileged_namespaces(spec: ClusterSpec) -> list[str]:
    """The platform's privileged namespaces plus the storage layer's CSI node plugins (they mount volumes into
    pods), named in its config."""
    storage = spec.storage
    return [*namespaces.PRIVILEGED, storage.seaweedfs.csi_namespace, storage.ceph.csi_namespace]


def overclock_limits() -> dict[str, dict[str, int | None]]:
    return {
        model.value: {"maxArmFreq": caps.max_arm_freq if caps.is_pi else None, "maxOverVoltage": caps.max_over_voltage}
        for model, caps in CAPABILITIES.items()
    }


def render(spec: ClusterSpec) -> str:
    return json.dumps(policy_config(spec), indent=2, sort_keys=True) + "\n"


def real_spec() -> ClusterSpec:
    from config.load import parse_spec, read_stack_file

    plain, _ = read_stack_file(STACK_FILE)
    return parse_spec(plain)


def main(argv: list[str]) -> int:
    text = render(real_spec())
    if argv[1:] == ["--write"]:
        POLICY_CONFIG.write_text(text, encoding="utf-8")
        print(f"wrote {POLICY_CONFIG.relative_to(ROOT)}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
