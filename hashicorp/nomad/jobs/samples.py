"""The jobs the program submits: one batch job anywhere, one GPU job constrained to the GPU node class."""

from config.hashicorp import NomadSettings
from hashicorp.nomad.jobs.model import Constraint, Job, RequestedDevice, Resources, RestartPolicy, Task, TaskGroup


def hello_batch(settings: NomadSettings) -> Job:
    return Job(
        ID="hello-batch", Name="hello-batch", Type="batch", Region=settings.region, Datacenters=(settings.datacenter,),
        TaskGroups=(TaskGroup(
            Name="hello", RestartPolicy=RestartPolicy(),
            Tasks=(Task(Name="hello", Config={"command": "/bin/sh", "args": ["-c", "echo hello from $(hostname)"]},
                        Resources=Resources(CPU=100, MemoryMB=32)),),
        ),),
        Meta={"managed-by": "goldentooth"},
    )


def gpu_smoke(settings: NomadSettings) -> Job:
    return Job(
        ID="gpu-smoke", Name="gpu-smoke", Type="batch", Region=settings.region, Datacenters=(settings.datacenter,),
        Constraints=(Constraint(LTarget="${node.class}", RTarget=settings.gpu_node_class),),
        TaskGroups=(TaskGroup(
            Name="smoke", RestartPolicy=RestartPolicy(),
            Tasks=(Task(Name="nvidia-smi", Config={"command": "/usr/bin/nvidia-smi", "args": ["-L"]},
                        Resources=Resources(CPU=200, MemoryMB=64, Devices=(RequestedDevice(Name="nvidia/gpu"),))),),
        ),),
        Meta={"managed-by": "goldentooth"},
    )


def jobs(settings: NomadSettings, *, has_gpu_clients: bool) -> tuple[Job, ...]:
    return (hello_batch(settings), *((gpu_smoke(settings),) if has_gpu_clients else ()))
