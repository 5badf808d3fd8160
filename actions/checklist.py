"""When a message may hold a warning sign that the rules cannot place: ask, do not guess.

``checklist_for(text, findings)`` picks a short list of the red flags that fit what the person wrote
(the head, the chest, the throat, a child, an injury, the lower back, a fever), each as a button whose
payload is plain text ("I have a fever and a stiff neck"), so the answer goes through the same NLU
and triage as anything typed. Channels without buttons get the same list as text. No Rasa imports.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Sequence, Tuple

from actions.context import asserted_text

Item = Tuple[str, str]  # (title, what the button sends)

ITEMS = {
    "fever_neck": ("A fever with a stiff neck", "I have a fever and a stiff neck"),
    "headache": ("A sudden, very bad headache", "I have a sudden severe headache, the worst ever"),
    "stroke": ("Face drooping, weak arm or slurred speech", "my face is drooping and my speech is slurred"),
    "chest": ("Chest pain or pressure", "I have chest pain"),
    "heart": ("Pain in the jaw or arm with sweating or sickness", "pain in my jaw and arm and I'm sweating"),
    "breathing": ("Trouble breathing", "I have trouble breathing"),
    "throat": ("Throat or tongue swelling", "my throat is swelling up"),
    "swallow": ("Fever and can't swallow", "I have a fever and can't swallow"),
    "rash": ("A rash that doesn't fade under a glass", "I have a rash that doesn't fade under a glass"),
    "limbs": ("Numb or weak arms or legs", "my arms or legs are numb or weak"),
    "injury": ("A crash, a fall from a height or a dive", "I hurt my neck in a car crash or a fall from a height"),
    "child_floppy": ("Floppy or hard to wake", "my child is floppy and hard to wake"),
    "child_feeding": ("Not feeding or drinking", "my child is not feeding"),
    "saddle": ("Numbness between the legs or bladder problems", "I have numbness between my legs and can't pee"),
    "confusion": ("Drowsy or confused", "I'm drowsy and confused"),
    "weight": ("Weight loss or night sweats", "I'm losing weight without trying and have night sweats"),
}

# (pattern over the asserted, normalised text, items that fit), in order of priority.
TOPICS: Sequence[Tuple[str, Tuple[str, ...]]] = (
    (
        r"\b(baby|babies|toddler|infant|newborn|son|daughter|child|kid|little one|months? old)\b",
        ("child_floppy", "child_feeding", "rash", "breathing", "fever_neck"),
    ),
    (
        r"\b(head|headache|migraine|vision|eyes?|face|speech|words|dizzy|dizziness)\b",
        ("headache", "stroke", "fever_neck", "confusion"),
    ),
    (
        r"\b(chest|heart|jaw|arm|arms|sweat\w*|clammy|breath\w*|palpitations?)\b",
        ("chest", "heart", "breathing", "limbs"),
    ),
    (r"\b(throat|tongue|lips?|swallow\w*|allerg\w*|sting|rash|hives)\b", ("throat", "breathing", "swallow", "rash")),
    (
        r"\b(crash|accident|fell|fall|fallen|hit|knocked|injur\w*|whiplash|dive|dived)\b",
        ("injury", "limbs", "headache"),
    ),
    (r"\b(lower back|low back|back|bum|bottom|legs?|bladder|pee|bowel)\b", ("saddle", "limbs", "fever_neck")),
    (r"\b(fever|temperature|temp|hot|shiver\w*|chills|sweats)\b", ("fever_neck", "rash", "swallow", "confusion")),
)
DEFAULT = ("fever_neck", "headache", "chest", "breathing", "limbs")
MAX_ITEMS = 5


def checklist_for(text: str, findings: Iterable[str] = ()) -> List[Item]:
    """The red flags worth asking about for ``text`` (at most ``MAX_ITEMS``, most fitting first)."""
    norm = asserted_text(text) + " " + " ".join(f.replace("_", " ") for f in findings)
    chosen: List[str] = []
    for pattern, items in TOPICS:
        if re.search(pattern, norm):
            chosen += [i for i in items if i not in chosen]
    for i in DEFAULT:
        if i not in chosen:
            chosen.append(i)
    return [ITEMS[i] for i in chosen[:MAX_ITEMS]]


def checklist_text(items: Sequence[Item]) -> str:
    lines = [
        "I want to be sure I understand, so I won't guess. Do you (or the person you're asking about) "
        "have any of these right now?"
    ]
    lines += [f"- {title}" for title, _ in items]
    lines.append('Tap one, tell me in your own words, or say "none of these".')
    return "\n".join(lines)


def checklist_buttons(items: Sequence[Item]) -> List[Dict[str, str]]:
    return [{"title": t, "payload": p} for t, p in items] + [{"title": "None of these", "payload": "none of these"}]


# Body parts and words that, in a message the assistant cannot place, may hide an emergency.
_WARNING = re.compile(
    r"\b(chest|heart|breath\w*|breathe|throat|tongue|swallow\w*|head|face|speech|speak|talk\w*|vision|faint\w*|"
    r"collaps\w*|bleed\w*|blood|baby|toddler|infant|newborn|unconscious|numb\w*|paralys\w*)\b"
)
_TROUBLE = re.compile(
    r"\b(wrong|weird|funny|strange|odd|bad|worse|worst|scared|scary|worried|not right|off|heavy|tight|pressure|"
    r"hurts?|pain\w*|ache\w*|cant|cannot|trouble|problem|help|emergency|serious)\b"
)


def may_be_a_warning_sign(text: str) -> bool:
    """Whether a message nobody could place names a part of the body where an emergency hides (chest,
    breathing, throat, head, a baby) together with a sign of trouble ("feels wrong", "can't")."""
    norm = asserted_text(text)
    return bool(_WARNING.search(norm) and _TROUBLE.search(norm))
