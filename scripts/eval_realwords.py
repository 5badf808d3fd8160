"""Real people's words about the neck, shoulders and back, played through the whole assistant.

    python scripts/eval_realwords.py            # or: make eval-nlu (after the held-out figures)
    python scripts/eval_realwords.py --json reports/realwords.json

Each case of ``tests/nlu_realwords/`` (public material, evaluation only: sources and licences at the
top of each file) is sent as the first message of a new conversation to the real Rasa server and
action server over the REST webhook. The reply is judged from what the assistant did, read from the
tracker store (SQLite, plain SQL): the actions and responses of that turn and their ``custom``
payloads. A turn is

- ``social``: only a social or privacy reply (greet, goodbye, "you're welcome", yes/no handling,
  the deletion prompt), the nonsense replies this evaluation exists to catch;
- ``refused``: only a fallback, an out-of-scope pointer or "English only";
- ``cause`` (a cause explained or suggested), ``interview`` (the symptom questions), ``advice``
  (treatment, prevention, when to see a doctor, the neck-shoulder link, the lower-back answer) or
  ``triage`` (a level or the red-flag checklist): a relevant reply.

Figures: for neck, shoulder and upper-back messages, the share answered with a relevant reply and
the share with the right kind (a cause question gets its cause; a question gets an answer before
any interview question); for other health complaints, the share given a triage level (false alarms)
and the share pointed elsewhere; social replies to symptom messages (should be none).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sqlite3
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES_DIR = ROOT / "tests" / "nlu_realwords"
IN_SCOPE = ("neck", "shoulder", "upper_back")
LEVELS = ("see_doctor", "urgent", "emergency")

SOCIAL_ACTIONS = {
    "utter_greet",
    "utter_goodbye",
    "utter_you_are_welcome",
    "utter_ask_forget_me",
    "utter_forget_me_cancelled",
    "action_forget_me",
    "action_affirm",
    "action_deny",
    "utter_iamabot",
}
REFUSED_ACTIONS = {"action_fallback", "action_out_of_scope", "utter_only_english", "action_default_fallback"}
ADVICE_ACTIONS = {
    "action_treatment",
    "action_prevention",
    "action_when_doctor",
    "action_tell_more",
    "action_list_causes",
    "action_lower_back",
}
INTERVIEW_ACTIONS = {"symptom_interview_form", "action_ask_interview_duration"}
CAUSE_ACTIONS = {"action_explain_cause", "action_suggest_causes"}


@dataclass
class Case:
    id: str
    file: str
    region: str
    kind: str
    text: str
    cause: Optional[str] = None
    cause_alt: Optional[str] = None
    red_flag: bool = False
    source: str = ""


@dataclass
class Turn:
    case: Case
    intent: str = ""
    confidence: float = 0.0
    actions: List[str] = field(default_factory=list)
    texts: List[str] = field(default_factory=list)
    customs: List[Dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def levels(self) -> List[str]:
        return [str(c["triage"]) for c in self.customs if c.get("triage")]

    @property
    def causes(self) -> List[str]:
        found: List[str] = []
        for c in self.customs:
            if c.get("cause"):
                found.append(str(c["cause"]))
            found.extend(str(x) for x in c.get("causes") or [])
        return found

    @property
    def kinds(self) -> List[str]:
        """What the turn did, in the order it did it (social and refused only when nothing else)."""
        out: List[str] = []
        for name in self.actions:
            kind = (
                "cause"
                if name in CAUSE_ACTIONS
                else "interview"
                if name in INTERVIEW_ACTIONS
                else "advice"
                if name in ADVICE_ACTIONS
                else "triage"
                if name == "action_triage"
                else None
            )
            if kind and kind not in out:
                out.append(kind)
        if self.causes and "cause" not in out:
            out.insert(0, "cause")
        if any(level in LEVELS for level in self.levels) and "triage" not in out:
            out.insert(0, "triage")
        if out:
            return out
        if any(a in REFUSED_ACTIONS for a in self.actions):
            return ["refused"]
        if any(a in SOCIAL_ACTIONS for a in self.actions):
            return ["social"]
        return ["other"]

    @property
    def relevant(self) -> bool:
        return self.kinds[0] in ("cause", "interview", "advice", "triage")

    @property
    def right_kind(self) -> bool:
        case, kinds = self.case, self.kinds
        if not self.relevant:
            return False
        if case.cause:
            return case.cause in self.causes or (case.cause_alt or "") in self.causes
        if case.kind in ("question", "cause_question"):
            return kinds[0] != "interview"  # answered before any interview question
        return True

    @property
    def false_alarm(self) -> bool:
        return any(level in LEVELS for level in self.levels)


def load_cases(directory: pathlib.Path = CASES_DIR) -> List[Case]:
    cases: List[Case] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in data.get("cases") or []:
            cases.append(
                Case(
                    id=str(raw["id"]),
                    file=path.name,
                    region=str(raw["region"]),
                    kind=str(raw["kind"]),
                    text=str(raw["text"]),
                    cause=raw.get("cause"),
                    cause_alt=raw.get("cause_alt"),
                    red_flag=bool(raw.get("red_flag")),
                    source=str(raw.get("source") or ""),
                )
            )
    return cases


def turn_from_events(case: Case, events: List[Dict[str, Any]]) -> Turn:
    """The first user turn of a conversation: its parse and what the assistant did until it listened."""
    turn = Turn(case)
    started = False
    for event in events:
        kind = event.get("event")
        if kind == "user" and not started:
            started = True
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turn.intent, turn.confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
        elif not started:
            continue
        elif kind == "action":
            name = str(event.get("name") or "")
            if name == "action_listen":
                break
            turn.actions.append(name)
        elif kind == "bot":
            turn.texts.append(str(event.get("text") or ""))
            data = event.get("data") or {}
            custom = data.get("custom")
            if isinstance(custom, dict):
                turn.customs.append(custom)
            utter = (event.get("metadata") or {}).get("utter_action")
            if utter and utter not in turn.actions:
                turn.actions.append(str(utter))
        elif kind == "user":
            break
    return turn


def play(url: str, case: Case, events_of: Callable[[str], List[Dict[str, Any]]], session: requests.Session) -> Turn:
    sender = f"realwords-{case.id}-{uuid.uuid4().hex[:8]}"
    try:
        response = session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": case.text}, timeout=120
        )
        response.raise_for_status()
        response.json()
    except (requests.RequestException, ValueError) as error:
        return Turn(case, error=str(error))
    return turn_from_events(case, events_of(sender))


def evaluate(
    url: str, cases: Sequence[Case], events_of: Callable[[str], List[Dict[str, Any]]], workers: int = 4
) -> List[Turn]:
    sessions = [requests.Session() for _ in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda ic: play(url, ic[1], events_of, sessions[ic[0] % workers]), enumerate(cases)))


def sqlite_events(db: pathlib.Path) -> Callable[[str], List[Dict[str, Any]]]:
    def events_of(sender: str) -> List[Dict[str, Any]]:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
        return [json.loads(data) for (data,) in rows]

    return events_of


# -- figures ---------------------------------------------------------------------------------------------
def _share(turns: Sequence[Turn], test: Callable[[Turn], bool]) -> Dict[str, Any]:
    hits = sum(1 for t in turns if test(t))
    return {"share": round(hits / len(turns), 3) if turns else 0.0, "count": hits, "of": len(turns)}


def metrics(turns: Sequence[Turn]) -> Dict[str, Any]:
    scope = [t for t in turns if t.case.region in IN_SCOPE]
    lower = [t for t in turns if t.case.region == "lower_back"]
    other = [t for t in turns if t.case.region == "other" and not t.case.red_flag]
    symptom = [t for t in turns if t.case.kind == "symptom" or t.case.region in (*IN_SCOPE, "lower_back")]
    return {
        "in_scope_relevant": _share(scope, lambda t: t.relevant),
        "in_scope_right_kind": _share(scope, lambda t: t.right_kind),
        "in_scope_refused": _share(scope, lambda t: t.kinds[0] == "refused"),
        "cause_named_found": _share([t for t in scope + lower if t.case.cause], lambda t: t.right_kind),
        "lower_back_answered": _share(lower, lambda t: t.relevant),
        "other_triage_level": _share(other, lambda t: t.false_alarm),
        "other_refused_or_pointed": _share(other, lambda t: t.kinds[0] == "refused"),
        "social_reply_to_symptom": _share(symptom, lambda t: t.kinds[0] == "social"),
        "red_flag_cases_given_a_level": _share([t for t in turns if t.case.red_flag], lambda t: bool(t.levels)),
        "errors": _share(turns, lambda t: bool(t.error)),
    }


def report(turns: Sequence[Turn]) -> str:
    figures = metrics(turns)
    lines = [f"Real people's words, end to end: {len(turns)} messages ({CASES_DIR.relative_to(ROOT)})", ""]
    for name, value in figures.items():
        lines.append(f"  {name:30} {value['share']:.3f}  ({value['count']}/{value['of']})")
    lines += ["", "By region (relevant / refused / social / triage level):"]
    for region in (*IN_SCOPE, "lower_back", "other"):
        group = [t for t in turns if t.case.region == region]
        if group:
            rel = sum(t.relevant for t in group)
            ref = sum(t.kinds[0] == "refused" for t in group)
            soc = sum(t.kinds[0] == "social" for t in group)
            lev = sum(t.false_alarm for t in group)
            lines.append(
                f"  {region:12} {len(group):4}  relevant {rel:4}  refused {ref:4}  social {soc:3}  level {lev:3}"
            )
    misses = [
        t
        for t in turns
        if t.error
        or (t.case.region in IN_SCOPE and not t.right_kind)
        or (t.case.region == "other" and not t.case.red_flag and t.false_alarm)
        or (t.case.region == "lower_back" and not t.relevant)
        or t.kinds[0] == "social"
    ]
    lines += ["", f"Misses ({len(misses)}):"]
    for t in misses:
        said = " || ".join(x.replace("\n", " ")[:90] for x in t.texts[:2])
        lines.append(
            f"  [{t.case.region}/{t.case.kind}] {t.case.id}: {t.case.text[:110]!r}\n"
            f"        intent {t.intent} {t.confidence:.2f}; did {'+'.join(t.kinds)} {t.levels or ''}"
            f"{' causes ' + ','.join(t.causes[:3]) if t.causes else ''}; {t.error or said}"
        )
    return "\n".join(lines)


def as_json(turns: Sequence[Turn]) -> Dict[str, Any]:
    return {
        "metrics": metrics(turns),
        "turns": [
            {
                "id": t.case.id,
                "region": t.case.region,
                "kind": t.case.kind,
                "intent": t.intent,
                "confidence": round(t.confidence, 3),
                "did": t.kinds,
                "levels": t.levels,
                "causes": t.causes,
                "error": t.error,
            }
            for t in turns
        ],
    }


def start_servers(folder: pathlib.Path) -> Iterator[str]:
    """The evaluation's servers (``scripts/eval_triage.py``) with a SQLite tracker store in ``folder``."""
    from scripts.eval_triage import start_servers as servers

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "tracker.db"
    if db.exists():
        db.unlink()
    yield from servers(folder, TRACKER_STORE="sqlite", TRACKER_SQLITE_PATH=str(db))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=pathlib.Path, help="also write the figures and every turn as JSON here")
    args = parser.parse_args(argv)
    cases = load_cases()
    folder = ROOT / "reports" / "live" / "realwords"
    for url in start_servers(folder):
        turns = evaluate(url, cases, sqlite_events(folder / "tracker.db"))
        print(report(turns))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(as_json(turns), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
