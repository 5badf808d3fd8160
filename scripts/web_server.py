"""Serve the chat page (web/) and the two widget files it needs from web/node_modules.

Only the files listed in ``ROUTES`` are served (no directory listing, nothing else from the disk), plus
``/config.js``, which tells the page where the Rasa server's socket.io endpoint is and which emergency
number to show. A Content-Security-Policy keeps the page from loading anything from other sites (the
widget's stylesheet asks for a web font from a CDN; the policy blocks it and the system font is used).

    python scripts/web_server.py [--host 127.0.0.1] [--port 8080] [--socket-url http://127.0.0.1:5005]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Tuple
from urllib.parse import urlsplit

ROOT = pathlib.Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
sys.path.insert(0, str(ROOT))

ROUTES: Dict[str, Tuple[pathlib.Path, str]] = {
    "/": (WEB / "index.html", "text/html; charset=utf-8"),
    "/index.html": (WEB / "index.html", "text/html; charset=utf-8"),
    "/chat.js": (WEB / "chat.js", "text/javascript; charset=utf-8"),
    "/chat.css": (WEB / "chat.css", "text/css; charset=utf-8"),
    "/vendor/rasa-webchat.js": (WEB / "node_modules/rasa-webchat/lib/index.js", "text/javascript; charset=utf-8"),
    "/vendor/react.production.min.js": (
        WEB / "node_modules/react/umd/react.production.min.js",
        "text/javascript; charset=utf-8",
    ),
}


def config_js(socket_url: str) -> bytes:
    from core.triage import crisis_line, emergency_number

    config = {"socketUrl": socket_url, "emergencyNumber": emergency_number(), "crisisLine": crisis_line()}
    return f"window.NECK_CONFIG = {json.dumps(config)};\n".encode()


def security_headers(socket_url: str) -> Dict[str, str]:
    parts = urlsplit(socket_url)
    ws = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    connect = f"'self' {parts.scheme}://{parts.netloc} {ws}"
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"font-src 'self' data:; connect-src {connect}; frame-ancestors 'self'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def make_handler(socket_url: str) -> type:
    headers = security_headers(socket_url)

    class Handler(BaseHTTPRequestHandler):
        server_version = "neck-assistant-web"

        def do_GET(self) -> None:
            self._serve(body=True)

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def _serve(self, body: bool) -> None:
            path = urlsplit(self.path).path
            if path == "/config.js":
                content, ctype = config_js(socket_url), "text/javascript; charset=utf-8"
            elif path in ROUTES:
                file, ctype = ROUTES[path]
                try:
                    content = file.read_bytes()
                except FileNotFoundError:
                    self._error(500, f"{file.relative_to(ROOT)} is missing: run `make install` (npm ci in web/)")
                    return
            else:
                self._error(404, "Not found")
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(content)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(content)

        def _error(self, status: int, message: str) -> None:
            data = message.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            if os.environ.get("WEB_LOG"):
                super().log_message(format, *args)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    default_socket = os.environ.get("RASA_PUBLIC_URL") or (
        f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:{os.environ.get('RASA_PORT', '5005')}"
    )
    parser.add_argument("--socket-url", default=default_socket, help="where the browser reaches the Rasa server")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.socket_url.rstrip("/")))
    print(f"Web page: http://{args.host}:{args.port}/ (socket.io at {args.socket_url})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
