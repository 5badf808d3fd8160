"""scripts/run_rasa.py: ``run`` and ``shell`` refuse to start on an endpoints file that does not exist.

No server starts here: the refusal comes before Rasa (or any patch) is imported.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
from typing import List

import pytest

from scripts import run_rasa
from tests.servers import ROOT

ENTRY = ROOT / "scripts" / "run_rasa.py"


def _run(args: List[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ENTRY), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--model", "models/neck-assistant.tar.gz", "--endpoints", "{missing}", "--port", "5005"],
        ["run", "--endpoints={missing}", "--credentials", "credentials.yml"],
        ["shell", "--model", "models/neck-assistant.tar.gz", "--endpoints", "{missing}"],
    ],
)
def test_a_missing_endpoints_file_stops_the_server_before_rasa_starts(tmp_path: pathlib.Path, args: List[str]) -> None:
    missing = tmp_path / "build" / "endpoints.yml"
    result = _run([arg.format(missing=missing) for arg in args])
    assert result.returncode == 2, result.stderr
    assert f"the endpoints file {missing} does not exist" in result.stderr
    assert "scripts/make_endpoints.py" in result.stderr
    assert result.stdout == ""  # Rasa never ran


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--model", "m.tar.gz"],  # no --endpoints: Rasa's default, as before
        ["shell"],
        ["test", "--stories", "tests/test_stories.yml", "--endpoints", "{missing}"],
        ["data", "validate", "--endpoints", "{missing}"],
        ["run", "actions", "--actions", "actions"],
        ["--version"],
        [],
    ],
)
def test_other_command_lines_are_left_to_rasa(tmp_path: pathlib.Path, args: List[str]) -> None:
    missing = str(tmp_path / "endpoints.yml")
    assert run_rasa.missing_endpoints([arg.format(missing=missing) for arg in args]) is None


def test_an_existing_endpoints_file_is_accepted(tmp_path: pathlib.Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n", encoding="utf-8")
    assert run_rasa.missing_endpoints(["run", "--endpoints", str(endpoints)]) is None
    assert run_rasa.missing_endpoints(["run", f"--endpoints={endpoints}"]) is None
    assert run_rasa.missing_endpoints(["shell", "--endpoints", str(tmp_path)]) is not None  # a folder is no file
