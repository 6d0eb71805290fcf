"""Rendered Consul service registrations and Nomad jobs decode strictly with the real API modules (Go,
`github.com/hashicorp/consul/api` and `github.com/hashicorp/nomad/api`): no field the agents would not read."""

import json
import subprocess
from pathlib import Path

from components.contributions import ConsulService
from config.hashicorp import NomadSettings
from hashicorp.consul.component import registration
from hashicorp.nomad.jobs.model import registration as job_registration
from hashicorp.nomad.jobs.samples import gpu_smoke, hello_batch
from tests.hashicorp_support import hcdecode

SERVICES = (
    ConsulService("jast", "authelia", 9091, ("authentication", "sso"), check_http="https://10.4.0.19:9091/api/health"),
    ConsulService("allyrion", "prometheus", 9090, ("monitoring",), check_http="http://10.4.0.10:9090/-/healthy"),
    ConsulService("gardener", "grafana", 3000),
)


def _decode(kind: str, documents: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    paths = []
    for index, text in enumerate(documents):
        path = tmp_path / f"{kind}-{index}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return subprocess.run([str(hcdecode()), kind, *paths], capture_output=True, text=True, timeout=60)


def test_service_registrations_decode_strictly_as_agent_service_registrations(tmp_path: Path) -> None:
    documents = [json.dumps(registration(s, "10.4.0.19", "goldentooth")) for s in SERVICES]
    result = _decode("consul-service", documents, tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_misspelt_service_field_is_refused_by_the_strict_decoder(tmp_path: Path) -> None:
    bad = registration(SERVICES[0], "10.4.0.19", "goldentooth")
    bad["EnableTagOverrides"] = False  # the real field is EnableTagOverride
    result = _decode("consul-service", [json.dumps(bad)], tmp_path)
    assert result.returncode == 1
    assert "EnableTagOverrides" in result.stderr


def test_the_sample_jobs_decode_strictly_as_nomad_api_jobs(tmp_path: Path) -> None:
    settings = NomadSettings()
    result = _decode("nomad-job", [job_registration(hello_batch(settings)), job_registration(gpu_smoke(settings))],
                     tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_job_field_nomad_does_not_know_is_refused(tmp_path: Path) -> None:
    body = json.loads(job_registration(hello_batch(NomadSettings())))
    body["Job"]["TaskGroups"][0]["Tasks"][0]["Resource"] = {"CPU": 1}
    result = _decode("nomad-job", [json.dumps(body)], tmp_path)
    assert result.returncode == 1 and "Resource" in result.stderr


def test_the_gpu_job_is_constrained_to_the_gpu_class_and_asks_for_a_gpu() -> None:
    job = json.loads(job_registration(gpu_smoke(NomadSettings())))["Job"]
    assert job["Constraints"] == [{"LTarget": "${node.class}", "RTarget": "gpu", "Operand": "="}]
    assert job["TaskGroups"][0]["Tasks"][0]["Resources"]["Devices"] == [{"Name": "nvidia/gpu", "Count": 1}]
