"""The triage evaluation set (tests/triage_eval): its size, and the safety figures it must reach."""

from __future__ import annotations

import pytest

from scripts.eval_triage import evaluate, load_cases, metrics, ratio


@pytest.fixture(scope="module")
def outcomes():
    return evaluate(load_cases())


def test_the_set_has_at_least_200_phrasings_of_every_kind() -> None:
    cases = load_cases()
    assert len(cases) >= 200
    levels = {c.level for c in cases}
    assert levels == {"none", "see_doctor", "urgent", "emergency"}
    assert sum(len(c.messages) > 1 for c in cases) >= 10  # two-message conversations
    assert sum(c.is_control for c in cases) >= 40


def test_emergency_recall_is_at_least_98_percent(outcomes) -> None:
    figures = metrics(outcomes)
    assert ratio(figures["emergency recall"]) >= 0.98, figures["emergency recall"]


def test_over_triage_on_controls_is_at_most_5_percent(outcomes) -> None:
    figures = metrics(outcomes)
    assert ratio(figures["over-triage on controls"]) <= 0.05, figures["over-triage on controls"]


def test_every_expected_rule_exists(outcomes) -> None:
    from actions.triage import get_red_flags

    ids = {r.id for r in get_red_flags().rules}
    unknown = {o.case.rule for o in outcomes if o.case.rule and o.case.rule not in ids}
    assert not unknown
