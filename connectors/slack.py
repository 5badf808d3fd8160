"""Slack: Rasa's connector (it verifies the signing secret) with a configurable API URL and text triage.

``SLACK_API_URL`` (default https://slack.com/api/) is where ``chat.postMessage`` goes.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint
from slack_sdk.web.async_client import AsyncWebClient

from connectors.fallback_text import custom_as_text, env_url
from connectors.turn_gate import gated
from core.names import TRIAGE_KEY


class SlackBot(RasaSlackBot):
    def __init__(
        self,
        token: str,
        slack_channel: Optional[str] = None,
        thread_id: Optional[str] = None,
        proxy: Optional[str] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        url = env_url("SLACK_API_URL")
        if url:
            self.client = AsyncWebClient(token, proxy=proxy, base_url=url + "/")

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        text = custom_as_text(json_message)
        if text:
            await self.send_text_message(recipient_id, text)
        elif not {TRIAGE_KEY, "cause", "causes"} & set(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)


class SlackInput(RasaSlackInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(gated(on_new_message))

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
