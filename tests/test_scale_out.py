"""Scale-out on Rasa's own production architecture, for real on loopback: PostgreSQL (tracker store) and
Redis (lock store) from the system packages, two Rasa servers sharing them (the second with two worker
processes), one action server. Each server keeps conversations in memory between turns
(stores/tracker_store.py), so alternating also checks that a server notices what the other stored.

Skips with the reason when PostgreSQL or Redis is not installed, unless REQUIRE_SERVICES=1 (CI), where
that is a failure. One conversation alternates between the two servers; every event is checked in
PostgreSQL with plain SQL. "Forget me" is checked against PostgreSQL too, and the token-protected HTTP
API on the second server.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Iterator, List

import psycopg2
import pytest
import requests

from actions.privacy import FORGOTTEN_TEXT
from tests.servers import Postgres, Redis, Server, action_server, endpoints_file, free_port, rasa_server

pytestmark = pytest.mark.e2e

TOKEN = uuid.uuid4().hex  # generated per run: no secret is committed


class Cluster:
    def __init__(self, postgres: Postgres, servers: List[Server]) -> None:
        self.postgres = postgres
        self.servers = servers
        self.urls = [s.health.rstrip("/") for s in servers]

    def say(self, index: int, sender: str, message: str) -> List[Dict[str, Any]]:
        url = f"{self.urls[index]}/webhooks/rest/webhook"
        response = requests.post(url, json={"sender": sender, "message": message}, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()

    def stored(self, sender: str) -> List[Dict[str, Any]]:
        with psycopg2.connect(self.postgres.url()) as conn, conn.cursor() as cur:
            cur.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            return [json.loads(row[0]) for row in cur.fetchall()]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    postgres, redis = Postgres(), Redis()
    tmp = tmp_path_factory.mktemp("cluster")
    started: List[Any] = []
    try:
        started += [postgres.start(), redis.start()]
        action_port = free_port()
        endpoints = endpoints_file(tmp / "endpoints.yml", ACTION_PORT=str(action_port), **postgres.env(), **redis.env())
        actions = action_server(tmp, action_port).start()
        started.append(actions)
        first = rasa_server(tmp, free_port(), endpoints).start()
        started.append(first)
        first.wait_ready()  # the first one creates the tables
        # The second server runs two worker processes (SANIC_WORKERS, allowed with the Redis lock store),
        # as on one machine with several cores (README, "Deploying at scale").
        second = rasa_server(
            tmp, free_port(), endpoints, ["--enable-api", "--auth-token", TOKEN], SANIC_WORKERS="2"
        ).start()
        started.append(second)
        actions.wait_ready()
        second.wait_ready()
        yield Cluster(postgres, [first, second])
    finally:
        for thing in reversed(started):
            thing.stop()


def test_one_conversation_alternating_between_two_servers_keeps_every_event_in_order(cluster: Cluster) -> None:
    me = f"alt-{uuid.uuid4().hex[:8]}"
    turns = [
        ("what causes neck spasms?", None),
        ("what else?", None),
        ("what is a slipped disc?", "herniated_disc"),
        ("how is it treated?", "herniated_disc"),  # the slot set on server 0 is used on server 1
        ("how can I prevent it?", "herniated_disc"),
        ("thanks", None),
    ]
    causes_listed: List[List[str]] = []
    for i, (message, cause) in enumerate(turns):
        replies = cluster.say(i % 2, me, message)
        assert replies, message
        causes_listed += [r["custom"]["causes"] for r in replies if "causes" in r.get("custom", {})]
        if cause:
            assert [r["custom"]["cause"] for r in replies if "cause" in r.get("custom", {})] == [cause], message

    events = cluster.stored(me)
    assert [e["text"] for e in events if e["event"] == "user"] == [m for m, _ in turns]
    # Each turn: the user message, then the actions that answered it, ending with action_listen.
    timestamps = [e["timestamp"] for e in events]
    assert timestamps == sorted(timestamps)
    user_positions = [i for i, e in enumerate(events) if e["event"] == "user"]
    for start, end in zip(user_positions, [*user_positions[1:], len(events)]):
        turn = events[start:end]
        assert any(e["event"] == "bot" for e in turn), turn
        assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen"
    assert sum(e["event"] == "action" and e["name"] == "action_session_start" for e in events) == 1
    # "what else?" on server 1 continued the list that server 0 started (the list_page slot carried over).
    assert len(causes_listed) == 2 and causes_listed[1] and not set(causes_listed[0]) & set(causes_listed[1])


def test_forget_me_deletes_the_conversation_from_postgresql(cluster: Cluster) -> None:
    me, other = f"forget-{uuid.uuid4().hex[:8]}", f"other-{uuid.uuid4().hex[:8]}"
    cluster.say(0, me, "tell me about lupus")
    cluster.say(1, other, "what is torticollis?")
    cluster.say(1, me, "forget me")
    assert cluster.stored(me), "nothing is deleted before the person confirms"
    assert [r.get("text") for r in cluster.say(0, me, "yes")] == [FORGOTTEN_TEXT]
    assert cluster.stored(me) == []
    assert [e["text"] for e in cluster.stored(other) if e["event"] == "user"] == ["what is torticollis?"]


def test_the_http_api_needs_the_token_when_enabled(cluster: Cluster) -> None:
    me = f"api-{uuid.uuid4().hex[:8]}"
    cluster.say(1, me, "hello")
    url = f"{cluster.urls[1]}/conversations/{me}/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    tracker = requests.get(url, params={"token": TOKEN}, timeout=10)
    assert tracker.status_code == 200 and tracker.json()["sender_id"] == me
    # The first server was started without --enable-api.
    assert requests.get(f"{cluster.urls[0]}/conversations/{me}/tracker", timeout=10).status_code == 404
