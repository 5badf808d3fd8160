"""The real servers for the browser and connector tests, and a fake of the four platforms' APIs.

``start_stack`` starts, on free loopback ports, the action server, ``rasa run`` with the credentials that
``scripts/channels.py`` writes (the web chat channel plus Telegram, Slack, Facebook Messenger and Twilio,
switched on by test secrets in the environment), and the web page server. The platforms' outgoing API
calls go to ``FakePlatforms``, an HTTP server on loopback that answers like each API and records what
the bot sent, so a test can read it.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List
from urllib.parse import parse_qs, urlsplit

from tests.servers import ROOT, Server, action_server, endpoints_file, free_port, rasa_server

__all__ = ["ROOT", "FakePlatforms", "Stack", "start_stack"]

# Test credentials for the platforms (not secrets of any real account).
TELEGRAM_TOKEN = "123456789:AAtest-token-for-the-fake-telegram-api"
TELEGRAM_BOT_NAME = "neck_test_bot"
TELEGRAM_SECRET = "telegram-secret-token-1"
SLACK_TOKEN = "xoxb-test-token"
SLACK_SIGNING_SECRET = "slack-signing-secret-1"
FACEBOOK_APP_SECRET = "facebook-app-secret-1"
FACEBOOK_VERIFY = "facebook-verify-token-1"
FACEBOOK_PAGE_TOKEN = "facebook-page-token-1"
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "twilio-auth-token-1"
TWILIO_NUMBER = "+15550000000"


@dataclass
class Call:
    """One request the bot made to a platform API."""

    platform: str
    path: str
    body: Dict[str, Any]


@dataclass
class FakePlatforms:
    """Answers the platform API calls the connectors make, and records them."""

    port: int = field(default_factory=free_port)
    calls: List[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def sent(self, platform: str, match: Callable[[Call], bool]) -> List[Call]:
        with self.lock:
            return [c for c in self.calls if c.platform == platform and match(c)]

    def wait_for(
        self, platform: str, match: Callable[[Call], bool], until: Callable[[List[Call]], bool], timeout: float = 90
    ) -> List[Call]:
        """The matching calls once ``until`` holds for them (polls; fails the caller's assert if never)."""
        deadline = time.monotonic() + timeout
        calls = self.sent(platform, match)
        while not until(calls) and time.monotonic() < deadline:
            time.sleep(0.2)
            calls = self.sent(platform, match)
        return calls

    def serve(self) -> ThreadingHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                ctype = self.headers.get("Content-Type", "")
                parts = urlsplit(self.path)
                body: Dict[str, Any]
                if "json" in ctype:
                    body = json.loads(raw or b"{}")
                elif "multipart" in ctype:
                    body = _multipart(raw, ctype)
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                platform = parts.path.strip("/").split("/")[0]
                fake.record(Call(platform, parts.path, body))
                status, answer = _answer(platform, parts.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def _multipart(raw: bytes, ctype: str) -> Dict[str, Any]:
    boundary = ctype.split("boundary=")[-1].strip('"').encode()
    fields: Dict[str, Any] = {}
    for part in raw.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, _, value = part.partition(b"\r\n\r\n")
        name = head.decode(errors="replace").split('name="')[-1].split('"')[0]
        fields[name] = value.rstrip(b"\r\n").decode(errors="replace")
    return fields


def _answer(platform: str, path: str, body: Dict[str, Any]) -> tuple[int, Dict[str, Any]]:
    method = path.rstrip("/").split("/")[-1]
    if platform == "telegram":
        if method == "getMe":
            return 200, {
                "ok": True,
                "result": {"id": 1, "is_bot": True, "first_name": "Neck", "username": TELEGRAM_BOT_NAME},
            }
        if method == "sendMessage":
            chat = int(body.get("chat_id", 0))
            result = {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}, "text": body.get("text")}
            return 200, {"ok": True, "result": result}
        return 200, {"ok": True, "result": True}
    if platform == "slack":
        return 200, {"ok": True, "channel": body.get("channel"), "ts": "1700000000.000100"}
    if platform == "facebook":
        return 200, {"recipient_id": body.get("recipient", {}).get("id"), "message_id": "mid.1"}
    if platform == "twilio":
        message = {
            "sid": "SM00000000000000000000000000000001",
            "account_sid": TWILIO_SID,
            "to": body.get("To"),
            "from": body.get("From"),
            "body": body.get("Body"),
            "status": "queued",
        }
        return 201, message
    return 404, {"error": "unknown platform"}


@dataclass
class Stack:
    rasa: str
    web: str
    fake: FakePlatforms
    logs: Dict[str, pathlib.Path]


def platform_env(fake: FakePlatforms, rasa_port: int) -> Dict[str, str]:
    """The environment that switches the four platforms on and points their API clients at ``fake``."""
    return {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_BOT_NAME": TELEGRAM_BOT_NAME,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{rasa_port}/webhooks/telegram/webhook",
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": f"{fake.url}/telegram",
        "SLACK_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        "SLACK_API_URL": f"{fake.url}/slack/api",
        "FACEBOOK_PAGE_ACCESS_TOKEN": FACEBOOK_PAGE_TOKEN,
        "FACEBOOK_APP_SECRET": FACEBOOK_APP_SECRET,
        "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY,
        "FACEBOOK_API_URL": f"{fake.url}/facebook",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": f"{fake.url}/twilio",
    }


def start_stack(tmp: pathlib.Path) -> Iterator[Stack]:
    """Start everything through ``tests/servers.py`` (the one way tests start servers); yields a ``Stack``
    and stops the servers afterwards (a generator for a fixture)."""
    fake = FakePlatforms()
    fake_server = fake.serve()
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = {"WEB_PORT": str(web_port), "WEB_HOST": "127.0.0.1", **platform_env(fake, rasa_port)}
    credentials = tmp / "credentials.yml"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "channels.py"), "--out", str(credentials)],
        env={**os.environ, **env},
        check=True,
    )
    endpoints = endpoints_file(tmp / "endpoints.yml", ACTION_PORT=str(action_port), TRACKER_STORE="memory")
    rasa = rasa_server(tmp, rasa_port, endpoints, credentials=credentials)
    rasa.env.update(env)
    web_command = [
        sys.executable, str(ROOT / "scripts" / "web_server.py"), "--host", "127.0.0.1", "--port", str(web_port),
        "--socket-url", f"http://127.0.0.1:{rasa_port}",
    ]  # fmt: skip
    web = Server("web page server", web_command, tmp / "web.log", f"http://127.0.0.1:{web_port}/", env)
    servers = [action_server(tmp, action_port), web, rasa]
    for server in servers:
        server.env["WEB_ALLOWED_ORIGINS"] = None  # the web server's own origin only
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        logs = {"action": servers[0].log, "web": web.log, "rasa": rasa.log}
        yield Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}", fake, logs)
    finally:
        for server in reversed(servers):
            server.stop()
        fake_server.shutdown()
