"""Real people's words (tests/nlu_realwords/, public material, evaluation only), end to end: every
message played through the real Rasa server and action server of the shared stack, the reply judged
from the SQLite tracker store (scripts/eval_realwords.py)."""

from __future__ import annotations

from typing import List

import pytest

from scripts.eval_realwords import Case, Turn, evaluate, load_cases, metrics, report, turn_from_events


def test_the_set_names_its_sources_and_covers_every_region() -> None:
    cases = load_cases()
    assert len(cases) >= 200
    assert {c.region for c in cases} == {"neck", "shoulder", "upper_back", "lower_back", "other"}
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.source for c in cases)


def test_a_turn_is_judged_by_what_the_assistant_did() -> None:
    case = Case("x", "f", "shoulder", "symptom", "my shoulder hurts")
    events = [
        {"event": "user", "text": "my shoulder hurts", "parse_data": {"intent": {"name": "thank", "confidence": 0.9}}},
        {"event": "action", "name": "utter_you_are_welcome"},
        {"event": "bot", "text": "You're welcome!", "metadata": {"utter_action": "utter_you_are_welcome"}},
        {"event": "action", "name": "action_listen"},
    ]
    turn = turn_from_events(case, events)
    assert turn.kinds == ["social"] and not turn.relevant
    events[1] = {"event": "action", "name": "action_suggest_causes"}
    events[2] = {"event": "bot", "text": "Possible causes", "data": {"custom": {"causes": ["poor_posture"]}}}
    turn = turn_from_events(case, events)
    assert turn.kinds == ["cause"] and turn.relevant and turn.causes == ["poor_posture"]


@pytest.fixture(scope="module")
def turns(stack) -> List[Turn]:
    result = evaluate(stack.url, load_cases(), stack.stored_events)
    print(report(result))
    return result


@pytest.mark.e2e
def test_real_words_end_to_end(turns: List[Turn]) -> None:
    f = {name: value["share"] for name, value in metrics(turns).items()}
    assert f["errors"] == 0.0
    assert f["in_scope_relevant"] >= IN_SCOPE_RELEVANT, report(turns)
    assert f["other_triage_level"] <= OTHER_TRIAGE_LEVEL, report(turns)
    assert f["social_reply_to_symptom"] == 0.0, report(turns)


# The product's targets: at least 90 % of neck, shoulder and upper-back messages answered with a relevant
# reply; at most 5 % of other health complaints given a triage level; no social reply to a symptom.
IN_SCOPE_RELEVANT = 0.90
OTHER_TRIAGE_LEVEL = 0.05


@pytest.mark.e2e
def test_a_symptom_question_is_answered_first_then_the_interview_is_offered(stack) -> None:
    sender = "scope-question-1"
    replies = stack.say(sender, "is it normal that my neck cracks when i turn my head? it's been going on for 3 weeks")
    customs = [r.get("custom") or {} for r in replies]
    assert any("cervical_spondylosis" in (c.get("causes") or []) for c in customs)  # the answer first
    offer = next(r for r in replies if r.get("buttons"))
    assert [b["title"] for b in offer["buttons"]] == ["Yes, ask me", "No, thanks"]
    assert not any("How long have you had it?" in (r.get("text") or "") for r in replies)  # offered, not started
    # "yes" starts the interview, and the question the message already answered (how long) is skipped
    texts = [r.get("text") or "" for r in stack.say(sender, "yes")]
    assert any("How often" in t for t in texts), texts
    assert not any("How long" in t or "didn't catch" in t for t in texts), texts


@pytest.mark.e2e
def test_the_lower_back_gets_a_plain_answer_and_its_red_flags(stack) -> None:
    texts = [r.get("text") or "" for r in stack.say("scope-lower-1", "my lower back hurts when I bend over")]
    assert any("not the lower back" in t for t in texts), texts
    replies = stack.say("scope-lower-2", "my lower back is killing me and I can't feel anything when I wipe")
    assert (replies[0].get("custom") or {}).get("triage") == "emergency" or replies[0]["text"].startswith("Call")
