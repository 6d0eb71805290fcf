"""The lab's network: a switch namespace with a bridge, a controller namespace the SSH client runs in, and one
namespace per host, each on the bridge at its inventory address. Nothing is configured outside these
namespaces and none has a route out, so the lab can only ever reach its own hosts."""

import subprocess
import uuid
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@dataclass
class Network:
    subnet: IPv4Network
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    namespaces: list[str] = field(default_factory=list)
    ports: int = 0

    @property
    def switch(self) -> str:
        return f"gtl-{self.tag}-sw"

    def up(self) -> None:
        self._add(self.switch)
        ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        ip("-n", self.switch, "link", "set", "br0", "up")

    def _add(self, name: str) -> None:
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("-n", name, "link", "set", "lo", "up")

    def attach(self, label: str, address: IPv4Address, interface: str = "eth0") -> str:
        """A new namespace with `interface` on the bridge at `address`; returns the namespace's name."""
        self.ports += 1
        ns, port = f"gtl-{self.tag}-{label}", f"p{self.ports}"
        self._add(ns)
        ip("-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", interface, "netns", ns)
        ip("-n", self.switch, "link", "set", port, "master", "br0", "up")
        ip("-n", ns, "addr", "add", f"{address}/{self.subnet.prefixlen}", "dev", interface)
        ip("-n", ns, "link", "set", interface, "up")
        return ns

    def down(self) -> None:
        for name in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        self.namespaces.clear()
