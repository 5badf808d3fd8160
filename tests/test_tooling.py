"""What a newcomer sees: third-party deprecation warnings are hidden in the project's environment
(tooling/neck_quiet_warnings.py, installed by make install), the project's own warnings still show."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

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
