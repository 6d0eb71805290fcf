"""The benchmark's generated inventories are valid configs, so `make bench` times a full evaluation."""

from typing import Any

import pytest
import yaml

from benchmarks.inventory import scaled_config
from config.load import parse_spec, split_namespace
from tests.conftest import STACK_FILE


@pytest.fixture(scope="module")
def real_config() -> dict[str, Any]:
    document = yaml.safe_load(STACK_FILE.read_text(encoding="utf-8"))
    return dict(document["config"])


@pytest.mark.parametrize("total", [17, 100, 1000])
def test_a_scaled_stack_parses_with_the_real_nodes_and_the_generated_ones(real_config: dict[str, Any], total: int) -> None:
    spec = parse_spec(split_namespace(scaled_config(real_config, total)))
    assert len(spec.nodes) == total
    names = [n.name for n in spec.nodes]
    assert names == sorted(names)  # config/canonical.py: the spec lists nodes in name order, whatever was written
    real_names = {n["name"] for n in real_config["goldentooth:nodes"]}
    assert real_names <= set(names)
    assert set(spec.roles.kubernetes.workers) >= set(names) - real_names


def test_a_scaled_stack_beyond_the_node_network_is_refused(real_config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="room for"):
        scaled_config(real_config, 5000)
