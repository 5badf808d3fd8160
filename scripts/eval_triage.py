"""Evaluate triage on the assistant people talk to (`make eval-triage`).

Every case of ``tests/triage_eval/<set>/*.yml`` is played as a new conversation through the real
Rasa server and action server over the REST webhook (a multi-turn case in one conversation). The
level a case reached is the highest ``custom.triage`` of any reply of its conversation (``self_care``
counts as no red flag); a crisis answer is a reply with ``custom.crisis: true`` that comes first in
its turn. Printed, overall and per category:

- emergency recall: cases expecting ``emergency`` that reached it;
- safe-triage rate: red-flag cases that reached at least the expected level;
- exact level: all cases whose level is the expected one;
- false alarms: controls (expected ``none``) that reached ``urgent`` or ``emergency``;
- over-triage: controls that reached any level (``see_doctor`` included);
- crisis handled: crisis cases answered with the crisis response first; crisis false alarms:
  other cases that got it;

then every failure with the replies it got. ``--engine`` scores the triage engine alone
(``core/triage.py``, no servers): a fast inner loop, not the result.

    python scripts/eval_triage.py [--set tuned|unseen|all|DIR] [--url http://127.0.0.1:5005] [--engine]
                                  [--json reports/triage-eval/tuned.json]

Without ``--url`` the script starts an action server and a Rasa server on free ports (the helpers of
``tests/servers.py``, as ``make bench`` does) and stops them at the end.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import pathlib
import sys
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.checklist import NONE_OF_THESE  # noqa: E402
from core.names import LEVELS  # noqa: E402

EVAL_DIR = ROOT / "tests" / "triage_eval"
SETS = ("tuned", "unseen")
EXPECTED = ("none", "see_doctor", "urgent", "emergency")
ALARM = ("urgent", "emergency")


@dataclass(frozen=True)
class Case:
    messages: Tuple[str, ...]
    level: str  # "none" or a rule level
    category: str
    source: str  # file name (and the case id when it has one)
    crisis: bool = False
    rule: Optional[str] = None

    @property
    def file(self) -> str:
        """The name of the file the case comes from."""
        return self.source.split("#")[0]

    @property
    def is_control(self) -> bool:
        return self.level == "none"


@dataclass
class Outcome:
    case: Case
    level: str
    crisis: bool = False  # a crisis answer, first in its turn
    crisis_anywhere: bool = False
    replies: List[List[Dict[str, Any]]] = field(default_factory=list)
    rules: Tuple[str, ...] = ()
    error: str = ""
    asked: bool = False  # the red-flag checklist was asked ("None of these" among the buttons)

    @property
    def safe(self) -> bool:
        return rank(self.level) >= rank(self.case.level)

    @property
    def exact(self) -> bool:
        return self.level == self.case.level

    @property
    def false_alarm(self) -> bool:
        return self.case.is_control and self.level in ALARM

    @property
    def over(self) -> bool:
        return rank(self.level) > rank(self.case.level)

    @property
    def crisis_ok(self) -> bool:
        return self.crisis if self.case.crisis else not self.crisis_anywhere

    @property
    def passed(self) -> bool:
        return self.exact and self.crisis_ok and not self.error


def rank(level: str) -> int:
    return 0 if level in ("none", "self_care") else LEVELS.index(level)


# -- cases ------------------------------------------------------------------------------------------
def set_dirs(name: str) -> List[pathlib.Path]:
    if name == "all":
        return [EVAL_DIR / s for s in SETS]
    if name in SETS:
        return [EVAL_DIR / name]
    return [pathlib.Path(name)]


def load_cases(directories: Sequence[pathlib.Path]) -> List[Case]:
    cases: List[Case] = []
    for directory in directories:
        for path in sorted(directory.rglob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for i, raw in enumerate(data.get("cases") or []):
                where = f"{path.relative_to(EVAL_DIR) if path.is_relative_to(EVAL_DIR) else path} case {i}"
                messages = raw.get("conversation") or [raw.get("text")]
                if not messages or not all(isinstance(m, str) for m in messages):
                    raise ValueError(f"{where}: needs `text` or `conversation` (strings)")
                if raw.get("level") not in EXPECTED:
                    raise ValueError(f"{where}: level must be one of {', '.join(EXPECTED)}")
                crisis = bool(raw.get("crisis"))
                if crisis and raw["level"] != "emergency":
                    raise ValueError(f"{where}: a crisis case expects level emergency")
                category = str(raw.get("category") or raw.get("rule") or _default_category(raw["level"]))
                source = path.name + (f"#{raw['id']}" if raw.get("id") else f"#{i}")
                cases.append(Case(tuple(messages), raw["level"], category, source, crisis, raw.get("rule")))
    return cases


def _default_category(level: str) -> str:
    return "control" if level == "none" else level


# -- playing the cases through the servers -------------------------------------------------------------
def play(url: str, case: Case, session: requests.Session) -> Outcome:
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    levels: List[str] = []
    crisis = crisis_anywhere = asked = False
    turns: List[List[Dict[str, Any]]] = []
    try:
        for text in case.messages:
            response = session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
            )
            response.raise_for_status()
            replies = response.json()
            turns.append(replies)
            for j, reply in enumerate(replies):
                asked = asked or any(b == NONE_OF_THESE for b in reply.get("buttons") or [])
                custom = reply.get("custom") or {}
                if custom.get("triage"):
                    levels.append(str(custom["triage"]))
                if custom.get("crisis"):
                    crisis_anywhere = True
                    # first in its turn: at most one text (its own) before the payload
                    crisis = crisis or sum(bool(r.get("text")) for r in replies[:j]) <= 1
    except (requests.RequestException, ValueError) as error:
        return Outcome(case, "none", replies=turns, error=str(error))
    level = max(levels, key=rank) if levels else "none"
    return Outcome(case, "none" if level == "self_care" else level, crisis, crisis_anywhere, turns, asked=asked)


def evaluate_live(url: str, cases: Sequence[Case], workers: int = 4) -> List[Outcome]:
    sessions = [requests.Session() for _ in range(workers)]

    def run(indexed: Tuple[int, Case]) -> Outcome:
        i, case = indexed
        return play(url, case, sessions[i % workers])

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, enumerate(cases)))


def evaluate_engine(cases: Sequence[Case]) -> List[Outcome]:
    """The engine alone: findings carried over between messages as the assistant does."""
    from core.triage import assess, assess_turn, crisis_in

    outcomes = []
    for case in cases:
        known: frozenset = frozenset()
        crisis = asked = False
        for text in case.messages:
            crisis = crisis or crisis_in(text)
            turn = assess_turn(text, known)
            asked = asked or bool(turn.ask)
            known = turn.findings
        result = assess("", known)
        level = "emergency" if crisis else result.level or "none"
        outcomes.append(Outcome(case, level, crisis, crisis, rules=tuple(r.id for r in result.rules), asked=asked))
    return outcomes


# -- figures ----------------------------------------------------------------------------------------
def metrics(outcomes: Sequence[Outcome]) -> Dict[str, Tuple[int, int]]:
    """(hits, total) for each figure."""
    emergencies = [o for o in outcomes if o.case.level == "emergency"]
    flagged = [o for o in outcomes if not o.case.is_control]
    controls = [o for o in outcomes if o.case.is_control]
    crises = [o for o in outcomes if o.case.crisis]
    missed = [o for o in emergencies if o.level != "emergency" and not o.crisis]
    others = [o for o in outcomes if not o.case.crisis]
    return {
        "emergency recall": (sum(o.level == "emergency" for o in emergencies), len(emergencies)),
        "safe-triage rate": (sum(o.safe for o in flagged), len(flagged)),
        "exact level": (sum(o.exact for o in outcomes), len(outcomes)),
        "false alarms (controls)": (sum(o.false_alarm for o in controls), len(controls)),
        "over-triage (controls)": (sum(o.over for o in controls), len(controls)),
        "crisis handled": (sum(o.crisis for o in crises), len(crises)),
        "crisis false alarms": (sum(o.crisis_anywhere for o in others), len(others)),
        "errors": (sum(bool(o.error) for o in outcomes), len(outcomes)),
        # Not a level: the checklist asked about the red flags, which a tap or a word turns into one.
        "missed emergencies asked": (sum(o.asked for o in missed), len(missed)),
        "controls asked": (sum(o.asked for o in controls), len(controls)),
    }


def ratio(pair: Tuple[int, int]) -> float:
    hits, total = pair
    return hits / total if total else 1.0


def _reply_summary(outcome: Outcome) -> str:
    parts = []
    for turn in outcome.replies:
        first = next((r.get("text") for r in turn if r.get("text")), "")
        parts.append((first or "(no text)")[:90])
    return " || ".join(parts)


def report(outcomes: Sequence[Outcome], title: str) -> str:
    lines = [f"{title}: {len(outcomes)} cases", ""]
    for name, pair in metrics(outcomes).items():
        lines.append(f"  {name:<26} {ratio(pair):6.3f}  ({pair[0]}/{pair[1]})")
    lines += ["", "Per category (cases, safe, exact, false alarms):"]
    by_category: Dict[str, List[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_category[o.case.category].append(o)
    for category in sorted(by_category):
        group = by_category[category]
        lines.append(
            f"  {category:<30} {len(group):3d}  safe {sum(o.safe for o in group):3d}  "
            f"exact {sum(o.exact for o in group):3d}  alarms {sum(o.false_alarm for o in group):3d}"
        )
    failures = [o for o in outcomes if not o.passed]
    lines += ["", f"Failures ({len(failures)}; UNSAFE = below the expected level or a missed crisis):"]
    for o in failures:
        if o.error:
            tag = "ERROR"
        elif not o.safe or (o.case.crisis and not o.crisis):
            tag = "UNSAFE"
        elif o.false_alarm or (o.crisis_anywhere and not o.case.crisis):
            tag = "ALARM"
        else:
            tag = "over" if o.over else "other"
        said = " | ".join(o.case.messages)
        expected = o.case.level + ("+crisis" if o.case.crisis else "")
        got = o.level + ("+crisis" if o.crisis_anywhere else "")
        lines.append(f"  [{tag}] {o.case.source} ({o.case.category}): {said!r} expected {expected}, got {got}")
        if o.replies:
            lines.append(f"         replied: {_reply_summary(o)}")
        if o.error:
            lines.append(f"         error: {o.error}")
    return "\n".join(lines)


def as_json(outcomes: Sequence[Outcome]) -> Dict[str, Any]:
    return {
        "metrics": {
            k: {"hits": v[0], "total": v[1], "ratio": round(ratio(v), 4)} for k, v in metrics(outcomes).items()
        },
        "failures": [
            {
                "source": o.case.source,
                "category": o.case.category,
                "messages": list(o.case.messages),
                "expected": o.case.level,
                "got": o.level,
                "crisis_expected": o.case.crisis,
                "crisis_got": o.crisis_anywhere,
            }
            for o in outcomes
            if not o.passed
        ],
    }


# -- servers ----------------------------------------------------------------------------------------
def start_servers(logs: pathlib.Path = ROOT / "reports" / "live", **stores: str) -> Iterator[str]:
    """An action server and a Rasa server on free ports, started as the tests start them
    (``tests/servers.serve``); logs in ``logs``. ``stores``: endpoint settings (default: the in-memory
    tracker store)."""
    from tests.servers import serve

    yield from serve(logs, stores=stores or None)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="all", help="tuned, unseen, all, or a folder of *.yml cases")
    parser.add_argument("--url", help="a running Rasa server (default: start one)")
    parser.add_argument("--engine", action="store_true", help="score the triage engine alone (no servers)")
    parser.add_argument("--json", type=pathlib.Path, help="also write the figures and failures as JSON here")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    results: Dict[str, List[Outcome]] = {}

    def score(url: Optional[str]) -> None:
        for name in names:
            cases = load_cases(set_dirs(name))
            results[name] = evaluate_engine(cases) if url is None else evaluate_live(url, cases)
            mode = "engine alone" if url is None else f"end to end over {url}/webhooks/rest/webhook"
            print(report(results[name], f"Triage evaluation, set {name!r}, {mode}"))
            print()

    if args.engine:
        score(None)
    elif args.url:
        score(args.url.rstrip("/"))
    else:
        for url in start_servers():
            score(url)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({n: as_json(o) for n, o in results.items()}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
