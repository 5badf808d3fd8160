"""Messages that ask two things at once ("what causes spasms and how do I treat them?").

NLU gives a message one intent, so the second question would go unanswered. The actions answer the
intent first and then, if the text also clearly asks for one of the other topics, answer that too.
Plain Python on normalised text (no Rasa imports), so it is easy to test.
"""

from __future__ import annotations

import re
from typing import List

from core.text import normalise

CAUSES = "causes"
TREATMENT = "treatment"
PREVENTION = "prevention"
SEE_DOCTOR = "see_doctor"

# Phrases that ask for a topic. Deliberately narrow: a second answer nobody asked for is noise.
_ASKS = {
    CAUSES: r"what (causes|caused|triggers)|why (do|does|did|is|am|are) |what (is|s) causing|reasons? (for|why)",
    TREATMENT: (
        r"how (do|can|should|would|to) (i |you |we )?(treat|fix|relieve|ease|cure|get rid|stop (it|them|the pain))"
        r"|what (helps|can i do|should i do|can i take|is the treatment)|how (is|are) (it|they) treated"
        r"|treatments?\b|remed(y|ies)"
    ),
    PREVENTION: r"prevent|(stop|keep) (it|them|this) (from )?(coming back|happening|returning)|avoid (it|them|getting)",
    SEE_DOCTOR: (
        r"(see|call|go to|visit) (a |my |the )?(doctor|gp|dr|physician|hospital)"
        r"|when should i worry|is (it|this) serious"
    ),
}
_PATTERNS = {topic: re.compile(source) for topic, source in _ASKS.items()}
# Two clauses: "and", "also", "plus", or a second question mark.
_JOIN = re.compile(r"\b(and|also|plus|then)\b")


def topics_asked(text: str) -> List[str]:
    """The topics a message asks for, in the order they appear."""
    norm = normalise(text)
    found = []
    for topic, pattern in _PATTERNS.items():
        match = pattern.search(norm)
        if match:
            found.append((match.start(), topic))
    return [topic for _, topic in sorted(found)]


def second_request(text: str, answered: str) -> str | None:
    """The other topic a two-part message asks for, besides ``answered``; None if it asks one thing."""
    if not text or text.startswith("/"):
        return None
    if not _JOIN.search(normalise(text)) and text.count("?") < 2:
        return None
    others = [topic for topic in topics_asked(text) if topic != answered]
    return others[0] if others else None
