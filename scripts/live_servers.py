"""Start the real action server and Rasa server on free loopback ports, for scripts that talk to
the assistant over the REST webhook (``scripts/eval_triage.py``).

The servers use the project's credentials and an endpoints file written by
``scripts/make_endpoints.py`` (in-memory tracker store unless ``TRACKER_STORE`` says otherwise).
Their logs go to ``reports/live/``.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
from typing import Dict, Iterator, List

import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "neck-assistant.tar.gz"
BIN = pathlib.Path(sys.executable).parent
LOGS = ROOT / "reports" / "live"
ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen, log: pathlib.Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early (code {proc.returncode}); see {log}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no answer at {url} within {timeout} s; see {log}")


@contextlib.contextmanager
def running_stack(env: Dict[str, str] | None = None) -> Iterator[str]:
    """Yield the Rasa server's base URL while both servers run."""
    if not MODEL.exists():
        raise SystemExit(f"{MODEL} is missing: run `make train` first")
    LOGS.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    full_env = {**os.environ, **ENV, "TRACKER_STORE": "memory", **(env or {}), "ACTION_PORT": str(action_port)}
    with tempfile.TemporaryDirectory(prefix="neck-live-") as tmp:
        endpoints = pathlib.Path(tmp) / "endpoints.yml"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "make_endpoints.py"), str(endpoints)], env=full_env, check=True
        )
        commands: List[List[str]] = [
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            [
                str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(endpoints),
                "--credentials", str(ROOT / "credentials.yml"), "--interface", "127.0.0.1", "--port", str(rasa_port),
            ],
        ]  # fmt: skip
        logs = [LOGS / "actions.log", LOGS / "rasa.log"]
        procs = []
        for command, log in zip(commands, logs):
            with log.open("w") as out:
                procs.append(subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT))
        try:
            _wait(f"http://127.0.0.1:{action_port}/health", procs[0], logs[0])
            _wait(f"http://127.0.0.1:{rasa_port}/", procs[1], logs[1])
            yield f"http://127.0.0.1:{rasa_port}"
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
