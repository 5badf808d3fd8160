"""When a message may hold a warning sign that the rules cannot place: ask, do not guess.

``checklist_for(text, findings)`` picks a short list of the red flags that fit what the person wrote,
from the ``checklist:`` section of ``kb/red_flags.yml`` (the red-flag rules' own file): the items of
the topics whose words the message uses, then the default ones. Each is a button whose payload is
plain text ("I have a fever and a stiff neck"), so the answer goes through the same NLU and triage as
anything typed. Channels without buttons get the same list as text. No Rasa imports.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Sequence

from core.context import asserted_text
from core.triage import ChecklistItem, get_red_flags

MAX_ITEMS = 5
NONE_OF_THESE = {"title": "None of these", "payload": "none of these"}
# Words that say something is wrong, beside a part of the body where an emergency hides.
_TROUBLE = re.compile(
    r"\b(wrong|weird|funny|strange|odd|bad|worse|worst|scared|scary|worried|not right|off|heavy|tight|pressure|"
    r"hurts?|pain\w*|ache\w*|cant|cannot|trouble|problem|help|emergency|serious)\b"
)


def _text(text: str, findings: Iterable[str] = ()) -> str:
    return asserted_text(text) + " " + " ".join(f.replace("_", " ") for f in findings)


def checklist_for(text: str, findings: Iterable[str] = (), first_rules: Iterable[str] = ()) -> List[ChecklistItem]:
    """The red flags worth asking about for ``text`` (at most ``MAX_ITEMS``, most fitting first).

    ``first_rules``: rules the message reads like (``Assessment.ask``); their items come first, or else
    the items of rules of the same family (``stroke_face`` for ``stroke_vision``)."""
    checklist = get_red_flags().checklist
    norm = _text(text, findings)
    chosen: List[str] = []
    for rule in first_rules:
        family = rule.split("_")[0]
        same = [i for i, item in checklist.items.items() if item.rule == rule]
        chosen += same or [i for i, item in checklist.items.items() if item.rule.split("_")[0] == family]
    for words, ids, _warning in checklist.topics:
        if words.search(norm):
            chosen += [i for i in ids if i not in chosen]
    chosen += [i for i in checklist.default if i not in chosen]
    return [checklist.items[i] for i in list(dict.fromkeys(chosen))[:MAX_ITEMS]]


def checklist_text(items: Sequence[ChecklistItem]) -> str:
    lines = [
        "I want to be sure I understand, so I won't guess. Do you (or the person you're asking about) "
        "have any of these right now?"
    ]
    lines += [f"- {item.ask}" for item in items]
    lines.append('Tap one, tell me in your own words, or say "none of these".')
    return "\n".join(lines)


def checklist_buttons(items: Sequence[ChecklistItem]) -> List[Dict[str, str]]:
    return [{"title": item.ask, "payload": item.says} for item in items] + [NONE_OF_THESE]


def may_be_a_warning_sign(text: str) -> bool:
    """Whether a message nobody could place names a part of the body where an emergency hides (a topic
    marked ``warning``: the chest, breathing, the throat, the head, a baby) and a sign of trouble."""
    norm = _text(text)
    alarming = any(warning and words.search(norm) for words, _ids, warning in get_red_flags().checklist.topics)
    return alarming and bool(_TROUBLE.search(norm))
