"""Kept-alive HTTP connections from the Rasa server to its endpoints (above all the action server).

Rasa 3.6's ``EndpointConfig.request`` opens a new ``aiohttp.ClientSession`` for every call and closes
it afterwards, so each custom action costs a new TCP connection on both sides (connect, accept, a
new Sanic protocol, teardown). Under ``make bench`` that was most of the time the Rasa server spent
calling the action server.

``install()`` makes ``EndpointConfig.session`` hand out one session per event loop and endpoint
settings (headers and basic auth), which ``request`` then uses as before: ``async with`` does not
close it. Idle connections are closed by this side after ``KEEPALIVE_SECONDS``, below the 5 s after
which Sanic (the action server) closes them, so a request never goes out on a connection the server
is closing. A server that restarted or went away is noticed by aiohttp (the connection is dropped
and a new one opened); if it is down, the call fails as before and ``patches/action_client.py``
apologises. Each Sanic worker process has its own event loop and so its own session.

The kept sessions write request bodies with ``ujson`` (installed with Rasa) instead of the standard
library's ``json``, several times faster on the action calls' bodies, which was a few per cent of the Rasa
server's time under ``make bench``: the same JSON values (NaN and infinities written as ``json`` writes
them), without spaces and with ``/`` escaped. A value ``ujson`` refuses is written by ``json.dumps``; both
refuse objects they do not know (ujson writes a ``Decimal`` as a number, which Rasa's bodies never hold).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import weakref
from typing import Any, Dict, Optional, Tuple

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from patches.patching import Patch

KEEPALIVE_SECONDS = 2.0
_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[Tuple[Any, ...], aiohttp.ClientSession]]
_sessions = weakref.WeakKeyDictionary()


class _KeptSession:
    """``async with`` gives the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: Any) -> None:
        return None


def _key(endpoint: EndpointConfig) -> Tuple[Any, ...]:
    auth = endpoint.basic_auth or {}
    return (
        tuple(sorted((str(k), str(v)) for k, v in (endpoint.headers or {}).items())),
        auth.get("username"),
        auth.get("password"),
    )


def dumps(value: Any) -> str:
    """The JSON text of a request body: ``ujson``'s, or ``json.dumps``' for what ``ujson`` refuses."""
    try:
        return ujson.dumps(value)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


def session(self: EndpointConfig) -> Any:
    """The kept session of this loop and these settings (Rasa's own behaviour outside a running loop)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _original_session(self)
    per_loop = _sessions.setdefault(loop, {})
    key = _key(self)
    kept: Optional[aiohttp.ClientSession] = per_loop.get(key)
    if kept is None or kept.closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        kept = per_loop[key] = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            json_serialize=dumps,
        )
    return _KeptSession(kept)


async def close_all() -> None:
    """Closes this loop's kept sessions (tests; the server's process exit does it too)."""
    for kept in _sessions.pop(asyncio.get_running_loop(), {}).values():
        await kept.close()


@atexit.register
def _drop_connections() -> None:
    # The loop is gone at exit: close the sockets directly so aiohttp does not warn about open sessions.
    for per_loop in list(_sessions.values()):
        for kept in per_loop.values():
            connector = kept.connector
            if connector is not None and not connector.closed:
                with contextlib.suppress(Exception):  # best effort at exit
                    connector._close()


_patch = Patch(EndpointConfig, "session", session)
_original_session = _patch.original
install, uninstall = _patch.install, _patch.uninstall
