"""pytest plugin (loaded by conftest.py): one real stack shared by the production tests.

The action server and a Rasa server with the project's SQLite tracker store (a file in a temporary
folder), started once per test session on free ports with the settings ``scripts/serve.sh`` uses
(request bodies up to 1 MB, HTTP API off, default log level). Tests that stop a server start it again.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
from typing import Any, Dict, Iterator, List

import pytest
import requests

from tests.servers import Server, action_server, endpoints_file, free_port, rasa_server


class Stack:
    def __init__(self, tmp: pathlib.Path) -> None:
        self.tmp = tmp
        self.db = tmp / "tracker.db"
        self.action_port, self.rasa_port = free_port(), free_port()
        endpoints = endpoints_file(
            tmp / "endpoints.yml",
            ACTION_PORT=str(self.action_port),
            TRACKER_STORE="sqlite",
            TRACKER_SQLITE_PATH=str(self.db),
        )
        self.actions: Server = action_server(tmp, self.action_port)
        self.rasa: Server = rasa_server(tmp, self.rasa_port, endpoints)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def post(self, body: Any, **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=120, **kwargs)

    def say(self, sender: str, message: str) -> List[Dict[str, Any]]:
        response = self.post({"sender": sender, "message": message})
        assert response.status_code == 200, response.text
        return response.json()

    def restart_rasa(self) -> None:
        self.rasa.stop()
        self.rasa.start().wait_ready()

    def stored_events(self, sender: str) -> List[Dict[str, Any]]:
        """The events stored for ``sender`` in the SQLite file, read with plain SQL, in order."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
            return [json.loads(data) for _, data in rows.fetchall()]


def texts(replies: List[Dict[str, Any]]) -> List[str]:
    return [r.get("text") or "" for r in replies]


def user_texts(events: List[Dict[str, Any]]) -> List[str]:
    return [e.get("text") or "" for e in events if e.get("event") == "user"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("stack"))
    try:
        s.actions.start()
        s.rasa.start()
        s.actions.wait_ready()
        s.rasa.wait_ready()
        yield s
    finally:
        s.rasa.stop()
        s.actions.stop()
