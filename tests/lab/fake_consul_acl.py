"""A fake of Consul's ACL HTTP API, for the ACL step's lab test: the endpoints `hashicorp/consul/acl.sh` calls,
with Consul's documented shapes and status codes, over TLS that demands a client certificate (verify_incoming).
Also the agent's member list and force-leave (`hashicorp/consul/force_leave.sh`): `members` in the state.

    python fake_consul_acl.py ADDRESS PORT CERT KEY CA MANAGEMENT_TOKEN STATE_FILE

State (policies and tokens) lives in STATE_FILE as JSON, so the test can read and edit it between runs. Every
request is appended to STATE_FILE + ".log" as `METHOD PATH`."""

import http.server
import json
import ssl
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

address, port, cert, key, ca, management, state_path = sys.argv[1:8]
state_file = Path(state_path)
lock = threading.Lock()


def load() -> dict[str, Any]:
    if state_file.exists():
        data = json.loads(state_file.read_text())
        assert isinstance(data, dict)
        return data
    return {"policies": {}, "tokens": {}}


def save(data: dict[str, Any]) -> None:
    state_file.write_text(json.dumps(data, indent=1, sort_keys=True))


class Handler(http.server.BaseHTTPRequestHandler):
    def _send(self, status: int, body: Any = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _handle(self, method: str) -> None:
        with lock, Path(f"{state_path}.log").open("a") as log:
            log.write(f"{method} {self.path}\n")
            self._route(method)

    def _route(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/v1/status/leader":
            return self._send(200, "10.4.0.14:8300")
        if self.headers.get("X-Consul-Token") != management:
            return self._send(403, "ACL not found")
        data = load()
        policies, tokens = data["policies"], data["tokens"]
        members = data.get("members", [])  # [{Name, Addr, Status}]: 1 alive, 3 left, 4 failed
        if method == "GET" and path == "/v1/agent/members":
            return self._send(200, members)
        if method == "PUT" and path.startswith("/v1/agent/force-leave/"):
            node = path.rsplit("/", 1)[1]
            found = next((m for m in members if m["Name"] == node), None)
            if found is None:
                return self._send(500, f"agent: No node found with name '{node}'")
            if found["Status"] == 1:  # the alive node would refute the leave intent: refuse, as a test oracle
                return self._send(500, f"fake: {node} is alive")
            if "prune" in self.path.split("?", 1)[-1]:
                members.remove(found)
            else:
                found["Status"] = 3
            save({**data, "members": members})
            return self._send(200)
        if method == "GET" and path == "/v1/acl/token/self":
            return self._send(200, {"AccessorID": "management", "SecretID": management})
        if path.startswith("/v1/acl/policy/name/") and method == "GET":
            found = next((p for p in policies.values() if p["Name"] == path.rsplit("/", 1)[1]), None)
            return self._send(200, found) if found else self._send(404, "ACL not found")
        if path == "/v1/acl/policy" and method == "PUT":
            body = self._body()
            if any(p["Name"] == body["Name"] for p in policies.values()):
                return self._send(500, "Invalid Policy: A Policy with Name already exists")
            policy = {**body, "ID": str(uuid.uuid4())}
            policies[policy["ID"]] = policy
            save(data)
            return self._send(200, policy)
        if path.startswith("/v1/acl/policy/") and method == "PUT":
            policy_id = path.rsplit("/", 1)[1]
            if policy_id not in policies:
                return self._send(404, "ACL not found")
            policies[policy_id] = {**self._body(), "ID": policy_id}
            save(data)
            return self._send(200, policies[policy_id])
        if path == "/v1/acl/token" and method == "PUT":
            body = self._body()
            if body["AccessorID"] in tokens:
                return self._send(500, "Invalid Token: AccessorID is already in use")
            if any(t["SecretID"] == body["SecretID"] for t in tokens.values()):
                return self._send(500, "Invalid Token: SecretID is already in use")
            for link in body.get("Policies", []):
                if not any(p["Name"] == link["Name"] for p in policies.values()):
                    return self._send(500, f"No such ACL policy with name \"{link['Name']}\"")
            tokens[body["AccessorID"]] = body
            save(data)
            return self._send(200, body)
        if path.startswith("/v1/acl/token/"):
            accessor = path.rsplit("/", 1)[1]
            if accessor not in tokens:
                return self._send(404, "ACL not found")
            if method == "GET":
                return self._send(200, tokens[accessor])
            if method == "PUT":
                body = self._body()
                if body.get("SecretID") not in (None, tokens[accessor]["SecretID"]):
                    return self._send(400, "Cannot change the SecretID of a token")
                tokens[accessor] = {**body, "SecretID": tokens[accessor]["SecretID"]}
                save(data)
                return self._send(200, tokens[accessor])
            if method == "DELETE":
                del tokens[accessor]
                save(data)
                return self._send(200, True)
        return self._send(404, f"no route for {method} {path}")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, *args: object) -> None:
        """Quiet: requests go to the state's log file above."""


server = http.server.ThreadingHTTPServer((address, int(port)), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
context.load_verify_locations(ca)
context.verify_mode = ssl.CERT_REQUIRED  # Consul's verify_incoming: no client certificate, no answer
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
