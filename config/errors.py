"""Config violations: each names its path and the rule it breaks, never a secret value."""

from collections.abc import Iterable
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

    def redacted(self, secrets: Iterable[str]) -> "ConfigError":
        """The same violations with every secret value masked: a value pasted into the wrong key is still a secret."""
        values = sorted((s for s in secrets if s), key=len, reverse=True)

        def mask(text: str) -> str:
            for value in values:
                text = text.replace(value, "[secret]")
            return text

        return ConfigError([Violation(mask(v.path), mask(v.message)) for v in self.violations])

    def report(self) -> str:
        count = len(self.violations)
        head = f"invalid goldentooth config: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  - {v}" for v in self.violations)])
