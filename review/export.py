"""The messages not understood as a Rasa NLU file for a person to check (``make review EXPORT=path.yml``).

Each distinct wording (redacted) is filed under the intent the model thought most likely, with the
model's guess, its confidence and how often it was seen in the example's metadata. The file is never
written into ``data/``: Rasa trains on every file there, and these examples are guesses until a person
has moved each one to the right intent.
"""

from __future__ import annotations

import datetime
import pathlib
from collections import defaultdict
from typing import Dict, Iterable, List

import yaml

from review.groups import Group
from review.redact import redact
from review.store import ROOT

DATA = ROOT / "data"


class ExportError(ValueError):
    pass


def header(count: int) -> str:
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    return (
        f"# Messages the assistant did not understand, exported by `make review` on {today} ({count} wordings).\n"
        "# TO CHECK, EVERY ONE: each example sits under the intent the model thought most likely, which is\n"
        "# often wrong (that is why it was not understood). Move each to the right intent, or delete it, then\n"
        "# copy it into a file under data/nlu/ and retrain. Nothing here is training data until then.\n"
    )


def nlu_document(groups: Iterable[Group], redacted: bool = True) -> Dict:
    """One example per distinct wording, under the intent the model ranked first for it."""
    by_intent: Dict[str, List[Dict]] = defaultdict(list)
    seen = set()
    for g in groups:
        for wording, count in g.texts.most_common():
            message = g.originals[wording]
            text = " ".join((redact(message.text) if redacted else message.text).split())
            if not text or text.startswith("/") or text.lower() in seen:
                continue
            seen.add(text.lower())
            by_intent[message.guess].append(
                {
                    "text": text,
                    "metadata": {
                        "needs_review": True,
                        "understood_as": message.intent,
                        "model_guess_confidence": round(message.guess_confidence, 3),
                        "times_seen": count,
                    },
                }
            )
    return {"version": "3.1", "nlu": [{"intent": i, "examples": ex} for i, ex in sorted(by_intent.items())]}


def write(path: pathlib.Path, groups: List[Group], redacted: bool = True) -> int:
    target = path.expanduser().resolve()
    if target == DATA or DATA in target.parents:
        raise ExportError(
            f"{path}: not inside data/ (Rasa would train on it as it is). Write it elsewhere, check it, "
            "then move the examples you agree with into data/nlu/."
        )
    document = nlu_document(groups, redacted)
    count = sum(len(i["examples"]) for i in document["nlu"])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        header(count) + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8"
    )
    return count
