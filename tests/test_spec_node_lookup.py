"""`ClusterSpec.node`: a lookup by name from an index built once, never stale after a copy with other nodes."""

import pytest

from config.spec import ClusterSpec
from offline.evaluate import Evaluation


def test_every_node_is_found_by_its_name_and_an_unknown_name_is_a_key_error(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    assert [spec.node(n.name) for n in spec.nodes] == list(spec.nodes)
    with pytest.raises(KeyError, match="no node named 'nobody'"):
        spec.node("nobody")


def test_a_copy_with_other_nodes_looks_up_its_own_nodes(real_evaluation: Evaluation) -> None:
    spec: ClusterSpec = real_evaluation.spec
    spec.node("bettley")  # the index exists on the original, and model_copy carries it over
    without = spec.model_copy(update={"nodes": tuple(n for n in spec.nodes if n.name != "bettley")})
    with pytest.raises(KeyError):
        without.node("bettley")
    assert without.node("dalt") is spec.node("dalt")
    assert "bettley" in spec.nodes_by_name()


def test_the_index_is_no_part_of_what_the_spec_compares_or_dumps(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    spec.node("bettley")
    fresh = ClusterSpec.model_validate(spec.model_dump(by_alias=True))
    assert fresh == spec
    assert fresh.model_dump_json() == spec.model_dump_json()
