"""Every custom action, with the real domain, a fresh CollectingDispatcher and a real Tracker."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import actions as acts
from actions import replies
from core.kb_loader import cause_ids, get_general
from core.knowledge_base import KnowledgeBase
from tests.conftest import TrackerFactory, customs, slot_events

DISCLAIMER = get_general().disclaimer


def run(action: Any, dispatcher: CollectingDispatcher, tracker: Any, domain: Dict[str, Any]) -> Dict[str, Any]:
    return slot_events(action.run(dispatcher, tracker, domain))


def texts(dispatcher: CollectingDispatcher) -> list:
    return [m.get("text") or "" for m in dispatcher.messages]


def test_the_sdk_registers_exactly_the_domain_actions(domain: Dict[str, Any]) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    # An entry is a name, or a name with settings ({"validate_symptom_interview_form": {"send_domain": true}}).
    names = {a if isinstance(a, str) else next(iter(a)) for a in domain["actions"]}
    assert set(executor.actions) == names


# -- the list of causes --------------------------------------------------------------------------
def test_list_then_what_else_walks_every_cause_once(
    kb: KnowledgeBase, make_tracker: TrackerFactory, domain: Dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    slots = run(acts.ActionListCauses(), dispatcher, make_tracker("what causes neck spasms?", "ask_causes"), domain)
    seen = list(customs(dispatcher)[0]["causes"])
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/tell_more"
    assert "Everyday strain and habits" in dispatcher.messages[0]["text"]
    for _ in range(10):
        if slots.get("topic") != "causes_list":
            break
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("what else?", "tell_more", topic=slots["topic"], list_page=slots["list_page"])
        slots = run(acts.ActionTellMore(), dispatcher, tracker, domain)
        seen += customs(dispatcher)[0]["causes"]
    assert seen == [c.id for page in replies.list_pages(kb) for c in page]
    assert sorted(seen) == sorted(cause_ids())
    assert "whole list" in dispatcher.messages[0]["text"]


def test_yes_after_the_list_continues_it(make_tracker: TrackerFactory, domain: Dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("yes", "affirm", topic="causes_list", list_page=0.0, pending_offer="more_causes")
    slots = run(acts.ActionAffirm(), dispatcher, tracker, domain)
    assert slots["list_page"] == 1.0
    assert customs(dispatcher)[0]["causes"]


# -- one cause -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cause_id", cause_ids())
def test_explain_each_cause_by_entity(
    kb: KnowledgeBase,
    cause_id: str,
    make_tracker: TrackerFactory,
    dispatcher: CollectingDispatcher,
    domain: Dict[str, Any],
) -> None:
    alias = kb.get(cause_id).aliases[-1]
    tracker = make_tracker(f"tell me about {alias}", entities=[{"entity": "cause", "value": alias}])
    slots = run(acts.ActionExplainCause(), dispatcher, tracker, domain)
    assert customs(dispatcher) == [{"cause": cause_id}]
    assert kb.get(cause_id).what_it_is in dispatcher.messages[0]["text"]
    assert slots["cause"] == cause_id
    assert slots["pending_offer"] == "treatment"
    assert texts(dispatcher)[-1] == DISCLAIMER
    assert slots["disclaimer_shown"] is True


def test_disclaimer_only_the_first_time(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("what is whiplash", disclaimer_shown=True)
    slots = run(acts.ActionExplainCause(), dispatcher, tracker, domain)
    assert DISCLAIMER not in texts(dispatcher)
    assert "disclaimer_shown" not in slots


@pytest.mark.parametrize(
    ("text", "cause_id"),
    [
        ("what is cervical distonya?", "cervical_dystonia"),  # NLU missed a misspelt entity
        ("can my statins do this", "medication_side_effects"),
        ("is lupus a cause?", "autoimmune_disorders"),
    ],
)
def test_explain_finds_the_cause_in_the_text(
    text: str, cause_id: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionExplainCause(), dispatcher, make_tracker(text), domain)
    assert customs(dispatcher) == [{"cause": cause_id}]


def test_explain_unknown_cause_offers_the_list(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionExplainCause(), dispatcher, make_tracker("can gravity waves cause it?"), domain)
    assert "don't have that one" in texts(dispatcher)[0]
    assert "causes" in customs(dispatcher)[0]


def test_tell_me_more_about_the_last_cause(
    kb: KnowledgeBase, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("tell me more", "tell_more", cause="pinched_nerve", topic="cause")
    run(acts.ActionTellMore(), dispatcher, tracker, domain)
    assert customs(dispatcher) == [{"cause": "pinched_nerve"}]
    assert kb.get("pinched_nerve").see_doctor in texts(dispatcher)[0]


# -- treatment, prevention, when to see a doctor -------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "field"),
    [(acts.ActionTreatment, "treatment"), (acts.ActionPrevention, "prevention")],
)
def test_follow_up_uses_the_last_cause(
    kb: KnowledgeBase,
    action: Any,
    field: str,
    make_tracker: TrackerFactory,
    dispatcher: CollectingDispatcher,
    domain: Dict[str, Any],
) -> None:
    tracker = make_tracker("how is it treated?", "ask_treatment", cause="herniated_disc", disclaimer_shown=True)
    run(action(), dispatcher, tracker, domain)
    assert customs(dispatcher) == [{"cause": "herniated_disc"}]
    for item in getattr(kb.get("herniated_disc"), field):
        assert item in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("action", "advice"),
    [(acts.ActionTreatment, "treatment"), (acts.ActionPrevention, "prevention"), (acts.ActionWhenDoctor, "see_doctor")],
)
def test_general_advice_without_a_cause(
    action: Any, advice: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(action(), dispatcher, make_tracker("what should I do?", "ask_treatment"), domain)
    general = getattr(get_general(), advice)
    assert texts(dispatcher)[0].startswith(general.intro)
    assert customs(dispatcher) == []


def test_when_to_see_a_doctor_for_a_named_cause(
    kb: KnowledgeBase, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionWhenDoctor(), dispatcher, make_tracker("when should I see a doctor about torticollis"), domain)
    assert kb.get("cervical_dystonia").see_doctor in texts(dispatcher)[0]
    assert customs(dispatcher) == [{"cause": "cervical_dystonia"}]


def test_yes_after_an_explanation_gives_the_treatment(
    kb: KnowledgeBase, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker(
        "yes please", "affirm", cause="dehydration", pending_offer="treatment", disclaimer_shown=True
    )
    slots = run(acts.ActionAffirm(), dispatcher, tracker, domain)
    assert customs(dispatcher) == [{"cause": "dehydration"}]
    assert kb.get("dehydration").treatment[0] in texts(dispatcher)[0]
    assert slots["pending_offer"] == "prevention"


def test_no_drops_the_offer(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    slots = run(acts.ActionDeny(), dispatcher, make_tracker("no thanks", "deny", pending_offer="treatment"), domain)
    assert dispatcher.messages[0]["response"] == "utter_anything_else"
    assert slots["pending_offer"] is None


# -- suggestions from symptoms ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("my neck keeps cramping after a day at my desk", {"muscle_strain", "poor_posture", "poor_ergonomics"}),
        ("woke up stiff after sleeping awkwardly", {"muscle_strain"}),
        ("my neck twitches when I'm stressed about deadlines", {"stress_anxiety"}),
    ],
)
def test_suggestions_are_ranked_with_reasons(
    text: str, first: set, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    slots = run(acts.ActionSuggestCauses(), dispatcher, make_tracker(text, "describe_symptoms"), domain)
    suggested = customs(dispatcher)[0]["causes"]
    assert suggested[0] in first
    assert slots["suggested_causes"] == suggested
    assert "1. " in texts(dispatcher)[0] and "not a diagnosis" in texts(dispatcher)[0]
    assert '(you said "' in texts(dispatcher)[0]


def test_suggestions_from_a_button_trigger_entity(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker(
        '/describe_symptoms{"trigger": "new medicine"}',
        "describe_symptoms",
        entities=[{"entity": "trigger", "value": "new medicine"}],
    )
    run(acts.ActionSuggestCauses(), dispatcher, tracker, domain)
    assert customs(dispatcher)[0]["causes"][0] == "medication_side_effects"


def test_vague_symptoms_get_a_question_with_buttons(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionSuggestCauses(), dispatcher, make_tracker("my neck hurts", "describe_symptoms"), domain)
    assert "what seems to bring it on" in texts(dispatcher)[0]
    assert len(dispatcher.messages[0]["buttons"]) >= 4
    assert customs(dispatcher) == []


# -- red flags, whatever the action ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "text", "intent"),
    [
        (acts.ActionTriage, "I have a fever and my neck is stiff", "report_red_flag"),
        (
            acts.ActionExplainCause,
            "can stress cause neck spasms? also I have a fever and my neck is stiff",
            "ask_cause",
        ),
        (acts.ActionSuggestCauses, "neck cramps and I was in a car crash this morning", "describe_symptoms"),
        (acts.ActionFallback, "blah worst headache of my life", "nlu_fallback"),
        (acts.ActionOutOfScope, "pizza? also chest pain going into my jaw", "out_of_scope"),
        (acts.ActionTreatment, "how do I treat it, my face is drooping", "ask_treatment"),
    ],
)
def test_emergency_comes_first_and_alone(
    action: Any,
    text: str,
    intent: str,
    make_tracker: TrackerFactory,
    dispatcher: CollectingDispatcher,
    domain: Dict[str, Any],
) -> None:
    slots = run(action(), dispatcher, make_tracker(text, intent), domain)
    first = dispatcher.messages[0]
    assert first["text"].startswith("Call your local emergency number (911 / 112 / 999) now.")
    assert first["custom"] == {"triage": "emergency"}
    assert len(dispatcher.messages) == 1, "nothing else may follow an emergency escalation"
    assert slots["triage_level"] == "emergency"


def test_urgent_comes_first_then_the_answer(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionExplainCause(), dispatcher, make_tracker("what is a pinched nerve? I keep dropping things"), domain)
    assert dispatcher.messages[0]["custom"] == {"triage": "urgent"}
    assert dispatcher.messages[0]["text"].startswith("Please see a doctor today")
    assert {"cause": "pinched_nerve"} in customs(dispatcher)


def test_findings_accumulate_across_the_conversation(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("and now my neck is stiff too", "describe_symptoms", red_flag_findings=["fever"])
    slots = run(acts.ActionSuggestCauses(), dispatcher, tracker, domain)
    assert customs(dispatcher)[0] == {"triage": "emergency"}
    assert set(slots["red_flag_findings"]) >= {"fever", "stiff_neck"}


def test_no_repeated_escalation_on_an_ordinary_follow_up(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("how is it treated?", "ask_treatment", red_flag_findings=["fever"], triage_level="urgent")
    run(acts.ActionTreatment(), dispatcher, tracker, domain)
    assert all("triage" not in c for c in customs(dispatcher))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("something is really wrong with me", "A fever with a stiff neck"),
        ("my chest feels weird", "Chest pain or pressure"),
        ("my baby is not right", "Floppy or hard to wake"),
        ("my throat feels funny after the curry", "Throat or tongue swelling"),
    ],
)
def test_a_red_flag_intent_the_rules_do_not_place_asks_a_checklist_and_sets_no_level(
    text: str, expected: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    slots = run(acts.ActionTriage(), dispatcher, make_tracker(text, "report_red_flag"), domain)
    assert not customs(dispatcher), "the intent label alone must not give a triage level"
    assert "triage_level" not in slots
    message = dispatcher.messages[0]
    assert message["text"].startswith("I want to be sure I understand")
    assert f"- {expected}" in message["text"]  # the list as text, for channels without buttons
    titles = [b["title"] for b in message["buttons"]]
    assert expected in titles and titles[-1] == "None of these"
    # every button sends plain words, which go through the same NLU and triage as typed text
    assert all(not b["payload"].startswith("/") for b in message["buttons"])


def test_a_checklist_button_escalates_through_the_same_triage(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    first = CollectingDispatcher()
    run(acts.ActionTriage(), first, make_tracker("something is really wrong with me", "report_red_flag"), domain)
    payload = next(b["payload"] for b in first.messages[0]["buttons"] if b["title"] == "A fever with a stiff neck")
    run(acts.ActionTriage(), dispatcher, make_tracker(payload, "report_red_flag"), domain)
    assert customs(dispatcher)[0] == {"triage": "emergency"}


@pytest.mark.parametrize("text", ["no fever, just a stiff neck from my desk", "I had a fever last month but not now"])
def test_negated_red_flags_do_not_escalate(
    text: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionSuggestCauses(), dispatcher, make_tracker(text, "describe_symptoms"), domain)
    assert all("triage" not in c for c in customs(dispatcher))


# -- fallback, out of scope, bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("", "utter_empty"),
        ("   ", "utter_empty"),
        ("asdfgh", "utter_fallback"),
        ("<script>alert(1)</script>", "utter_fallback"),
    ],
)
def test_fallback(
    text: str, response: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(acts.ActionFallback(), dispatcher, make_tracker(text, "nlu_fallback"), domain)
    assert [m.get("response") for m in dispatcher.messages] == [response]
    assert response in domain["responses"]


@pytest.mark.parametrize(
    "text",
    [
        "x" * 100_000,
        "stress " * 20_000,
        "\x00\x01\x02 binary \udcff",
        "¿Qué causa los espasmos del cuello?",
        "😀" * 500,
    ],
)
@pytest.mark.parametrize("action", [acts.ActionSuggestCauses, acts.ActionExplainCause, acts.ActionFallback])
def test_bad_input_gets_an_answer_not_a_crash(
    action: Any, text: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    run(action(), dispatcher, make_tracker(text, "nlu_fallback"), domain)
    assert dispatcher.messages and all(m.get("text") or m.get("response") for m in dispatcher.messages)


def test_a_denial_clears_a_finding_stored_earlier(
    make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker("sorry, actually no fever", "describe_symptoms", red_flag_findings=["fever", "neck_pain"])
    slots = run(acts.ActionSuggestCauses(), dispatcher, tracker, domain)
    assert slots["red_flag_findings"] == ["neck_pain"]


def test_a_finding_below_any_rule_is_kept_for_later_messages(
    make_tracker: TrackerFactory, domain: Dict[str, Any]
) -> None:
    first = CollectingDispatcher()
    slots = run(acts.ActionSuggestCauses(), first, make_tracker("I fell off my bike", "describe_symptoms"), domain)
    assert all("triage" not in c for c in customs(first))
    assert "injury" in slots["red_flag_findings"]
    second = CollectingDispatcher()
    tracker = make_tracker("now my arms are numb", "describe_symptoms", red_flag_findings=slots["red_flag_findings"])
    run(acts.ActionSuggestCauses(), second, tracker, domain)
    assert customs(second)[0] == {"triage": "emergency"}


@pytest.mark.parametrize(("title", "trigger"), acts.TRIGGER_BUTTONS)
def test_every_trigger_button_leads_to_suggestions(
    title: str, trigger: str, make_tracker: TrackerFactory, dispatcher: CollectingDispatcher, domain: Dict[str, Any]
) -> None:
    payload = f'/describe_symptoms{{"trigger": "{trigger}"}}'
    tracker = make_tracker(payload, "describe_symptoms", entities=[{"entity": "trigger", "value": trigger}])
    run(acts.ActionSuggestCauses(), dispatcher, tracker, domain)
    assert customs(dispatcher) and customs(dispatcher)[0]["causes"], title


@pytest.mark.parametrize(
    ("text", "second_answered"),
    [("what causes neck spasms and how do I treat them?", True), ("what else?", False), ("tell me more", False)],
)
def test_tell_more_also_answers_a_second_request(
    text: str, second_answered: bool, make_tracker: TrackerFactory, domain: Dict[str, Any]
) -> None:
    """The NLU may read a two-part question as "tell me more": the second part is still answered."""
    dispatcher = CollectingDispatcher()
    run(acts.ActionTellMore(), dispatcher, make_tracker(text, "tell_more"), domain)
    assert customs(dispatcher)[0]["causes"]  # the list of causes first
    texts = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert ("What usually helps" in texts) is second_answered
