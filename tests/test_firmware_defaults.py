"""Issue 12: writing a node's default firmware values explicitly changes nothing on the node (no comment line in
config.txt, no reboot); a value that differs from the default still does."""

from collections.abc import Callable
from typing import Any

import pytest

from offline.evaluate import Evaluation
from tests.conftest import Edit, node_entry

DEFAULTS: dict[str, dict[str, Any]] = {
    "karstark": {"armFreq": 2000, "overVoltage": 6, "armBoost": True,
                 "fan": {"gpioPin": 14, "tempMillicelsius": 60000}, "disableWifi": True},  # Pi 4B
    "manderly": {"disableWifi": True, "pcieX1": True, "pcieGen": 2},  # Pi 5
}
STEPS = ("firmware", "reboot-check", "reboot", "wait-boot")


def _inputs(ev: Evaluation, node: str) -> dict[str, Any]:
    return {s: ev.named(f"{node}-{s}").raw_inputs for s in STEPS}


@pytest.mark.parametrize("node", sorted(DEFAULTS))
def test_explicit_default_firmware_is_a_no_op(
    node: str, real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    edited = evaluate_edited(lambda plain: node_entry(plain, node).update(firmware=DEFAULTS[node]))
    assert _inputs(edited, node) == _inputs(real_evaluation, node)


def test_a_firmware_value_other_than_the_default_still_changes_the_block(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    lower = {**DEFAULTS["karstark"], "armFreq": 1800}
    edited = evaluate_edited(lambda plain: node_entry(plain, "karstark").update(firmware=lower))
    before, after = _inputs(real_evaluation, "karstark"), _inputs(edited, "karstark")
    assert "arm_freq=1800" in after["firmware"]["create"] and "nodes.karstark.firmware" in after["firmware"]["create"]
    assert after["reboot"]["triggers"] != before["reboot"]["triggers"]

