"""`goldentooth:adoption`: what already exists (built by the Terraform and Ansible repositories) and is imported
into the stack before the first `pulumi up`, never created beside the original.

Each entry names one resource of the program as `goldentooth plan --json` does (type token and name). Its import
id is given here, or derived from config where it can be (`offline/adoption.py`: a Route53 record is
`<aws.zoneId>_<name>_<type>`, a Helm release `<namespace>/<name>`, an alarm or alias its name). Nothing in the
program reads this section: only `goldentooth import-file` does, so it never changes the plan.
"""

import re

from pydantic import Field, field_validator, model_validator

from config.base import ConfigModel

# A Pulumi type token: `<package>:<module>:<Type>` (modules may hold `/` and `.`, as `kubernetes:helm.sh/v3:Release`).
_TYPE_TOKEN = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9/._-]+:[A-Z][A-Za-z0-9]*$")


class AdoptedResource(ConfigModel):
    type: str  # as `goldentooth plan --json` shows it
    name: str = Field(min_length=1)
    id: str | None = Field(default=None, min_length=1)  # None: derived from config, or asked for by import-file
    why: str = ""  # what exists and why it must be imported (shown by import-file)

    @field_validator("type")
    @classmethod
    def _resource_type(cls, value: str) -> str:
        if value.startswith("pulumi:"):
            raise ValueError(f"{value!r}: providers and the stack cannot be imported; the program creates them")
        if not _TYPE_TOKEN.match(value):
            raise ValueError(f"{value!r} is not a resource type token such as aws:route53/record:Record")
        return value


class AdoptionSpec(ConfigModel):
    """`goldentooth:adoption`."""

    resources: tuple[AdoptedResource, ...] = ()

    @model_validator(mode="after")
    def _once_each(self) -> "AdoptionSpec":
        seen = [(r.type, r.name) for r in self.resources]
        twice = sorted({f"{t} {n}" for t, n in seen if seen.count((t, n)) > 1})
        if twice:
            raise ValueError(f"adopted more than once: {', '.join(twice)}")
        return self
