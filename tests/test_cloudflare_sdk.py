"""`cloudflare/sdk.py` loads only the Cloudflare modules the tunnel uses, yet leaves `pulumi_cloudflare` a
complete package for any other caller. Run in fresh interpreters: import state is process-wide."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def _run(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


def _loaded() -> str:
    return "sum(1 for m in sys.modules if m.startswith('pulumi_cloudflare'))"


def test_the_fast_path_loads_a_handful_of_modules_not_the_whole_sdk() -> None:
    got = _run(f"import sys, json; from cloudflare import sdk; print(json.dumps({{'loaded': {_loaded()}}}))")
    assert isinstance(got["loaded"], int) and got["loaded"] < 20


def test_other_callers_still_get_the_complete_package_with_the_same_classes() -> None:
    got = _run(
        "import sys, json; from cloudflare import sdk; import pulumi_cloudflare as pc;"
        "same = pc.DnsRecord is sdk.DnsRecord and pc.ZeroTrustTunnelCloudflared is sdk.ZeroTrustTunnelCloudflared;"
        "zone = pc.Zone.__name__;"
        "missing = not hasattr(pc, 'NoSuchResource');"
        f"print(json.dumps({{'same': same, 'zone': zone, 'missing': missing, 'complete': sdk.is_complete(pc), 'loaded': {_loaded()}}}))"
    )
    assert got == {"same": True, "zone": "Zone", "missing": True, "complete": True, "loaded": got["loaded"]}
    assert isinstance(got["loaded"], int) and got["loaded"] > 500


def test_an_sdk_imported_first_is_used_as_it_is() -> None:
    got = _run(
        "import sys, json; import pulumi_cloudflare as pc; from cloudflare import sdk;"
        "print(json.dumps({'same': sdk.DnsRecord is pc.DnsRecord, 'complete': sdk.is_complete(pc)}))"
    )
    assert got == {"same": True, "complete": True}
