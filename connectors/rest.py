"""The REST webhook (``POST /webhooks/rest/webhook``) with input checks, in place of Rasa's ``rest`` channel.

Rasa's RestInput answers a body that is not a JSON object with a 500 error, files every message
without a sender under one shared conversation ("default"), accepts any type as the message, lets
the client choose the input channel, and logs the text of a message whose handling failed. This
channel keeps the same URL and reply format and instead:

- answers 400 with ``{"error": "..."}`` for a body that is not UTF-8 JSON, not a JSON object, has no
  sender, a sender that is not a string or number or longer than ``MAX_SENDER`` characters, a
  message that is not a string, or metadata that is not an object;
- never logs the message text.

Body size is limited by Sanic (``SANIC_REQUEST_MAX_SIZE``, 1 MB in ``scripts/serve.sh``): 413.
Enabled in credentials.yml as ``connectors.rest.SafeRestInput:``.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.turn_gate import gated

logger = logging.getLogger(__name__)

MAX_SENDER = 128


class BadRequest(ValueError):
    pass


def parse_body(body: bytes) -> Tuple[str, str, Optional[Dict[str, Any]]]:
    """(sender, message, metadata) from a request body, or BadRequest saying what is wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the body must be UTF-8 encoded JSON") from None
    except ValueError:
        raise BadRequest("the body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object: {"sender": "...", "message": "..."}')
    sender = data.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)) or not str(sender).strip():
        raise BadRequest('"sender" is required: a string that identifies the conversation')
    sender = str(sender)
    if len(sender) > MAX_SENDER:
        raise BadRequest(f'"sender" must be at most {MAX_SENDER} characters')
    message = data.get("message", "")
    if not isinstance(message, str):
        raise BadRequest('"message" must be a string')
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object')
    return sender, message, metadata


class SafeRestInput(RestInput):
    def __init__(self) -> None:
        super().__init__()

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        on_new_message = gated(on_new_message)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_body(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
            except CancelledError:
                logger.error("REST webhook: handling a message timed out")
            except Exception:
                logger.exception("REST webhook: handling a message failed")
            return response.json(collector.messages)

        return webhook
