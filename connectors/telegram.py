"""Telegram: Rasa's connector plus the webhook secret token, a configurable API URL and plain-text triage.

Telegram does not sign updates; instead ``setWebhook`` takes a ``secret_token`` that Telegram sends back
in the ``X-Telegram-Bot-Api-Secret-Token`` header of every update. Rasa 3.6 neither sets nor checks it:
this connector does both, and refuses an update without the right token (HTTP 403).
``TELEGRAM_API_URL`` (default https://api.telegram.org) is where the bot's API calls go.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.fallback_text import custom_as_text, env_url
from connectors.turn_gate import gated
from core.names import TRIAGE_KEY

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def api_server() -> TelegramAPIServer:
    url = env_url("TELEGRAM_API_URL")
    return TelegramAPIServer.from_base(url) if url else TELEGRAM_PRODUCTION


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Optional[str]) -> None:
        # Bot.__init__ directly: Rasa's __init__ gives no way to choose the API server.
        super(RasaTelegramOutput, self).__init__(access_token, server=api_server())

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        text = custom_as_text(json_message)
        if text:
            await self.send_message(recipient_id, text)
        elif TRIAGE_KEY not in json_message and "cause" not in json_message and "causes" not in json_message:
            await super().send_custom_json(recipient_id, json_message, **kwargs)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        secret = str(credentials.get("secret_token") or "")
        if not secret:
            raise ValueError("telegram: `secret_token` (TELEGRAM_SECRET_TOKEN) is required")
        channel = cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"))
        channel.secret_token = secret
        return channel

    secret_token = ""

    def is_authentic(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return bool(self.secret_token) and hmac.compare_digest(given.encode(), self.secret_token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(gated(on_new_message))

        @webhook.middleware("request")
        async def check_secret(request: Request) -> Optional[HTTPResponse]:
            post = request.method == "POST" and request.path.rstrip("/").endswith("/webhook")
            if post and not self.is_authentic(request):
                logger.warning("Telegram update refused: missing or wrong %s header", SECRET_HEADER)
                return response.text("forbidden", status=403)
            return None

        return webhook

    def get_output_channel(self) -> TelegramOutput:
        if self.webhook_url and not getattr(self, "_webhook_set", False):
            asyncio.run(self._set_webhook())
            self._webhook_set = True
        return TelegramOutput(self.access_token)

    async def _set_webhook(self) -> None:
        """Register the webhook with its secret token (a throw-away client: its session dies with this loop)."""
        bot = TelegramOutput(self.access_token)
        try:
            await bot.request("setWebhook", {"url": self.webhook_url, "secret_token": self.secret_token})
        finally:
            await bot.close()
