"""The patches are installed by the entry point only, and only on the Rasa version they were written for."""

from __future__ import annotations

import re
import subprocess
import sys
import types

import pytest
import rasa

import patches
from patches.patching import Patch, RasaVersionError
from tests.servers import ROOT

CHECK = (
    "import sys; sys.argv = ['rasa', '--version']\n"
    "import runpy\n"
    "try:\n"
    "    runpy.run_path({entry!r}, run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "import patches\n"
    "from rasa.core.actions.action import RemoteAction\n"
    "from patches import action_client\n"
    "print('INSTALLED', patches.installed(), RemoteAction.run is action_client.run_or_apologise)\n"
)


def test_importing_the_project_patches_nothing() -> None:
    code = (
        "import stores.tracker_store, connectors.rest, patches\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from patches import action_client\n"
        "print('INSTALLED', patches.installed(), RemoteAction.run is action_client.run_or_apologise)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "INSTALLED [] False" in out


def test_the_entry_point_installs_every_patch_before_rasa_runs() -> None:
    code = CHECK.format(entry=str(ROOT / "scripts" / "run_rasa.py"))
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert f"INSTALLED {list(patches.NAMES)} True" in out


def test_another_rasa_version_gets_no_patch(caplog: object) -> None:
    before = patches.installed()
    assert patches.install(rasa_version="3.7.0") is False
    assert patches.installed() == before


def test_another_installed_rasa_version_gets_no_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    before = patches.installed()
    assert patches.install() is False
    assert patches.installed() == before


def test_a_patch_refuses_to_install_on_another_rasa_version(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = types.SimpleNamespace(method="rasa's")
    patch = Patch(owner, "method", "the project's")
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(
        RasaVersionError, match=rf"Rasa 3\.7\.0 is not {re.escape(patches.RASA_VERSION)}.*'method' refused"
    ):
        patch.install()
    assert owner.method == "rasa's"
    monkeypatch.setattr(rasa, "__version__", patches.RASA_VERSION)
    patch.install()
    assert owner.method == "the project's"
    patch.uninstall()
    assert owner.method == "rasa's"


def test_a_patch_modules_own_install_cannot_bypass_the_version_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.processor
    from rasa.engine.runner.dask import DaskGraphRunner

    from patches import graph_runner

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(RasaVersionError):
        graph_runner.install()
    assert rasa.core.processor.DaskGraphRunner is DaskGraphRunner


def test_the_pinned_rasa_is_the_patches_version() -> None:
    import rasa

    assert rasa.__version__ == patches.RASA_VERSION
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert f"rasa=={patches.RASA_VERSION}" in pins
