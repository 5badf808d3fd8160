"""Plain-text fallbacks for platforms that cannot show ``custom`` payloads or buttons."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Mapping, Optional

from core.names import CRISIS_KEY, EMERGENCY, SEE_DOCTOR, TRIAGE_KEY, URGENT
from core.triage import crisis_line, first_line

# A short label before the instruction, so a triage message stands out in a plain-text chat.
_LABELS = {EMERGENCY: "EMERGENCY", URGENT: "URGENT", SEE_DOCTOR: "Advice"}


def custom_as_text(payload: Any) -> Optional[str]:
    """The text to send instead of a ``custom`` payload, or None when it adds nothing to the text.

    Only a triage decision becomes text: its instruction, repeated as a labelled line of its own, so an
    emergency still reads "Call your local emergency number ... now." on a platform without the widget.
    ``cause``/``causes`` are for machines; the message before them already says it in words.
    """
    if not isinstance(payload, Mapping):
        return None
    if payload.get(CRISIS_KEY):
        action = first_line(EMERGENCY).lower()
        return f"CRISIS SUPPORT: if you are in danger now, {action} Talk to someone: {crisis_line()}."
    level = payload.get(TRIAGE_KEY)
    if level not in _LABELS:
        return None
    return f"{_LABELS[level]}: {first_line(str(level))}"


def buttons_as_text(text: str, buttons: Iterable[Dict[str, Any]]) -> str:
    """The message text followed by the button titles as things the person can type back."""
    titles = [str(b.get("title", "")).strip() for b in buttons if str(b.get("title", "")).strip()]
    if not titles:
        return text
    return f"{text}\n\nYou can reply: " + " | ".join(titles)


def env_url(name: str) -> Optional[str]:
    """A platform API base URL override from the environment (tests point it at a local fake)."""
    value = os.environ.get(name, "").strip()
    return value.rstrip("/") or None
