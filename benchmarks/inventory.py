"""Grow the real stack to N nodes, for benchmarks: the 17 real nodes keep their roles, and generated
nodes of mixed models join as Kubernetes workers, Consul and Nomad clients, Slurm compute and Ray workers.

Every generated stack is valid (tests/test_config_scaled_inventory.py checks it), so the benchmark times
a full evaluation, not an early config error.
"""

import copy
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import yaml

# One in ten generated nodes is an x86 box, half of those with a GPU; the rest are Pis, as in the zoo.
_MODELS = ("pi4b-8gb", "pi5-8gb", "pi4b-8gb", "pi4b-4gb", "pi5-8gb", "pi4b-8gb", "pi4b-8gb", "pi5-8gb",
           "pi4b-4gb", "x86-64")


def _free_addresses(config: dict[str, Any]) -> list[IPv4Address]:
    network = config["goldentooth:network"]
    nodes = IPv4Network(network["nodes"])
    taken = {IPv4Address(n["ip"]) for n in config["goldentooth:nodes"]} | {IPv4Address(network["gateway"])}
    metallb = IPv4Network(network["metallb"])
    return [ip for ip in nodes.hosts() if ip not in taken and ip not in metallb]


def _generated_node(index: int, ip: IPv4Address) -> dict[str, Any]:
    model = _MODELS[index % len(_MODELS)]
    node: dict[str, Any] = {
        "name": f"node-{index:04d}",
        "model": model,
        "os": "ubuntu-24.04" if model == "x86-64" else "raspios-bookworm",
        "mac": "02:" + ":".join(f"{(index >> s) & 0xFF:02x}" for s in (32, 24, 16, 8, 0)),  # locally administered
        "ip": str(ip),
        "hostIndex": index % 24,
        "disks": [{"device": "/dev/mmcblk0", "sizeGb": 128, "kind": "sd", "purpose": "root"}],
    }
    if model == "x86-64":
        node["ramGb"] = 32
        node["interface"] = "eno1"
        node["disks"] = [{"device": "/dev/nvme0n1", "sizeGb": 1000, "kind": "nvme", "purpose": "root"}]
        if index % 20 == 9:
            node["gpu"] = {"vendor": "nvidia", "model": "GeForce RTX 2070 Super"}
    return node


def scaled_config(real: dict[str, Any], total: int) -> dict[str, Any]:
    """The real stack's `config:` mapping with generated nodes added until there are `total` nodes."""
    config = copy.deepcopy(real)
    real_count = len(config["goldentooth:nodes"])
    if total < real_count:
        raise ValueError(f"the real stack already has {real_count} nodes")
    free = _free_addresses(config)
    if total - real_count > len(free):
        raise ValueError(f"the node network has room for {real_count + len(free)} nodes, not {total}")
    roles = config["goldentooth:roles"]
    for offset in range(total - real_count):
        node = _generated_node(real_count + offset, free[offset])
        config["goldentooth:nodes"].append(node)
        name = node["name"]
        roles["kubernetes"]["workers"].append(name)
        roles["consul"]["clients"].append(name)
        roles["nomad"]["clients"].append(name)
        if "slurm" in roles:
            roles["slurm"]["compute"].append(name)
            slurm = (config.get("goldentooth:batch") or {}).get("slurm")
            if node["model"] == "x86-64" and slurm is not None:
                slurm.setdefault("cpus", {})[name] = 16  # no fixed core count for x86: the batch rules want it stated
        if "ray" in roles:
            roles["ray"]["workers"].append(name)
        if "gpu" in node:
            roles["kubernetes"]["gpuWorkers"].append(name)
            roles["nomad"]["gpuClients"].append(name)
            if "ray" in roles:
                roles["ray"]["gpuWorkers"].append(name)
    return config


def write_scaled_stack(real_stack: Path, total: int, directory: Path) -> Path:
    """Write `Pulumi.bench-<total>.yaml` under `directory` and return its path."""
    document = yaml.safe_load(real_stack.read_text(encoding="utf-8"))
    document["config"] = scaled_config(document["config"], total)
    path = directory / f"Pulumi.bench-{total}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
