"""The lifecycle layer asks nothing of the others: it owns `LeaveStep` (components/contributions.py) and builds
every layer's leave steps from the merged contributions (lifecycle/component.py)."""

from components.contributions import Contributions
from config.spec import ClusterSpec


def contributions(spec: ClusterSpec) -> Contributions:
    return Contributions()
