"""The five pulumi_cloudflare names the tunnel uses, without paying for the other ~780 modules.

`pulumi_cloudflare/__init__.py` star-imports every generated module (over a second of CPU here), and Python
runs a package's `__init__` before any submodule. So the package object is created from its spec without
running `__init__` (importlib's documented `module_from_spec`; `exec_module` is what `__init__` would be),
and the submodules this layer needs are imported from it. The package stays complete for everyone else: the
first attribute another caller asks of it that is not loaded yet (PEP 562 module `__getattr__`) runs the
real `__init__` once, which re-binds the same class objects from the cached submodules. If the package is
already imported, it is used as is."""

import importlib.util
import pkgutil
import sys
from types import ModuleType
from typing import Any

PACKAGE = "pulumi_cloudflare"


def _install_deferred_package() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{PACKAGE} is not an importable package")
    package = importlib.util.module_from_spec(spec)
    # `from . import x` asks the package for `x` before importing the submodule: those must stay misses.
    submodules = {m.name for m in pkgutil.iter_modules(spec.submodule_search_locations)}
    completing = False

    def complete_on_demand(name: str) -> Any:
        nonlocal completing
        if completing or name.startswith("__") or name in submodules:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
        completing = True
        del package.__dict__["__getattr__"]
        assert spec.loader is not None
        spec.loader.exec_module(package)  # the real __init__: every module, the resource registrations
        return getattr(package, name)

    package.__dict__["__getattr__"] = complete_on_demand
    sys.modules[PACKAGE] = package


def is_complete(package: ModuleType) -> bool:
    return "__getattr__" not in package.__dict__


_install_deferred_package()

# Imported after the package object exists, so none of these runs the package __init__.
from pulumi_cloudflare.dns_record import DnsRecord  # noqa: E402
from pulumi_cloudflare.get_zero_trust_tunnel_cloudflared_token import (  # noqa: E402
    get_zero_trust_tunnel_cloudflared_token_output,
)
from pulumi_cloudflare.provider import Provider  # noqa: E402
from pulumi_cloudflare.zero_trust_tunnel_cloudflared import ZeroTrustTunnelCloudflared  # noqa: E402
from pulumi_cloudflare.zero_trust_tunnel_cloudflared_config import (  # noqa: E402
    ZeroTrustTunnelCloudflaredConfig,
    ZeroTrustTunnelCloudflaredConfigConfigArgs,
    ZeroTrustTunnelCloudflaredConfigConfigIngressArgs,
)

__all__ = [
    "DnsRecord",
    "Provider",
    "ZeroTrustTunnelCloudflared",
    "ZeroTrustTunnelCloudflaredConfig",
    "ZeroTrustTunnelCloudflaredConfigConfigArgs",
    "ZeroTrustTunnelCloudflaredConfigConfigIngressArgs",
    "get_zero_trust_tunnel_cloudflared_token_output",
]
