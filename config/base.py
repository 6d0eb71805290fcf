"""The base every config model derives from: frozen, unknown keys rejected, camelCase in YAML."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ConfigModel(BaseModel):
    """Frozen pydantic model whose YAML keys are camelCase (Pulumi's convention)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        str_strip_whitespace=True,
    )
