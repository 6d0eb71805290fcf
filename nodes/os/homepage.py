"""The node homepage on :8090 that HAProxy's `<node>-homepage` backends check (`GET /`) and route
`<node>.<nodes domain>` to (edge/existing_services.py): nginx serving /srv/status, as the Ansible era's
`setup_node_homepages` did. An index.html already there (the Ansible era's, with the node's picture) is kept; a
fresh node gets a page that names it.
"""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script
from nodes.os.context import StepContext, after

HOMEPAGE_PORT = 8090  # what the live cluster serves and HAProxy checks
SITE = "/etc/nginx/sites-enabled/node-homepage.conf"
ROOT = "/srv/status"
_SCRIPT = Script.beside(__file__, "homepage.sh")


def site_conf() -> str:
    return (
        "# goldentooth (managed): the node homepage HAProxy's homepage backends check and route to.\n"
        "server {\n"
        f"    listen {HOMEPAGE_PORT} default_server;\n"
        "    server_name _;\n"
        f"    root {ROOT};\n"
        "    index index.html;\n"
        "}\n"
    )


def index_html(node: str, fqdn: str) -> str:
    return f"<!doctype html>\n<title>{node}</title>\n<h1>{node}</h1>\n<p>{fqdn}</p>\n"


def homepage_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    site = site_conf()
    artifacts.record(ctx.name, SITE, site)
    params = {
        "GT_SITE_FILE": SITE,
        "GT_SITE": site,
        "GT_ROOT": ROOT,
        "GT_INDEX": index_html(ctx.name, ctx.cluster.domains.node_fqdn(ctx.name)),
    }
    return ctx.runner.run("homepage", _SCRIPT, params, options=after(*deps, timeout="15m"))
