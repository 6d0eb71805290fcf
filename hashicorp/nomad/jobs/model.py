"""A typed Nomad job, rendered as the registration request the HTTP API takes (`POST /v1/jobs`, `{"Job": ...}`).

Field names are the API's (PascalCase, as `github.com/hashicorp/nomad/api.Job` decodes them); the models forbid
anything else, and the tests decode every rendered job strictly with that Go module."""

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Api(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Constraint(_Api):
    l_target: str = Field(alias="LTarget")
    r_target: str = Field(alias="RTarget")
    operand: str = Field(default="=", alias="Operand")


class RequestedDevice(_Api):
    name: str = Field(alias="Name")  # e.g. nvidia/gpu
    count: int = Field(default=1, ge=1, alias="Count")


class Resources(_Api):
    cpu: int = Field(alias="CPU", ge=1)  # MHz
    memory_mb: int = Field(alias="MemoryMB", ge=16)
    devices: tuple[RequestedDevice, ...] = Field(default=(), alias="Devices")


class RestartPolicy(_Api):
    attempts: int = Field(default=0, alias="Attempts")
    mode: Literal["fail", "delay"] = Field(default="fail", alias="Mode")


class Task(_Api):
    name: str = Field(alias="Name")
    driver: Literal["exec"] = Field(default="exec", alias="Driver")
    config: dict[str, object] = Field(alias="Config")
    resources: Resources = Field(alias="Resources")


class TaskGroup(_Api):
    name: str = Field(alias="Name")
    count: int = Field(default=1, ge=1, alias="Count")
    tasks: tuple[Task, ...] = Field(alias="Tasks", min_length=1)
    restart_policy: RestartPolicy | None = Field(default=None, alias="RestartPolicy")


class Job(_Api):
    id: str = Field(alias="ID", pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(alias="Name")
    type: Literal["batch", "service", "system"] = Field(alias="Type")
    region: str = Field(alias="Region")
    datacenters: tuple[str, ...] = Field(alias="Datacenters", min_length=1)
    constraints: tuple[Constraint, ...] = Field(default=(), alias="Constraints")
    task_groups: tuple[TaskGroup, ...] = Field(alias="TaskGroups", min_length=1)
    meta: dict[str, str] = Field(default_factory=dict, alias="Meta")


def registration(job: Job) -> str:
    """The request body, with stable key order (its digest is the submit step's trigger)."""
    body = {"Job": job.model_dump(by_alias=True, exclude_defaults=False)}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"
