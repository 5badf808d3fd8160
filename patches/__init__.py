"""The changes this project makes to Rasa's own code in the Rasa server, where Rasa offers no seam.

Nothing here is installed by importing it. The Rasa server of this project is started through one
entry point, ``scripts/run_rasa.py`` (``make run``, ``make shell``, the conversation tests, Compose, the
image, the test servers), which calls ``install()`` once before Rasa starts. Training (``rasa train``)
runs stock Rasa. Each patch refuses to install on a Rasa version other than the one it was written
and tested against (``RASA_VERSION``): ``install()`` then installs none and the server runs stock Rasa
and says so; a patch module's own ``install()`` raises ``RasaVersionError`` (the check is in
``patching.Patch.install``).

- ``action_client``: an apology (with the emergency instruction first when the message carried a red
  flag) when the action server is down; lean action calls.
- ``features``: a message's sparse features combined in one step, not one SciPy ``hstack`` per featurizer.
- ``graph_runner``: the prediction graph run from a cached plan instead of through dask (a GraphRunner
  of its own, ``PlannedGraphRunner``, which the Rasa server's model loader is pointed at).
- ``http_session``: kept-alive connections to the action server instead of one per call.
- ``nlu_parse``: messages parsed in a worker process (or on a thread until it is ready), recent parses kept.

Each has a test against stock Rasa's outputs (tests/test_<name>.py). What has a seam is not here: DIET's
faster prediction is a DIETClassifier subclass named in config.yml (``components/fast_diet.py``), and the
turn gate (a few turns at a time per process) is part of the project's channels (``connectors/turn_gate.py``).
"""

from __future__ import annotations

import importlib
import logging
from typing import List, Optional

from patches.patching import RASA_VERSION, RasaVersionError, check_rasa_version

__all__ = ["NAMES", "RASA_VERSION", "RasaVersionError", "install", "installed"]

logger = logging.getLogger(__name__)

NAMES = ("action_client", "features", "graph_runner", "http_session", "nlu_parse")
_installed: List[str] = []


def installed() -> List[str]:
    return list(_installed)


def install(rasa_version: Optional[str] = None) -> bool:
    """Install every patch once. False (and nothing installed) on another Rasa version.

    ``rasa_version`` (default: the installed Rasa's) is checked here first so that no patch is half
    installed; each ``Patch.install`` checks the installed Rasa's version again.
    """
    try:
        check_rasa_version(rasa_version)
    except RasaVersionError as error:
        logger.warning(
            f"{error} None installed: the server runs stock Rasa (slower; an action server that is down gets "
            "Rasa's own error instead of the apology)."
        )
        return False
    for name in NAMES:
        if name not in _installed:
            importlib.import_module(f"patches.{name}").install()
            _installed.append(name)
    logger.info(f"Installed the project's patches for Rasa {RASA_VERSION}: {', '.join(NAMES)}.")
    return True
