"""Production behaviour against the real stack (tests/stack.py): persistence in the SQLite tracker store,
"forget me", faults (action server down, Rasa restart, unreachable PostgreSQL, a flood of requests for
one conversation) and security (HTTP API off, body size limit, JSON replies, no message text in logs)."""

from __future__ import annotations

import concurrent.futures
import time
import uuid
from typing import Any, Dict, List

import pytest
import requests

from actions.privacy import FORGOTTEN_TEXT
from tests.servers import endpoints_file, free_port, rasa_server
from tests.stack import Stack, texts, user_texts

pytestmark = pytest.mark.e2e


def custom(replies: List[Dict[str, Any]], key: str) -> List[Any]:
    return [r["custom"][key] for r in replies if key in r.get("custom", {})]


def sender(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


# -- persistence ----------------------------------------------------------------------------------------
def test_every_message_and_reply_is_stored_in_the_sqlite_file_in_order(stack: Stack) -> None:
    me = sender("store")
    stack.say(me, "what is a slipped disc?")
    stack.say(me, "how is it treated?")
    events = stack.stored_events(me)
    assert user_texts(events) == ["what is a slipped disc?", "how is it treated?"]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "action" and events[0]["name"] == "action_session_start"
    assert "bot" in kinds and kinds[-1] == "action" and events[-1]["name"] == "action_listen"
    assert any(e["event"] == "slot" and e["name"] == "cause" and e["value"] == "herniated_disc" for e in events)


def test_the_conversation_continues_with_its_slots_after_a_rasa_server_restart(stack: Stack) -> None:
    me = sender("restart")
    assert custom(stack.say(me, "what is a slipped disc?"), "cause") == ["herniated_disc"]
    stack.restart_rasa()
    assert custom(stack.say(me, "how is it treated?"), "cause") == ["herniated_disc"]
    assert user_texts(stack.stored_events(me)) == ["what is a slipped disc?", "how is it treated?"]


# -- forget me --------------------------------------------------------------------------------------------
def test_forget_me_asks_first_then_deletes_the_conversation_from_sqlite(stack: Stack) -> None:
    me, other = sender("forget"), sender("bystander")
    stack.say(me, "tell me about lupus")
    stack.say(other, "what is torticollis?")
    asked = stack.say(me, "please forget me")
    assert "delete this conversation" in asked[0]["text"]
    assert user_texts(stack.stored_events(me))[-1] == "please forget me"  # nothing deleted before "yes"

    assert texts(stack.say(me, "yes")) == [FORGOTTEN_TEXT]
    assert stack.stored_events(me) == []
    assert user_texts(stack.stored_events(other)) == ["what is torticollis?"]

    # A new start: the old cause is not remembered.
    replies = stack.say(me, "how is it treated?")
    assert "autoimmune_disorders" not in custom(replies, "cause")
    assert user_texts(stack.stored_events(me)) == ["how is it treated?"]


def test_forget_me_answered_no_keeps_the_conversation(stack: Stack) -> None:
    me = sender("keep")
    stack.say(me, "what is torticollis?")
    stack.say(me, "delete my data")
    assert "kept" in stack.say(me, "no")[0]["text"]
    assert user_texts(stack.stored_events(me)) == ["what is torticollis?", "delete my data", "no"]
    assert custom(stack.say(me, "how is it treated?"), "cause") == ["cervical_dystonia"]


# -- faults -----------------------------------------------------------------------------------------------
def test_with_the_action_server_down_the_user_gets_an_apology_and_emergencies_the_instruction(stack: Stack) -> None:
    me = sender("down")
    stack.actions.stop()
    try:
        replies = stack.say(me, "what causes neck spasms?")
        assert replies and replies[0]["text"].startswith("Sorry, I can't answer that right now"), replies
        # The always-on red-flag check answers an emergency with a static response first; the apology
        # for the missing details follows, without a second, different emergency instruction.
        emergency = stack.say(me, "I have a fever and my neck is very stiff")
        texts = [r.get("text", "") for r in emergency]
        assert texts and texts[0].startswith("Call your local emergency number"), emergency
        assert any("technical problem" in t for t in texts[1:]), emergency
        assert not any(t.startswith("If this could be an emergency") for t in texts), emergency
    finally:
        stack.actions.start().wait_ready()
    # Back to normal once the action server is back, in the same conversation.
    assert custom(stack.say(me, "what is a slipped disc?"), "cause") == ["herniated_disc"]


def test_a_flood_of_concurrent_requests_for_one_conversation_loses_no_message(stack: Stack) -> None:
    me = sender("flood")
    messages = [f"what is torticollis? (question {i})" for i in range(24)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(lambda m: stack.post({"sender": me, "message": m}), messages))
    assert [r.status_code for r in replies] == [200] * len(messages)
    assert all(r.json() for r in replies), "every request gets a reply"
    stored = user_texts(stack.stored_events(me))
    assert sorted(stored) == sorted(messages)  # each message stored exactly once
    assert custom(stack.say(me, "how is it treated?"), "cause") == ["cervical_dystonia"]


def test_postgresql_configured_but_unreachable_stops_start_up_with_a_clear_message(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("pg-down")
    closed_port = free_port()  # nothing listens there
    endpoints = endpoints_file(
        tmp / "endpoints.yml",
        TRACKER_STORE="postgresql",
        TRACKER_DB_HOST="127.0.0.1",
        TRACKER_DB_PORT=str(closed_port),
        TRACKER_DB_CONNECT_TIMEOUT="3",
    )
    server = rasa_server(tmp, free_port(), endpoints).start()
    try:
        assert server.proc is not None
        code = server.proc.wait(timeout=300)
    finally:
        server.stop()
    log = server.log_text()
    assert code != 0, log[-2000:]
    assert f"Cannot reach the tracker store: postgresql database 'rasa' at 127.0.0.1:{closed_port}" in log, log[-3000:]
    assert "TRACKER_DB_HOST" in log


# -- security ---------------------------------------------------------------------------------------------
def test_the_http_api_is_off_by_default(stack: Stack) -> None:
    me = sender("api")
    stack.say(me, "hello")
    assert requests.get(f"{stack.url}/conversations/{me}/tracker", timeout=10).status_code == 404
    assert requests.post(f"{stack.url}/model/parse", json={"text": "hi"}, timeout=10).status_code == 404
    assert requests.get(f"{stack.url}/status", timeout=10).status_code == 404


def test_request_bodies_over_1_mb_are_refused_with_413(stack: Stack) -> None:
    response = stack.post({"sender": sender("big"), "message": "a" * 1_100_000})
    assert response.status_code == 413
    assert stack.say(sender("after-big"), "hello")[0]["text"]


def test_replies_are_json_and_user_text_comes_back_only_as_json_strings(stack: Stack) -> None:
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script> my neck hurts after desk work'
    response = stack.post({"sender": sender("html"), "message": payload})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json(), list) and all(isinstance(r.get("text", ""), str) for r in response.json())


def test_logs_at_the_default_level_do_not_contain_message_text(stack: Stack) -> None:
    marker = f"quokkaneck{uuid.uuid4().hex[:6]}"
    stack.say(sender("logs"), f"my {marker} hurts when I turn my head")
    stack.say(sender("logs"), f"forget {marker}")
    time.sleep(1)  # let the servers flush their logs
    for log in (stack.rasa.log_text(), stack.actions.log_text()):
        assert log, "the server logs were captured"
        assert marker not in log
