"""Evaluate the red-flag engine on the phrasings in tests/triage_eval/*.yml (`make eval-triage`).

Prints, overall and per expected rule: emergency recall, safe-triage rate (level at least the
expected one), exact-level accuracy, and over-triage on the controls (tests/triage_eval/controls.yml
and any case expecting no red flag), then lists every failure.

    python scripts/eval_triage.py [--set DIR]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.knowledge_base import LEVELS  # noqa: E402
from actions.triage import Assessment, assess  # noqa: E402

EVAL_DIR = ROOT / "tests" / "triage_eval"
EXPECTED = ("none", "see_doctor", "urgent", "emergency")


@dataclass(frozen=True)
class Case:
    messages: Tuple[str, ...]
    level: str  # "none" or a rule level
    rule: Optional[str]
    source: str

    @property
    def is_control(self) -> bool:
        return self.level == "none" or self.source == "controls.yml"


@dataclass(frozen=True)
class Outcome:
    case: Case
    level: str
    rules: Tuple[str, ...]

    @property
    def safe(self) -> bool:
        return rank(self.level) >= rank(self.case.level)

    @property
    def exact(self) -> bool:
        return self.level == self.case.level

    @property
    def over(self) -> bool:
        return rank(self.level) > rank(self.case.level)

    @property
    def rule_ok(self) -> bool:
        return self.case.rule is None or self.case.rule in self.rules


def rank(level: str) -> int:
    return 0 if level == "none" else LEVELS.index(level)


def load_cases(directory: pathlib.Path = EVAL_DIR) -> List[Case]:
    cases: List[Case] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, raw in enumerate(data.get("cases") or []):
            messages = raw.get("conversation") or [raw.get("text")]
            if not all(isinstance(m, str) for m in messages):
                raise ValueError(f"{path.name} case {i}: needs `text` or `conversation` (strings)")
            if raw.get("level") not in EXPECTED:
                raise ValueError(f"{path.name} case {i}: level must be one of {', '.join(EXPECTED)}")
            cases.append(Case(tuple(messages), raw["level"], raw.get("rule"), path.name))
    return cases


def run_conversation(messages: Sequence[str]) -> Assessment:
    """The standing assessment after the messages, with findings carried over as the assistant
    does (actions/base.py: findings accumulate; a later denial removes one)."""
    known: frozenset = frozenset()
    for text in messages:
        new = assess(text)
        known = (known - new.negated) if not new.findings else assess(text, known).findings
    return assess("", known)


def evaluate(cases: Sequence[Case]) -> List[Outcome]:
    outcomes = []
    for case in cases:
        result = run_conversation(case.messages)
        outcomes.append(Outcome(case, result.level or "none", tuple(r.id for r in result.rules)))
    return outcomes


def metrics(outcomes: Sequence[Outcome]) -> Dict[str, Tuple[int, int]]:
    """(hits, total) for each figure."""
    emergencies = [o for o in outcomes if o.case.level == "emergency"]
    flagged = [o for o in outcomes if not o.case.is_control]
    controls = [o for o in outcomes if o.case.is_control]
    with_rule = [o for o in flagged if o.case.rule]
    return {
        "emergency recall": (sum(o.level == "emergency" for o in emergencies), len(emergencies)),
        "safe-triage rate": (sum(o.safe for o in flagged), len(flagged)),
        "exact-level accuracy": (sum(o.exact for o in outcomes), len(outcomes)),
        "expected rule fired": (sum(o.rule_ok for o in with_rule), len(with_rule)),
        "over-triage on controls": (sum(o.over for o in controls), len(controls)),
    }


def ratio(pair: Tuple[int, int]) -> float:
    hits, total = pair
    return hits / total if total else 1.0


def report(outcomes: Sequence[Outcome]) -> str:
    lines = [f"Triage evaluation: {len(outcomes)} cases from {EVAL_DIR.relative_to(ROOT)}", ""]
    for name, pair in metrics(outcomes).items():
        lines.append(f"  {name:<26} {ratio(pair):6.3f}  ({pair[0]}/{pair[1]})")
    lines += ["", "Per expected rule (cases, safe, exact, rule fired):"]
    by_rule: Dict[str, List[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_rule[o.case.rule or f"(no rule, expected {o.case.level})"].append(o)
    for rule in sorted(by_rule):
        group = by_rule[rule]
        lines.append(
            f"  {rule:<38} {len(group):3d}  safe {sum(o.safe for o in group):3d}  "
            f"exact {sum(o.exact for o in group):3d}  rule {sum(o.rule_ok for o in group):3d}"
        )
    failures = [o for o in outcomes if not (o.exact and o.rule_ok)]
    lines += ["", f"Failures ({len(failures)}; UNSAFE = below the expected level):"]
    for o in failures:
        tag = "UNSAFE" if not o.safe else "over" if o.over else "rule" if o.exact else "other"
        said = " | ".join(o.case.messages)
        lines.append(
            f"  [{tag}] {o.case.source}: {said!r} expected {o.case.level}"
            f"{'/' + o.case.rule if o.case.rule else ''}, got {o.level} {list(o.rules)}"
        )
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=pathlib.Path, default=EVAL_DIR, help="folder of *.yml cases")
    args = parser.parse_args(argv)
    print(report(evaluate(load_cases(args.set))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
