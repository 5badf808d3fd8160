"""patches/http_session.py: Rasa's endpoint calls reuse kept-alive connections, with the same results.

A real aiohttp server on loopback counts the TCP connections it accepts.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any, AsyncIterator, Dict, List

import aiohttp
import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from patches import http_session


class CountingServer:
    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.runner: Any = None
        self.port = 0

    async def start(self, port: int = 0) -> CountingServer:
        async def webhook(request: web.Request) -> web.Response:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            self.requests.append({"json": await request.json(), "headers": dict(request.headers), "peer": peer})
            return web.json_response({"events": [], "responses": [{"text": "ok"}]})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]
        return self

    @property
    def connections(self) -> int:
        """Distinct client sockets the requests came on."""
        return len({r["peer"] for r in self.requests})

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    running = await CountingServer().start()
    yield running
    await running.stop()


@pytest.fixture(autouse=True)
async def rasa_sessions_afterwards() -> AsyncIterator[None]:
    yield
    await http_session.close_all()
    http_session.uninstall()


async def _call(endpoint: EndpointConfig, n: int) -> List[Any]:
    return [await endpoint.request(json={"n": i}, method="post") for i in range(n)]


async def test_rasa_alone_opens_a_connection_per_call(server: CountingServer) -> None:
    http_session.uninstall()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    await _call(endpoint, 5)
    assert server.connections == 5


async def test_installed_calls_share_one_connection_and_get_the_same_answers(server: CountingServer) -> None:
    http_session.install()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    answers = await _call(endpoint, 5)
    assert answers == [{"events": [], "responses": [{"text": "ok"}]}] * 5
    assert [r["json"] for r in server.requests] == [{"n": i} for i in range(5)]
    assert server.connections == 1


async def test_concurrent_calls_get_their_own_answers(server: CountingServer) -> None:
    http_session.install()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    await asyncio.gather(*(endpoint.request(json={"n": i}, method="post") for i in range(20)))
    assert sorted(r["json"]["n"] for r in server.requests) == list(range(20))
    assert server.connections <= 20


async def test_headers_and_basic_auth_are_kept_per_endpoint(server: CountingServer) -> None:
    http_session.install()
    url = f"http://127.0.0.1:{server.port}/webhook"
    plain = EndpointConfig(url)
    with_auth = EndpointConfig(url, headers={"X-Clinic": "north"}, basic_auth={"username": "u", "password": "p"})
    await plain.request(json={}, method="post")
    await with_auth.request(json={}, method="post")
    await plain.request(json={}, method="post")
    first, second, third = (r["headers"] for r in server.requests)
    token = "Basic " + base64.b64encode(b"u:p").decode()
    assert second["X-Clinic"] == "north" and second["Authorization"] == token
    assert "Authorization" not in first and "Authorization" not in third and "X-Clinic" not in third


async def test_a_restarted_server_is_reached_again(server: CountingServer) -> None:
    http_session.install()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    await _call(endpoint, 2)
    port = server.port
    await server.stop()
    with pytest.raises(aiohttp.ClientError):  # down: the call fails (action_client then apologises)
        await endpoint.request(json={}, method="post")
    restarted = await CountingServer().start(port)
    try:
        assert await endpoint.request(json={"again": True}, method="post") == {
            "events": [],
            "responses": [{"text": "ok"}],
        }
        assert restarted.requests[0]["json"] == {"again": True}
    finally:
        await restarted.stop()
        server.runner = restarted.runner  # the fixture's stop is harmless on a cleaned-up runner


async def test_idle_connections_are_closed_before_the_server_would(server: CountingServer) -> None:
    assert http_session.KEEPALIVE_SECONDS < 5  # Sanic's KEEP_ALIVE_TIMEOUT, the action server's
    http_session.install()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    await endpoint.request(json={}, method="post")
    await asyncio.sleep(http_session.KEEPALIVE_SECONDS + 0.5)
    await endpoint.request(json={}, method="post")
    assert server.connections == 2


BODIES = [
    {
        "next_action": "action_triage",
        "tracker": {"latest_message": {"text": "neck pain é/😀 <b>hi</b>", "c": 0.1 + 0.2}},
    },
    {"big": 1e300, "small": -5e-324, "nested": [[], {}, None, True, False, "x" * 3000]},
    {"nan": float("nan")},  # both libraries write NaN, as Rasa's json.dumps did
    {"unicode": "\u2028\u2029\x00", "int": 2**62},
]


async def test_bodies_are_written_by_ujson_with_the_same_values(server: CountingServer) -> None:
    import json
    import math

    http_session.install()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
    for body in BODIES:
        await endpoint.request(json=body, method="post")
    received = [r["json"] for r in server.requests]
    for sent, got in zip(BODIES, received):
        if "nan" in sent:
            assert math.isnan(got["nan"])
        else:
            assert got == json.loads(json.dumps(sent)) == sent
    assert len(received) == len(BODIES)


def test_what_ujson_refuses_is_written_by_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    assert http_session.dumps({"a": [1, "é"]}) == '{"a":[1,"\\u00e9"]}'  # ujson's: no spaces

    def refuses(_value: Any) -> str:
        raise OverflowError("ujson refuses this value")

    monkeypatch.setattr(http_session.ujson, "dumps", refuses)
    assert http_session.dumps({"a": [1, "é"]}) == json.dumps({"a": [1, "é"]})
    with pytest.raises(TypeError):
        http_session.dumps({"o": {1, 2}})  # refused by both, as before
