"""Messaging platforms: a signed webhook request in, the bot's reply out to the platform's API.

The Rasa server runs for real with the four connectors (connectors/) switched on by test credentials;
each platform's API is ``FakePlatforms`` on loopback (tests/live_servers.py), which records what the
bot sent. Every platform also gets a badly signed request, which must be refused and answered nowhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any, Callable, Dict, List

import pytest
import requests
from twilio.request_validator import RequestValidator

from scripts.channels import PLATFORMS, ConfigError, build
from tests import live_servers as ls
from tests.live_servers import Call

pytestmark = pytest.mark.e2e

EMERGENCY = "I have a fever and my neck is very stiff"
EMERGENCY_FIRST = "Call your local emergency number"


def texts(calls: List[Call], key: str) -> List[str]:
    return [str(c.body.get(key, "")) for c in calls]


def has_emergency_label(values: List[str]) -> bool:
    return any(v.startswith("EMERGENCY: " + EMERGENCY_FIRST) for v in values)


# --- Telegram ---------------------------------------------------------------------------------------


def telegram_update(chat_id: int, text: str) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"}, "from": user}
    return {"update_id": chat_id, "message": {**message, "text": text}}


def post_telegram(stack: Any, chat_id: int, text: str, secret: str) -> requests.Response:
    return requests.post(
        f"{stack.rasa}/webhooks/telegram/webhook",
        json=telegram_update(chat_id, text),
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        timeout=60,
    )


def test_telegram_registered_its_webhook_with_the_secret_token(live_stack: Any) -> None:
    calls = live_stack.fake.sent("telegram", lambda c: c.path.endswith("/setWebhook"))
    assert calls, "no setWebhook call reached the fake Telegram API"
    assert calls[0].body.get("secret_token") == ls.TELEGRAM_SECRET
    assert calls[0].body.get("url", "").endswith("/webhooks/telegram/webhook")


def test_telegram_emergency_reaches_the_api_first_line_first(live_stack: Any) -> None:
    chat_id = 7000 + uuid.uuid4().int % 1000
    response = post_telegram(live_stack, chat_id, EMERGENCY, ls.TELEGRAM_SECRET)
    assert response.status_code == 200, response.text

    def mine(c: Call) -> bool:
        return c.path.endswith("/sendMessage") and str(c.body.get("chat_id")) == str(chat_id)

    calls = live_stack.fake.wait_for("telegram", mine, lambda cs: has_emergency_label(texts(cs, "text")))
    sent = texts(calls, "text")
    assert sent and sent[0].startswith(EMERGENCY_FIRST), sent
    assert has_emergency_label(sent), sent
    assert f"/bot{ls.TELEGRAM_TOKEN}/" in calls[0].path


def test_telegram_buttons_arrive_as_an_inline_keyboard(live_stack: Any) -> None:
    chat_id = 8000 + uuid.uuid4().int % 1000
    assert post_telegram(live_stack, chat_id, "can stress cause neck spasms?", ls.TELEGRAM_SECRET).status_code == 200

    def mine(c: Call) -> bool:
        return c.path.endswith("/sendMessage") and str(c.body.get("chat_id")) == str(chat_id)

    calls = live_stack.fake.wait_for("telegram", mine, lambda cs: any("reply_markup" in c.body for c in cs))
    assert any("Stress and anxiety can cause neck spasms" in t for t in texts(calls, "text")), texts(calls, "text")
    markup = json.loads(next(c.body["reply_markup"] for c in calls if "reply_markup" in c.body))
    titles = [b["text"] for row in markup["inline_keyboard"] for b in row]
    assert "How is it treated?" in titles


@pytest.mark.parametrize("secret", ["", "wrong-secret"])
def test_telegram_refuses_an_update_without_the_secret_token(live_stack: Any, secret: str) -> None:
    chat_id = 9000 + uuid.uuid4().int % 1000
    response = post_telegram(live_stack, chat_id, "hello", secret)
    assert response.status_code == 403
    assert not live_stack.fake.sent("telegram", lambda c: str(c.body.get("chat_id")) == str(chat_id))


# --- Slack ------------------------------------------------------------------------------------------


def slack_event(user: str, channel: str, text: str) -> bytes:
    event = {"type": "message", "channel": channel, "channel_type": "im", "user": user, "text": text, "ts": "1.0"}
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "event_id": f"Ev{uuid.uuid4().hex[:8]}",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "UBOT"}],
    }
    return json.dumps(body).encode()


def post_slack(stack: Any, body: bytes, secret: str, timestamp: int) -> requests.Response:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
    }
    return requests.post(f"{stack.rasa}/webhooks/slack/webhook", data=body, headers=headers, timeout=60)


def test_slack_signed_event_gets_the_emergency_reply(live_stack: Any) -> None:
    channel = f"D{uuid.uuid4().hex[:8].upper()}"
    response = post_slack(live_stack, slack_event("U1", channel, EMERGENCY), ls.SLACK_SIGNING_SECRET, int(time.time()))
    assert response.status_code == 200, response.text

    def mine(c: Call) -> bool:
        return c.path.endswith("/chat.postMessage") and c.body.get("channel") == channel

    calls = live_stack.fake.wait_for("slack", mine, lambda cs: has_emergency_label(texts(cs, "text")))
    sent = texts(calls, "text")
    assert sent and sent[0].startswith(EMERGENCY_FIRST), sent
    assert has_emergency_label(sent), sent


@pytest.mark.parametrize(
    "secret, age", [("wrong-signing-secret", 0), (ls.SLACK_SIGNING_SECRET, 600)], ids=["bad-signature", "replayed"]
)
def test_slack_refuses_a_badly_signed_or_old_event(live_stack: Any, secret: str, age: int) -> None:
    channel = f"D{uuid.uuid4().hex[:8].upper()}"
    response = post_slack(live_stack, slack_event("U2", channel, "hello"), secret, int(time.time()) - age)
    assert response.status_code == 400
    time.sleep(1)  # give a wrongly accepted message the chance to show up
    assert not live_stack.fake.sent("slack", lambda c: c.body.get("channel") == channel)


# --- Facebook Messenger -----------------------------------------------------------------------------


def messenger_body(sender: str, text: str) -> bytes:
    messaging = {
        "sender": {"id": sender},
        "recipient": {"id": "PAGE1"},
        "timestamp": 0,
        "message": {"mid": "m1", "text": text},
    }
    return json.dumps({"object": "page", "entry": [{"id": "PAGE1", "time": 0, "messaging": [messaging]}]}).encode()


def post_messenger(stack: Any, body: bytes, headers: Dict[str, str]) -> requests.Response:
    headers = {"Content-Type": "application/json", **headers}
    return requests.post(f"{stack.rasa}/webhooks/facebook/webhook", data=body, headers=headers, timeout=60)


def sha256_header(secret: str, body: bytes) -> Dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def messenger_texts(calls: List[Call]) -> List[str]:
    return [str(c.body.get("message", {}).get("text", "")) for c in calls if "message" in c.body]


def test_messenger_signed_message_gets_the_emergency_reply(live_stack: Any) -> None:
    sender = f"U{uuid.uuid4().hex[:10]}"
    body = messenger_body(sender, EMERGENCY)
    response = post_messenger(live_stack, body, sha256_header(ls.FACEBOOK_APP_SECRET, body))
    assert response.status_code == 200, response.text

    def mine(c: Call) -> bool:
        return c.path.endswith("/me/messages") and c.body.get("recipient", {}).get("id") == sender

    calls = live_stack.fake.wait_for("facebook", mine, lambda cs: has_emergency_label(messenger_texts(cs)))
    sent = messenger_texts(calls)
    assert sent and sent[0].startswith(EMERGENCY_FIRST), sent
    assert has_emergency_label(sent), sent


def test_messenger_accepts_the_older_sha1_signature_and_sends_quick_replies(live_stack: Any) -> None:
    sender = f"U{uuid.uuid4().hex[:10]}"
    body = messenger_body(sender, "can stress cause neck spasms?")
    signature = "sha1=" + hmac.new(ls.FACEBOOK_APP_SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert post_messenger(live_stack, body, {"X-Hub-Signature": signature}).status_code == 200

    def mine(c: Call) -> bool:
        return c.body.get("recipient", {}).get("id") == sender and "quick_replies" in c.body.get("message", {})

    calls = live_stack.fake.wait_for("facebook", mine, bool)
    assert calls, "no message with quick replies reached the fake Graph API"
    titles = [q["title"] for q in calls[0].body["message"]["quick_replies"]]
    assert "How is it treated?" in titles


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, {"X-Hub-Signature": "sha1=" + "0" * 40}],
    ids=["unsigned", "bad-sha256", "bad-sha1"],
)
def test_messenger_refuses_a_badly_signed_request(live_stack: Any, headers: Dict[str, str]) -> None:
    sender = f"U{uuid.uuid4().hex[:10]}"
    response = post_messenger(live_stack, messenger_body(sender, "hello"), headers)
    assert response.status_code == 403
    assert not live_stack.fake.sent("facebook", lambda c: c.body.get("recipient", {}).get("id") == sender)


def test_messenger_webhook_verification_needs_the_verify_token(live_stack: Any) -> None:
    url = f"{live_stack.rasa}/webhooks/facebook/webhook"
    ok = requests.get(url, params={"hub.verify_token": ls.FACEBOOK_VERIFY, "hub.challenge": "42"}, timeout=10)
    assert ok.status_code == 200 and ok.text == "42"
    bad = requests.get(url, params={"hub.verify_token": "nope", "hub.challenge": "42"}, timeout=10)
    assert bad.status_code == 403


# --- Twilio -----------------------------------------------------------------------------------------


def post_twilio(stack: Any, params: Dict[str, str], sign: Callable[[str, Dict[str, str]], str]) -> requests.Response:
    url = f"{stack.rasa}/webhooks/twilio/webhook"
    headers = {"X-Twilio-Signature": sign(url, params)}
    return requests.post(url, data=params, headers=headers, timeout=60)


def twilio_params(sender: str, text: str) -> Dict[str, str]:
    return {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": ls.TWILIO_SID,
        "From": sender,
        "To": ls.TWILIO_NUMBER,
        "Body": text,
    }


def good_signature(url: str, params: Dict[str, str]) -> str:
    return str(RequestValidator(ls.TWILIO_TOKEN).compute_signature(url, params))


def twilio_mine(sender: str) -> Callable[[Call], bool]:
    return lambda c: c.path.endswith(f"/Accounts/{ls.TWILIO_SID}/Messages.json") and c.body.get("To") == sender


def test_twilio_signed_sms_gets_the_emergency_reply_as_text(live_stack: Any) -> None:
    sender = f"+1555{uuid.uuid4().int % 10_000_000:07d}"
    response = post_twilio(live_stack, twilio_params(sender, EMERGENCY), good_signature)
    assert response.status_code == 204, response.text
    calls = live_stack.fake.wait_for("twilio", twilio_mine(sender), lambda cs: has_emergency_label(texts(cs, "Body")))
    sent = texts(calls, "Body")
    assert sent and sent[0].startswith(EMERGENCY_FIRST), sent
    assert has_emergency_label(sent), sent
    assert all(c.body.get("From") == ls.TWILIO_NUMBER for c in calls)


def test_twilio_buttons_become_text_the_person_can_type_back(live_stack: Any) -> None:
    sender = f"+1555{uuid.uuid4().int % 10_000_000:07d}"
    assert (
        post_twilio(live_stack, twilio_params(sender, "can stress cause neck spasms?"), good_signature).status_code
        == 204
    )
    calls = live_stack.fake.wait_for(
        "twilio", twilio_mine(sender), lambda cs: any("You can reply:" in t for t in texts(cs, "Body"))
    )
    assert any("You can reply:" in t and "How is it treated?" in t for t in texts(calls, "Body")), texts(calls, "Body")


@pytest.mark.parametrize(
    "sign",
    [
        lambda url, params: "",
        lambda url, params: str(RequestValidator("wrong-token").compute_signature(url, params)),
        lambda url, params: good_signature(url, {**params, "Body": "something else"}),
    ],
    ids=["unsigned", "wrong-token", "tampered-body"],
)
def test_twilio_refuses_a_badly_signed_request(live_stack: Any, sign: Callable[[str, Dict[str, str]], str]) -> None:
    sender = f"+1555{uuid.uuid4().int % 10_000_000:07d}"
    response = post_twilio(live_stack, twilio_params(sender, "hello"), sign)
    assert response.status_code == 403
    assert not live_stack.fake.sent("twilio", twilio_mine(sender))


# --- The credentials generator ----------------------------------------------------------------------


def test_no_platform_variables_means_only_rest_and_the_web_chat() -> None:
    credentials, enabled = build({})
    assert enabled == []
    assert set(credentials) == {"connectors.rest.SafeRestInput", "connectors.webchat.WebChatInput"}


def test_each_platform_is_switched_on_by_its_variables_alone() -> None:
    full = ls.platform_env(ls.FakePlatforms(port=1), 5005)
    for platform in PLATFORMS:
        env = {var: full[var] for var, _, _ in platform.fields if var in full}
        credentials, enabled = build(env)
        assert enabled == [platform.name]
        assert platform.connector in credentials


def test_a_half_configured_platform_is_an_error_naming_the_missing_variables() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        build({"SLACK_TOKEN": "xoxb-1"})


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"object": "page"}', b'{"entry": [{"id": "P"}]}', b'{"entry": [{"messaging": [1, "x"]}]}'],
)
def test_messenger_answers_a_signed_but_malformed_body_without_crashing(live_stack: Any, body: bytes) -> None:
    response = post_messenger(live_stack, body, sha256_header(ls.FACEBOOK_APP_SECRET, body))
    assert response.status_code in (200, 400)
    assert requests.get(f"{live_stack.rasa}/webhooks/facebook/", timeout=10).json() == {"status": "ok"}
