"""Wording of the assistant's medical replies, built from the knowledge base (no Rasa imports).

Plain text with simple "- " bullets, so that every channel (web widget, SMS, Slack, ...) shows it.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from core import scope
from core.knowledge_base import Advice, Cause, KnowledgeBase, Suggestion
from core.names import CRISIS_LINE_ENTITY, CRISIS_SLOT, EMERGENCY, URGENT
from core.triage import Assessment, crisis_line, first_line

MAX_LIST_PAGE = 8  # causes per page of the list; groups are never split

Button = Dict[str, str]


def button(title: str, intent: str, **entities: str) -> Button:
    payload = "/" + intent + (json.dumps(entities) if entities else "")
    return {"title": title, "payload": payload}


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def list_pages(kb: KnowledgeBase) -> List[List[Cause]]:
    """The causes in reading order, cut into pages of whole groups."""
    pages: List[List[Cause]] = []
    current: List[Cause] = []
    for _group, causes in kb.by_group():
        if current and len(current) + len(causes) > MAX_LIST_PAGE:
            pages.append(current)
            current = []
        current.extend(causes)
    if current:
        pages.append(current)
    return pages


def causes_page(kb: KnowledgeBase, page: int) -> str:
    pages = list_pages(kb)
    shown = {c.id for c in pages[page]}
    parts = []
    if page == 0:
        parts.append(
            f"Neck spasms can have many causes ({len(kb.causes)} in my knowledge base). "
            "Most are everyday ones and ease with self-care:"
        )
    else:
        parts.append("More possible causes:")
    for group, causes in kb.by_group():
        in_page = [c for c in causes if c.id in shown]
        if in_page:
            parts.append(f"{group.title}:\n" + bullets([c.name for c in in_page]))
    if page + 1 < len(pages):
        parts.append('Ask about any of them by name, or say "what else?" for more.')
    else:
        parts.append("That is the whole list. Ask about any of them by name to learn more.")
    return "\n\n".join(parts)


def explain_cause(cause: Cause) -> str:
    return (
        f"{cause.name} can cause neck spasms. {cause.what_it_is}\n\n"
        f"How it leads to spasms: {cause.how_it_causes_spasms}\n\n"
        f"Typical signs:\n{bullets(cause.symptoms)}"
    )


def more_about_cause(cause: Cause) -> str:
    return (
        f"More about {cause.name.lower()}.\n\nWhat tends to bring it on:\n{bullets(cause.triggers)}\n\n"
        f"What usually helps:\n{bullets(cause.treatment)}\n\nWhen to see a professional: {cause.see_doctor}"
    )


def treatment(cause: Optional[Cause], general: Advice) -> str:
    if cause is None:
        return f"{general.intro}\n{bullets(general.steps)}"
    return (
        f"What usually helps with {cause.name.lower()}:\n{bullets(cause.treatment)}\n\n"
        "A doctor or physiotherapist should confirm the cause before you start a treatment."
    )


def prevention(cause: Optional[Cause], general: Advice) -> str:
    if cause is None:
        return f"{general.intro}\n{bullets(general.steps)}"
    return f"To lower the chance of {cause.name.lower()} causing spasms:\n{bullets(cause.prevention)}"


def when_to_see_doctor(cause: Optional[Cause], general: Advice) -> str:
    text = f"{general.intro}\n{bullets(general.steps)}"
    if cause is not None:
        text = f"For {cause.name.lower()}: {cause.see_doctor}\n\n" + text
    return text


def suggestions(found: Sequence[Suggestion]) -> str:
    lines = ["From what you describe, these are possible causes, most likely first:"]
    for i, s in enumerate(found, start=1):
        said = f' (you said "{", ".join(s.matched)}")' if s.matched else ""
        lines.append(f"{i}. {s.cause.name}{said}: {' '.join(s.reasons)}")
    lines.append(
        "This is not a diagnosis: only a professional who examines you can say what it is. "
        "If the spasms are severe, keep coming back, or do not ease within a couple of weeks, "
        "book an appointment with a doctor or physiotherapist."
    )
    return "\n".join(lines)


def escalation(assessment: Assessment) -> str:
    """The triage message: the action to take first, then why, in one line."""
    assert assessment.level is not None
    text = f"{first_line(assessment.level)} {assessment.reason}"
    if assessment.level == EMERGENCY:
        text += " Do not wait to see if it gets better, and do not drive yourself."
    elif assessment.level == URGENT:
        text += " If it gets worse quickly, call your local emergency number."
    return text


def emergency_details(assessment: Assessment) -> str:
    """What follows the static emergency reply: why, in one line (the action to take came first)."""
    return f"Why: {assessment.reason} If you are not sure, call anyway: they will tell you what to do."


def emergency_reminder(tracker: Optional[Any] = None) -> str:
    """Said before any other answer once an emergency (or a crisis) has been raised in the conversation."""
    action = first_line(EMERGENCY)
    if tracker is not None and tracker.get_slot(CRISIS_SLOT):
        line = tracker.get_slot(CRISIS_LINE_ENTITY) or crisis_line()
        return (
            f"Please remember: if you are in danger, {action[0].lower()}{action[1:]} "
            f"You can talk to someone any time: {line}."
        )
    return f"Please remember what I said: if you have not called yet, {action[0].lower()}{action[1:]}"


def shoulder_link(text: str) -> Optional[str]:
    """Why a shoulder or upper-back complaint is answered by a neck assistant; None for other messages."""
    where = scope.region(text)
    if where not in ("shoulder", "upper_back"):
        return None
    place = "upper back" if where == "upper_back" else "shoulders"
    return (
        f"Pain in the {place} often goes together with the neck: the muscles that tighten in a neck spasm "
        "(the trapezius and the levator scapulae) run from the neck into the shoulders and upper back, "
        "posture and desk set-up strain them all, and a pinched nerve in the neck can send pain to the "
        "shoulder blade and down the arm. A pain in the shoulder joint itself (lifting the arm, after a "
        "fall or a dislocation) needs a doctor or physiotherapist to look at it."
    )


def lower_back() -> str:
    """The plain answer for the lower back: not covered, general advice, when to get help."""
    return (
        "My knowledge base covers the neck, the shoulders and the upper back, not the lower back, so I "
        "can't go through the causes of lower-back pain with you. What generally helps most back pain:\n"
        + bullets(
            [
                "Keep moving gently and carry on with daily life as far as you can; long bed rest slows recovery.",
                "Heat (a warm bath or a heat pack) and painkillers from a pharmacy, as the pack says.",
                "Gentle stretches once the worst has eased; a pharmacist can advise on what suits you.",
            ]
        )
        + "\n\nBook an appointment with a GP or physiotherapist if it is not getting better after a few weeks, "
        "keeps coming back, or stops you working or sleeping. Get help straight away (call your emergency "
        "number or go to A&E) if you have numbness around your bottom or genitals, trouble passing or "
        "holding urine or stools, or weakness or numbness in both legs."
    )


def names_list(names: Sequence[str]) -> str:
    """ "a, b and c"; "a, b, and c and d" when the last name has an "and" of its own."""
    if len(names) < 2:
        return "".join(names)
    last = ", and " if " and " in names[-1] else " and "
    return ", ".join(names[:-1]) + last + names[-1]


def no_single_cause(most_common: Sequence[Cause]) -> str:
    """The end of the interview when the answers single out no cause: the most common ones, by name."""
    listed = names_list([c.name.lower() for c in most_common])
    return (
        f"From what you told me I can't single out a cause. The most common ones are {listed}; "
        'say "what causes neck spasms?" to see them all.'
    )


def interview_offer() -> str:
    return (
        "A professional should confirm what it is. If you like, I can ask a few quick questions about it "
        "(how long, how often, how bad, what brings it on) to narrow it down and say whether to see a doctor."
    )


def meant_cause(cause: Cause) -> str:
    return f"It sounds like you mean {cause.name.lower()}, one of the causes in my knowledge base."


def closest_causes(causes: Sequence[Cause]) -> str:
    listed = ", ".join(c.name.lower() for c in causes)
    return (
        "I don't have that one in my knowledge base. The closest causes I can explain are: "
        f"{listed}. Tap one to hear about it, or ask me to list them all."
    )
