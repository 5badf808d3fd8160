"""The socket.io channel for the website widget (rasa-webchat), with an origin allow-list.

Rasa 3.6's ``SocketIOInput`` creates its socket.io server with ``cors_allowed_origins=[]``, which in
python-engineio means "no origin check at all": any web site could open a socket to the bot. This
subclass sets the allow-list (credentials ``cors_allowed_origins``, else the ``WEB_ALLOWED_ORIGINS``
environment variable, else only the page that ``make run`` serves), and engine.io then refuses a
connection from any other origin with HTTP 400.

It also awaits ``enter_room`` on ``session_request``: Rasa calls it without ``await``, which with the pinned
python-socketio (5.x, where it is a coroutine) never joins the session's room, so with
``session_persistence: true`` no bot message would reach the browser.

Its output channel fixes two things for the widget: Rasa's ``send_custom_json`` passes the payload's
keys to ``emit`` as keyword arguments (``{"triage": ...}`` raises a TypeError), so the payload is sent as
``{"custom": {...}}``; and buttons go out as ``buttons`` rather than ``quick_replies``, which rasa-webchat
hides as soon as another message (the ``custom`` one) follows them.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Union

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from connectors.turn_gate import gated


def default_origins(env: Optional[Dict[str, str]] = None) -> List[str]:
    """The web page served by ``make run``: http://127.0.0.1:WEB_PORT and http://localhost:WEB_PORT."""
    env = dict(os.environ) if env is None else env
    port = env.get("WEB_PORT", "8080").strip() or "8080"
    host = env.get("WEB_HOST", "127.0.0.1").strip() or "127.0.0.1"
    hosts = ["127.0.0.1", "localhost"] if host in ("127.0.0.1", "localhost", "0.0.0.0") else [host]
    return [f"http://{h}:{port}" for h in hosts]


def allowed_origins(configured: Union[str, List[str], None], env: Optional[Dict[str, str]] = None) -> List[str]:
    """The origins allowed to open a socket: credentials first, then WEB_ALLOWED_ORIGINS, then the page."""
    env = dict(os.environ) if env is None else env
    value: Union[str, List[str], None] = configured or env.get("WEB_ALLOWED_ORIGINS", "").strip() or None
    if value is None:
        return default_origins(env)
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    origins = [item.strip().rstrip("/") for item in items if item.strip()]
    return origins or default_origins(env)


class WebChatOutput(SocketIOOutput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = text.strip().split("\n\n") or [text]
        for part in parts[:-1]:
            await self._send_message(recipient_id, {"text": part})
        reply_buttons = [{"title": b["title"], "payload": b["payload"], "type": "postback"} for b in buttons]
        await self._send_message(recipient_id, {"text": parts[-1], "buttons": reply_buttons})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    """``socketio`` with an origin allow-list and the output channel above."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> WebChatInput:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )
        channel.cors_allowed_origins = allowed_origins(credentials.get("cors_allowed_origins"))
        return channel

    cors_allowed_origins: List[str]  # set by from_credentials

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(gated(on_new_message))
        sio = self.sio
        assert sio is not None
        sio.eio.cors_allowed_origins = getattr(self, "cors_allowed_origins", None) or allowed_origins(None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        # Same as Rasa's handler, with this module's output channel.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Optional[Dict] = None) -> None:
            if not isinstance(data, dict):  # also an event with no data at all
                return
            if self.session_persistence:
                if not data.get("session_id"):
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                str(data.get("message") or ""),
                WebChatOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        return webhook
