"""A stand-in for an etcd member's client endpoint in the rollout lab (no etcd here to run as a static pod):
HTTPS on ADDRESS:2379 demanding a client certificate from the cluster's etcd CA, answering `GET /health` as etcd
does, `{"health":"true"}`, or 503 `{"health":"false"}` while the file UNHEALTHY exists. It starts listening
DELAY seconds after it is started (a member rejoining after its boot), so a health check that only waited for
SSH would find it down.

Usage: fake_etcd.py ADDRESS CERT KEY CA UNHEALTHY DELAY
"""

import http.server
import os
import ssl
import sys
import time


class Health(http.server.BaseHTTPRequestHandler):
    unhealthy = ""

    def do_GET(self) -> None:
        if self.path != "/health":
            self.send_error(404)
            return
        healthy = not os.path.exists(self.unhealthy)
        body = b'{"health":"true","reason":""}' if healthy else b'{"health":"false","reason":"lab: marked unhealthy"}'
        self.send_response(200 if healthy else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def main() -> None:
    address, cert, key, ca, unhealthy, delay = sys.argv[1:7]
    time.sleep(float(delay))
    Health.unhealthy = unhealthy
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.load_verify_locations(ca)
    context.verify_mode = ssl.CERT_REQUIRED
    server = http.server.ThreadingHTTPServer((address, 2379), Health)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
