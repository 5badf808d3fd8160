"""Twilio (SMS, WhatsApp): X-Twilio-Signature check, a configurable API URL, buttons and triage as text.

Rasa 3.6 does not check Twilio's signature: this connector does (Twilio's ``RequestValidator`` with the
auth token over the public webhook URL and the form fields) and refuses a bad one with HTTP 403. Set
``webhook_url`` (TWILIO_WEBHOOK_URL) to the exact public URL configured in Twilio when a proxy sits in
front of Rasa; without it the URL of the request as received is used.
``TWILIO_API_URL`` (default https://api.twilio.com) is where messages are sent.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.rest.api import Api

from connectors.fallback_text import buttons_as_text, custom_as_text, env_url
from connectors.turn_gate import gated
from core.names import TRIAGE_KEY

logger = logging.getLogger(__name__)


class TwilioOutput(RasaTwilioOutput):
    def __init__(self, account_sid: Optional[str], auth_token: Optional[str], twilio_number: Optional[str]) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        url = env_url("TWILIO_API_URL")
        if url:
            self._api = Api(self)
            self._api.base_url = url

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, buttons_as_text(text, buttons))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        if {TRIAGE_KEY, "cause", "causes"} & set(json_message):
            text = custom_as_text(json_message)
            if text:
                await self.send_text_message(recipient_id, text)
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class TwilioInput(RasaTwilioInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        channel = cls(credentials.get("account_sid"), credentials.get("auth_token"), credentials.get("twilio_number"))
        channel.webhook_url = str(credentials.get("webhook_url") or "")
        return channel

    webhook_url = ""

    def is_authentic(self, request: Request) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.auth_token:
            return False
        params = {key: values[0] for key, values in request.form.items()}
        return bool(RequestValidator(self.auth_token).validate(self.webhook_url or request.url, params, signature))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(gated(on_new_message))

        @webhook.middleware("request")
        async def check_signature(request: Request) -> Optional[HTTPResponse]:
            post = request.method == "POST" and request.path.rstrip("/").endswith("/webhook")
            if post and not self.is_authentic(request):
                logger.warning("Twilio request refused: bad X-Twilio-Signature")
                return response.text("forbidden", status=403)
            return None

        return webhook

    def get_output_channel(self) -> OutputChannel:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number)
