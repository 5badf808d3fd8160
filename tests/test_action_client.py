"""Which apology the Rasa server gives when the action server cannot be reached (addons/action_client.py)."""

from __future__ import annotations

from typing import Optional

import pytest

from addons.action_client import APOLOGY_RESPONSE, RED_FLAG_RESPONSE, apology_for


@pytest.mark.parametrize(
    ("action", "intent", "expected"),
    [
        ("action_list_causes", "ask_causes", APOLOGY_RESPONSE),
        ("action_triage", "report_red_flag", RED_FLAG_RESPONSE),
        ("action_explain_cause", "describe_symptoms", RED_FLAG_RESPONSE),
        ("action_suggest_causes", None, RED_FLAG_RESPONSE),
        # The static emergency reply has already told the person what to do: no second instruction.
        ("action_triage", "emergency", APOLOGY_RESPONSE),
    ],
)
def test_apology_for(action: str, intent: Optional[str], expected: str) -> None:
    assert apology_for(action, intent) == expected
