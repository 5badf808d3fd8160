"""What a newcomer sees: third-party deprecation warnings are hidden in the project's environment
(tooling/neck_quiet_warnings.py, installed by make install), the project's own warnings still show; and
pyproject.toml's dependencies are the versions that make install pins (requirements*.txt)."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
from typing import Dict, List

from tests.servers import ROOT

IMPORTS = "import rasa.__main__, rasa.core.tracker_store, sanic, tensorflow"


def run(code: str, cwd: pathlib.Path = ROOT, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "SQLALCHEMY_SILENCE_UBER_WARNING")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**base, "TF_CPP_MIN_LOG_LEVEL": "2", **env},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


def test_the_hook_is_installed_in_the_environment() -> None:
    import neck_quiet_warnings  # type: ignore[import-not-found]

    assert (ROOT / "tooling" / "neck_quiet_warnings.py").read_text() == pathlib.Path(
        neck_quiet_warnings.__file__
    ).read_text()


def test_third_party_deprecation_warnings_are_hidden() -> None:
    shown = run(IMPORTS, NECK_SHOW_ALL_WARNINGS="1")
    assert "Warning" in shown  # there is something to hide: the packages do warn
    assert "DeprecationWarning" not in run(IMPORTS) and "MovedIn20Warning" not in run(IMPORTS)


def test_the_projects_own_warnings_still_show(tmp_path: pathlib.Path) -> None:
    (tmp_path / "mine.py").write_text(
        "import warnings\ndef old():\n    warnings.warn('old() is going away', DeprecationWarning, stacklevel=1)\n"
    )
    shown = run(
        f"{IMPORTS}; import warnings; warnings.simplefilter('always'); import mine; mine.old()",
        cwd=tmp_path,
        PYTHONPATH=str(tmp_path),
    )
    assert "old() is going away" in shown
    assert "UserWarning: careful" in run("import warnings; warnings.warn('careful')")


THIRD_PARTY_DEPRECATION = re.compile(r"site-packages/\S+: \w*(Deprecation|PendingDeprecation)Warning")


def test_the_first_run_commands_print_no_third_party_deprecation_warnings() -> None:
    """What make train and make run print before the servers: the training-data check (make train's first
    step) and Rasa started through the project's entry point (scripts/run_rasa.py, as make run and make
    shell start it; here its `data validate`, which loads Rasa, the project's components and the data)."""
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "NECK_SHOW_ALL_WARNINGS")}
    env = {**base, "TF_CPP_MIN_LOG_LEVEL": "2"}
    for command in (
        [sys.executable, "scripts/validate_data.py"],
        [sys.executable, "scripts/run_rasa.py", "data", "validate", "--quiet"],
    ):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
        output = result.stdout + result.stderr
        assert not THIRD_PARTY_DEPRECATION.search(output), output[-3000:]
        assert "Traceback" not in output, output[-3000:]


def canonical(name: str) -> str:
    """A distribution name as pip compares it: "slack_sdk", "Slack-SDK" and "slack.sdk" are one name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: pathlib.Path) -> Dict[str, str]:
    """name -> version of every ``name==version`` line of a requirements file and the files it includes (-r)."""
    found: Dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif "==" in line:
            name, _, version = line.partition("==")
            found[canonical(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return found


def declared(requirements: List[str]) -> Dict[str, str]:
    """name -> version of pyproject.toml requirement strings, each of which must be an exact ``==`` pin."""
    found: Dict[str, str] = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)", requirement.strip())
        assert match, f"pyproject.toml: {requirement!r} is not pinned with =="
        found[canonical(match.group(1))] = match.group(2)
    return found


def test_pyproject_pins_the_versions_make_install_installs() -> None:
    import tomli

    project = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    for groups, pinned, source in (
        ([project["dependencies"]], runtime, "requirements.txt"),
        (project["optional-dependencies"].values(), dev, "requirements-dev.txt"),
    ):
        for group in groups:
            for name, version in declared(group).items():
                assert name in pinned, f"pyproject.toml lists {name}, which {source} does not pin"
                assert pinned[name] == version, f"{name}: pyproject.toml {version}, {source} {pinned[name]}"
