"""Facebook Messenger: signature check on X-Hub-Signature-256 (or the older X-Hub-Signature), a
configurable Graph API URL, buttons as quick replies, and triage as text.

Rasa 3.6 checks only the SHA-1 ``X-Hub-Signature`` and answers a badly signed request with HTTP 200
"not validated"; this connector prefers ``X-Hub-Signature-256`` and refuses with HTTP 403.
``FACEBOOK_API_URL`` (default https://graph.facebook.com/v<version>) is where messages are sent.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from fbmessenger import MessengerClient
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger as RasaMessenger
from rasa.core.channels.facebook import MessengerBot as RasaMessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.fallback_text import buttons_as_text, custom_as_text, env_url
from connectors.turn_gate import gated
from core.names import TRIAGE_KEY

logger = logging.getLogger(__name__)
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20


def client(page_access_token: str) -> MessengerClient:
    messenger_client = MessengerClient(page_access_token)
    url = env_url("FACEBOOK_API_URL")
    if url:
        messenger_client.graph_url = url
    return messenger_client


def signature_ok(app_secret: str, body: bytes, headers: Any) -> bool:
    for header, algorithm in (("X-Hub-Signature-256", hashlib.sha256), ("X-Hub-Signature", hashlib.sha1)):
        value = headers.get(header)
        if value:
            prefix = "sha256=" if algorithm is hashlib.sha256 else "sha1="
            expected = prefix + hmac.new(app_secret.encode(), body, algorithm).hexdigest()
            return bool(app_secret) and hmac.compare_digest(expected.encode(), value.encode())
    return False


class MessengerBot(RasaMessengerBot):
    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        titles_fit = all(len(str(b.get("title", ""))) <= MAX_TITLE for b in buttons)
        if buttons and titles_fit and len(buttons) <= MAX_QUICK_REPLIES:
            quick = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
            self.messenger_client.send({"text": text, "quick_replies": quick}, recipient_id, "RESPONSE")
        else:
            await self.send_text_message(recipient_id, buttons_as_text(text, buttons))

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        if isinstance(json_message, dict) and {TRIAGE_KEY, "cause", "causes"} & set(json_message):
            text = custom_as_text(json_message)
            if text:
                await self.send_text_message(recipient_id, text)
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class Messenger(RasaMessenger):
    def __init__(self, page_access_token: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        super().__init__(page_access_token, on_new_message)
        self.client = client(page_access_token)

    async def _handle_user_message(self, text: str, sender_id: str, metadata: Optional[Dict[str, Any]]) -> None:
        out_channel = MessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(
                UserMessage(text, out_channel, sender_id, input_channel=self.name(), metadata=metadata)
            )
        except Exception:
            logger.exception("Exception when handling a facebook message")
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class FacebookInput(RasaFacebookInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = gated(on_new_message)
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            if self.fb_verify and request.args.get("hub.verify_token") == self.fb_verify:
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("failure, invalid token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not signature_ok(self.fb_secret or "", request.body, request.headers):
                logger.warning("Facebook request refused: bad X-Hub-Signature(-256)")
                return response.text("not validated", status=403)
            payload = request.json  # invalid JSON: Sanic answers 400
            entries = payload.get("entry") if isinstance(payload, dict) else None
            if not isinstance(entries, list):
                return response.text("not a Messenger webhook event", status=400)
            events = [
                {"messaging": [m for m in e["messaging"] if isinstance(m, dict)]}
                for e in entries
                if isinstance(e, dict) and isinstance(e.get("messaging"), list)
            ]
            messenger = Messenger(self.fb_access_token, on_new_message)
            await messenger.handle({"entry": events}, self.get_metadata(request))
            return response.text("success")

        return fb_webhook

    def get_output_channel(self) -> OutputChannel:
        return MessengerBot(client(self.fb_access_token))
