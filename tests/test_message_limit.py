"""The custom NLU component that keeps over-long messages from exhausting DIET."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.message_limit import MessageLengthLimit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("short", "short"),
        ("x" * 25, "x" * 10),  # no space: a hard cut
        ("neck pain " * 3, "neck pain"),  # cut at the last space within the limit
        ("", ""),
    ],
)
def test_truncates_to_the_limit(text: str, expected: str) -> None:
    component = MessageLengthLimit({"max_characters": 10})
    [message] = component.process([Message(data={TEXT: text})])
    assert message.get(TEXT) == expected
    assert len(message.get(TEXT)) <= 10


def test_default_limit_and_validation() -> None:
    assert MessageLengthLimit.get_default_config() == {"max_characters": 2000}
    with pytest.raises(ValueError, match="max_characters"):
        MessageLengthLimit({"max_characters": 0})
