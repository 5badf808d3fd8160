"""Start the real servers for end-to-end tests: action server, Rasa server, PostgreSQL and Redis.

Everything binds to 127.0.0.1 on free ports and keeps its files in temporary folders. PostgreSQL and
Redis come from the system (Debian: ``apt-get install postgresql redis-server``); when they are
missing the tests that need them skip, unless ``REQUIRE_SERVICES=1`` (set by ``.ci/run``), which
turns the skip into a failure.
"""

from __future__ import annotations

import glob
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from typing import Dict, Iterator, List, Mapping, Optional

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "neck-assistant.tar.gz"
BIN = pathlib.Path(sys.executable).parent
BASE_ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_service(reason: str) -> None:
    """Skip (on a user's machine) or fail (in CI, REQUIRE_SERVICES=1) when a system service is missing."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


class Server:
    """One server process with its log file (``env``: added to the environment; a None value unsets it)."""

    def __init__(
        self,
        name: str,
        command: List[str],
        log: pathlib.Path,
        health: str,
        env: Mapping[str, Optional[str]],
        cwd: pathlib.Path = ROOT,
    ) -> None:
        self.name, self.command, self.log, self.health, self.cwd = name, command, log, health, cwd
        self.env: Dict[str, Optional[str]] = dict(env)
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> Server:
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env={k: v for k, v in {**os.environ, **BASE_ENV, **self.env}.items() if v is not None},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = 300) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited early (code {self.proc.returncode}):\n{self.log_text()[-3000:]}")
            try:
                if requests.get(self.health, timeout=2).status_code < 500:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        pytest.fail(f"{self.name} did not answer at {self.health} within {timeout} s:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def endpoints_file(path: pathlib.Path, **env: str) -> pathlib.Path:
    """Write an endpoints file with the project's own generator (scripts/make_endpoints.py)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_endpoints.py"), str(path)],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    return path


def action_server(tmp: pathlib.Path, port: int) -> Server:
    command = [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)]
    return Server("action server", command, tmp / f"actions-{port}.log", f"http://127.0.0.1:{port}/health", {})


def rasa_server(
    tmp: pathlib.Path,
    port: int,
    endpoints: pathlib.Path,
    extra_args: Optional[List[str]] = None,
    credentials: pathlib.Path = ROOT / "credentials.yml",
    **env: str,
) -> Server:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (`make test` trains it first)")
    command = [
        sys.executable,
        str(ROOT / "scripts" / "run_rasa.py"),  # the project's entry point: installs the patches, then Rasa
        "run",
        "--model",
        str(MODEL),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        *(extra_args or []),
    ]
    env = {"SANIC_REQUEST_MAX_SIZE": "1000000", **env}
    return Server("Rasa server", command, tmp / f"rasa-{port}.log", f"http://127.0.0.1:{port}/", env)


def serve(
    tmp: pathlib.Path, with_actions: bool = True, stores: Optional[Dict[str, str]] = None, **env: str
) -> Iterator[str]:
    """The one way tests and evaluations start the pair: an action server (unless ``with_actions`` is
    False: the Rasa server's action endpoint then points at a closed port, as when it is down) and the
    project's Rasa server (its entry point, credentials and endpoints), on free ports; yields the Rasa
    server's URL. ``stores``: endpoint settings (default: the in-memory tracker store); ``env``: the
    Rasa server's environment (EMERGENCY_NUMBER, ...)."""
    tmp.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    endpoints = endpoints_file(
        tmp / f"endpoints-{rasa_port}.yml", ACTION_PORT=str(action_port), **(stores or {"TRACKER_STORE": "memory"})
    )
    rasa = rasa_server(tmp, rasa_port, endpoints)
    rasa.env.update(env)
    servers = [action_server(tmp, action_port), rasa] if with_actions else [rasa]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        for server in reversed(servers):
            server.stop()


# -- PostgreSQL and Redis from the system packages -----------------------------------------------------
def _as_postgres_user(command: List[str]) -> List[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` system user then."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        missing_service("running as root and `runuser` is missing, so PostgreSQL cannot be started")
    return [str(runuser), "-u", "postgres", "--", *command]


class Postgres:
    def __init__(self) -> None:
        initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        initdb = initdbs[-1] if initdbs else shutil.which("initdb")
        if not initdb:
            missing_service("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.bin = pathlib.Path(str(initdb)).parent
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="neck-pg-"))
        self.port = free_port()
        self.user = "rasa"
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres")

    def start(self) -> Postgres:
        data, log = self.dir / "data", self.dir / "postgres.log"
        subprocess.run(
            _as_postgres_user(
                [str(self.bin / "initdb"), "-D", str(data), "-U", self.user, "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres_user(
                [str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "rasa"],
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> Dict[str, str]:
        return {
            "TRACKER_STORE": "postgresql",
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(self.port),
            "TRACKER_DB_NAME": "rasa",
            "TRACKER_DB_USER": self.user,
        }

    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/rasa"


class Redis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            missing_service("Redis is not installed (Debian: apt-get install redis-server)")
        self.binary = str(binary)
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="neck-redis-"))
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> Redis:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.dir)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.2)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> Dict[str, str]:
        return {"LOCK_STORE": "redis", "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.port)}
