"""End to end: the real action server and Rasa server, talked to over the REST webhook."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
import requests

from core.kb_loader import cause_ids, get_kb
from tests.servers import serve

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(tmp_path_factory.mktemp("servers"))


def say(bot: str, sender: str, message: Any) -> List[Dict[str, Any]]:
    response = requests.post(f"{bot}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def custom(replies: List[Dict[str, Any]], key: str) -> List[Any]:
    return [r["custom"][key] for r in replies if key in r.get("custom", {})]


@pytest.mark.parametrize("cause_id", cause_ids())
def test_asking_about_each_cause_by_name_returns_its_id(bot: str, cause_id: str) -> None:
    name = get_kb().get(cause_id).name.lower()
    replies = say(bot, f"e2e-{cause_id}", f"can {name} cause neck spasms?")
    assert custom(replies, "cause") == [cause_id], replies


def test_emergency_reply_starts_with_the_action(bot: str) -> None:
    replies = say(bot, "e2e-emergency", "I have a fever and my neck is very stiff")
    assert replies[0]["text"].startswith("Call your local emergency number")
    assert custom(replies, "triage") == ["emergency"]
    assert any("meningitis" in r.get("text", "") for r in replies)


def test_list_then_follow_up_on_one_cause(bot: str) -> None:
    listed = custom(say(bot, "e2e-flow", "what causes neck spasms?"), "causes")
    assert listed and set(listed[0]) <= set(cause_ids())
    more = custom(say(bot, "e2e-flow", "what else?"), "causes")
    assert more and not set(more[0]) & set(listed[0])
    assert custom(say(bot, "e2e-flow", "what is a slipped disc?"), "cause") == ["herniated_disc"]
    assert custom(say(bot, "e2e-flow", "how is it treated?"), "cause") == ["herniated_disc"]


def test_symptom_description_suggests_ranked_causes(bot: str) -> None:
    replies = say(bot, "e2e-symptoms", "my neck keeps cramping after a day at my desk")
    suggested = custom(replies, "causes")
    assert suggested and suggested[0][0] in {"muscle_strain", "poor_posture", "poor_ergonomics"}


def test_conversations_are_kept_apart(bot: str) -> None:
    say(bot, "e2e-alice", "tell me about lupus")
    say(bot, "e2e-bob", "what is torticollis?")
    assert custom(say(bot, "e2e-alice", "how is it treated?"), "cause") == ["autoimmune_disorders"]
    assert custom(say(bot, "e2e-bob", "how is it treated?"), "cause") == ["cervical_dystonia"]


@pytest.mark.parametrize("message", ["", "   ", "<b>hi</b><script>alert(1)</script>", "¿Qué causa esto?", "😀😀😀"])
def test_odd_input_gets_a_reply_and_the_server_stays_up(bot: str, message: str) -> None:
    replies = say(bot, "e2e-odd", message)
    assert isinstance(replies, list)
    assert say(bot, "e2e-odd", "hello")[0]["text"]


def test_a_100_kb_message_is_answered_and_the_conversation_goes_on(bot: str) -> None:
    say(bot, "e2e-long", "what is a slipped disc?")
    replies = say(bot, "e2e-long", "my neck hurts " * 7500)  # ~100 KB
    assert replies and all("text" in r or "custom" in r for r in replies)
    assert custom(say(bot, "e2e-long", "how is it treated?"), "cause") == ["herniated_disc"]


# -- other languages and two requests in one message ------------------------------------
@pytest.mark.parametrize("message", ["me duele mucho el cuello", "j'ai mal au cou depuis hier", "首が痛いです"])
def test_other_languages_get_the_only_english_reply(bot: str, message: str) -> None:
    replies = say(bot, "e2e-lang", message)
    assert replies[0]["text"].startswith("Sorry, I only understand English"), replies
    # The conversation goes on in English.
    assert custom(say(bot, "e2e-lang", "why does my neck spasm?"), "causes")


def test_two_requests_in_one_message_get_both_answers(bot: str) -> None:
    replies = say(bot, "e2e-two", "what causes neck spasms and how do I treat them?")
    assert custom(replies, "causes")
    assert any("What usually helps" in (r.get("text") or "") for r in replies), replies
