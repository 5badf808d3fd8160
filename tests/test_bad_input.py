"""Bad input over the REST webhook and socket.io, against the real stack (tests/stack.py).

Over socket.io the checks use text replies: Rasa's stock `socketio` channel cannot send `custom`
payloads (its send_custom_json passes the payload as keyword arguments to emit and fails); the
channels work replaces that channel.

Each case gets a normal reply or a clear 4xx, the server stays up, and a conversation running
alongside is untouched (its slot still drives the next answer). The plain odd messages (empty,
whitespace, tags, emoji, 100 KB) on the in-memory server are in test_e2e_rest.py; here they go
through the SQLite tracker store, plus the malformed requests.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Dict, Iterator, List

import pytest
import requests
import socketio

from tests.stack import Stack

pytestmark = pytest.mark.e2e

SQL = "'; DROP TABLE events; -- what causes neck spasms?"
MESSAGES = {
    "empty": "",
    "whitespace": " \t\n ",
    "100 KB": "my neck hurts " * 7500,
    "emoji": "😀🤕 my neck 🔥🔥",
    "html and script": "<b>hi</b><script>alert(1)</script><img src=x onerror=alert(2)>",
    "SQL-looking": SQL,
    "control characters": "neck\x00\x07 pain\u202e",
}


def custom(replies: List[Dict[str, Any]], key: str) -> List[Any]:
    return [r["custom"][key] for r in replies if key in r.get("custom", {})]


@pytest.fixture(scope="module")
def bystander(stack: Stack) -> str:
    """A conversation about torticollis that runs alongside the bad input."""
    sender = f"bystander-{uuid.uuid4().hex[:8]}"
    assert custom(stack.say(sender, "what is torticollis?"), "cause") == ["cervical_dystonia"]
    return sender


def still_fine(stack: Stack, bystander: str) -> None:
    assert custom(stack.say(bystander, "how is it treated?"), "cause") == ["cervical_dystonia"]


# -- REST webhook -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(MESSAGES))
def test_rest_odd_messages_get_a_reply(stack: Stack, bystander: str, name: str) -> None:
    sender = f"rest-{name.replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
    stack.say(sender, "what is a slipped disc?")
    replies = stack.say(sender, MESSAGES[name])
    assert isinstance(replies, list) and replies, f"no reply to the {name} message"
    assert all(isinstance(r.get("text", ""), str) for r in replies)
    # The conversation itself goes on with its slot, and the other one is untouched.
    assert custom(stack.say(sender, "how is it treated?"), "cause") == ["herniated_disc"]
    still_fine(stack, bystander)


def test_sql_looking_text_is_stored_as_text(stack: Stack) -> None:
    sender = f"rest-sql-{uuid.uuid4().hex[:6]}"
    stack.say(sender, SQL)
    assert [e["text"] for e in stack.stored_events(sender) if e["event"] == "user"] == [SQL]


BAD_BODIES = {
    "invalid UTF-8": b'{"sender": "x", "message": "\xff\xfe neck"}',
    "not JSON": b"message=hello",
    "JSON list": b'["hello"]',
    "JSON string": b'"hello"',
    "JSON number": b"42",
    "JSON null": b"null",
    "missing sender": b'{"message": "hello"}',
    "empty sender": b'{"sender": "  ", "message": "hello"}',
    "enormous sender": ('{"sender": "' + "s" * 100_000 + '", "message": "hello"}').encode(),
    "sender is an object": b'{"sender": {"id": 1}, "message": "hello"}',
    "message is a number": b'{"sender": "x", "message": 42}',
    "message is an object": b'{"sender": "x", "message": {"text": "hello"}}',
    "metadata is a string": b'{"sender": "x", "message": "hello", "metadata": "oops"}',
    "empty body": b"",
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_rest_malformed_requests_get_a_clear_400(stack: Stack, bystander: str, name: str) -> None:
    response = requests.post(
        f"{stack.url}/webhooks/rest/webhook",
        data=BAD_BODIES[name],
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 400, (name, response.status_code, response.text[:300])
    assert response.json()["error"]
    still_fine(stack, bystander)


def test_a_numeric_sender_is_accepted(stack: Stack) -> None:
    sender = int(uuid.uuid4().int % 10**12)
    response = stack.post({"sender": sender, "message": "hello"})
    assert response.status_code == 200 and response.json()[0]["text"]


# -- socket.io ------------------------------------------------------------------------------------------------
class SocketUser:
    """A socket.io client as the chat widget uses it: session_request, then user_uttered / bot_uttered."""

    def __init__(self, url: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.replies: List[Dict[str, Any]] = []
        self.got = threading.Event()
        self.session = threading.Event()
        self.session_id = ""

        @self.sio.on("session_confirm")
        def _confirm(session_id: Any) -> None:
            self.session_id = str(session_id)
            self.session.set()

        @self.sio.on("bot_uttered")
        def _bot(data: Dict[str, Any]) -> None:
            self.replies.append(data)
            self.got.set()

        self.sio.connect(url, transports=["polling"], socketio_path="socket.io", wait_timeout=30)
        # The session id is the socket's own id: replies go to the room of that name, which every socket
        # is in (Rasa 3.6 does not await python-socketio 5's enter_room, so other rooms are never joined).
        self.sio.emit("session_request", {"session_id": self.sio.get_sid()})
        assert self.session.wait(30), "no session_confirm"

    def say(self, message: Any, timeout: float = 60) -> List[Dict[str, Any]]:
        self.replies.clear()
        self.got.clear()
        self.sio.emit("user_uttered", {"message": message, "session_id": self.session_id})
        self.got.wait(timeout)
        # bot messages arrive one by one; give the rest of this turn a moment to arrive
        while self.got.wait(1.5):
            self.got.clear()
        return list(self.replies)

    def emit_raw(self, data: Any) -> None:
        self.sio.emit("user_uttered", data)

    def close(self) -> None:
        self.sio.disconnect()


@pytest.fixture
def socket_user(stack: Stack) -> Iterator[SocketUser]:
    user = SocketUser(stack.url)
    try:
        yield user
    finally:
        user.close()


@pytest.mark.parametrize("name", list(MESSAGES))
def test_socketio_odd_messages_get_a_reply(stack: Stack, bystander: str, socket_user: SocketUser, name: str) -> None:
    assert socket_user.say("hello")[0]["text"]
    replies = socket_user.say(MESSAGES[name])
    assert replies and replies[0].get("text"), f"no reply to the {name} message over socket.io"
    assert socket_user.say("hello")[0]["text"]
    still_fine(stack, bystander)


@pytest.mark.parametrize(
    "data",
    [
        ["not", "an", "object"],
        "just a string",
        42,
        None,
        {"message": "no session id"},
        {"session_id": "x", "message": 7},
    ],
    ids=["list", "string", "number", "null", "no session id", "message is a number"],
)
def test_socketio_malformed_events_are_ignored_and_the_server_stays_up(
    stack: Stack, bystander: str, socket_user: SocketUser, data: Any
) -> None:
    socket_user.emit_raw(data)
    # The same connection still works, and so do other conversations.
    assert socket_user.say("hello")[0]["text"]
    still_fine(stack, bystander)
    assert requests.get(f"{stack.url}/", timeout=10).status_code == 200
    # and the handler did not fail on it (an unhandled error in a background task, logged, not answered)
    assert "Task exception was never retrieved" not in stack.rasa.log_text()
