"""Which layer and which node a recorded resource belongs to, for summaries and the graph."""

from collections.abc import Mapping

from offline.recorder import RecordedResource

_PACKAGE_LAYERS = {"kubernetes": "k8s"}


def component_layer(type_: str) -> str | None:
    """`goldentooth:k8s:Kubeadm` -> `k8s`; the composition root has no layer of its own."""
    parts = type_.split(":")
    if parts[0] == "goldentooth" and len(parts) == 3 and parts[1] != "index":
        return parts[1]
    return None


def layer_of(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> str:
    current: RecordedResource | None = resource
    while current is not None:
        layer = component_layer(current.type)
        if layer is not None:
            return layer
        current = by_urn.get(current.parent)
    package = resource.type.split(":")[0]
    if package == "pulumi":  # providers: pulumi:providers:aws
        package = resource.type.split(":")[-1]
    return _PACKAGE_LAYERS.get(package, package)


def node_of(resource: RecordedResource, by_urn: Mapping[str, RecordedResource], ips: Mapping[str, str]) -> str | None:
    """The host a resource acts on: its Node ancestor, else the host its SSH connection dials."""
    current: RecordedResource | None = resource
    while current is not None:
        if current.type == "goldentooth:nodes:Node":
            return current.name
        current = by_urn.get(current.parent)
    connection = resource.raw_inputs.get("connection")
    if isinstance(connection, dict):
        return ips.get(str(connection.get("host")))
    return None
