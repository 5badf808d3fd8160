"""The triage evaluation (tests/triage_eval), end to end: every case played through the real Rasa server
and action server over the REST webhook (the shared stack of tests/stack.py), with the safety figures
the tuned set must reach. The unseen set is scored and printed, with floors just under what it measured.
"""

from __future__ import annotations

from typing import Dict, List

import pytest

from scripts.eval_triage import EVAL_DIR, Outcome, evaluate_engine, evaluate_live, load_cases, metrics, ratio, report

TUNED = [EVAL_DIR / "tuned"]
UNSEEN = [EVAL_DIR / "unseen"]


def test_the_sets_have_every_kind_of_case() -> None:
    for dirs, size in ((TUNED, 400), (UNSEEN, 150)):
        cases = load_cases(dirs)
        assert len(cases) >= size
        assert {c.level for c in cases} == {"none", "see_doctor", "urgent", "emergency"}
        assert sum(len(c.messages) > 1 for c in cases) >= 10  # conversations over several turns
        assert sum(c.is_control for c in cases) >= 40
        assert sum(c.crisis for c in cases) >= 10


def test_the_engine_alone_is_a_fast_inner_loop() -> None:
    figures = metrics(evaluate_engine(load_cases(TUNED)))
    assert ratio(figures["emergency recall"]) >= 0.98, figures


@pytest.fixture(scope="module")
def tuned(stack) -> List[Outcome]:
    outcomes = evaluate_live(stack.url, load_cases(TUNED))
    print(report(outcomes, "Tuned set, end to end"))
    return outcomes


@pytest.fixture(scope="module")
def unseen(stack) -> List[Outcome]:
    outcomes = evaluate_live(stack.url, load_cases(UNSEEN))
    print(report(outcomes, "Unseen set, end to end"))
    return outcomes


def figures(outcomes: List[Outcome]) -> Dict[str, float]:
    return {name: ratio(pair) for name, pair in metrics(outcomes).items()}


@pytest.mark.e2e
def test_tuned_set_end_to_end(tuned: List[Outcome]) -> None:
    f = figures(tuned)
    assert f["errors"] == 0.0
    assert f["emergency recall"] >= 0.98, report(tuned, "tuned")
    assert f["crisis handled"] == 1.0, report(tuned, "tuned")
    assert f["false alarms (controls)"] <= 0.05, report(tuned, "tuned")
    assert f["crisis false alarms"] == 0.0, report(tuned, "tuned")


@pytest.mark.e2e
def test_unseen_set_end_to_end_keeps_its_figures(unseen: List[Outcome]) -> None:
    """Floors a little under what the unseen rounds measured before any mend (tests/triage_eval/scores/),
    so that a regression fails; the set itself is never tuned on."""
    f = figures(unseen)
    assert f["errors"] == 0.0
    assert f["emergency recall"] >= UNSEEN_FLOORS["emergency recall"], report(unseen, "unseen")
    assert f["crisis handled"] >= UNSEEN_FLOORS["crisis handled"], report(unseen, "unseen")
    assert f["false alarms (controls)"] <= UNSEEN_CEILINGS["false alarms (controls)"], report(unseen, "unseen")


# The unseen folder holds the newest blind round (written from design.md alone, scored before the changes it
# judges; tests/triage_eval/scores/). These floors and the ceiling sit a little beyond what it measured: they
# stop it getting worse and are not the product's targets (recall >= 0.95 and false alarms <= 0.05, in the
# README with the measured figures, including where a round misses them).
UNSEEN_FLOORS = {"emergency recall": 0.92, "crisis handled": 0.90}
UNSEEN_CEILINGS = {"false alarms (controls)": 0.06}


@pytest.mark.e2e
def test_an_emergency_reply_starts_with_the_action(tuned: List[Outcome]) -> None:
    """In every turn that escalates to emergency, the first thing said is what to do."""
    for outcome in tuned:
        for turn in outcome.replies:
            if any((r.get("custom") or {}).get("triage") == "emergency" for r in turn):
                first = next((r.get("text") for r in turn if r.get("text")), "")
                assert first.startswith(FIRST_WORDS), (outcome.case.messages, first)


FIRST_WORDS = ("Call your local emergency number", "Please remember", "I'm really sorry you're feeling like this")
