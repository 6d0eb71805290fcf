"""Config violations: each names its path and the rule it breaks, never a secret value."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Violation:
    path: str  # e.g. "nodes.karstark.ip"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ConfigError(Exception):
    """Raised with every violation found, before any resource is registered."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = sorted(set(violations), key=lambda v: (v.path, v.message))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.violations)
        head = f"invalid goldentooth config: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  - {v}" for v in self.violations)])
