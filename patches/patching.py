"""One replaced attribute of a Rasa class or module, installed once and removable (the tests put Rasa's back).

Every patch is written for one Rasa version (``RASA_VERSION``) and refuses to install on another:
``Patch.install`` checks it, so a patch module's own ``install()`` cannot bypass the check that
``patches.install()`` makes first.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

RASA_VERSION = "3.6.21"  # the version every patch was written for and tested against


class RasaVersionError(RuntimeError):
    """A patch asked to install on a Rasa version it was not written for."""


def rasa_version() -> str:
    """The installed Rasa's version (read at each call: the tests monkeypatch it)."""
    import rasa

    return str(rasa.__version__)


def check_rasa_version(version: Optional[str] = None) -> None:
    """Raise :class:`RasaVersionError` unless ``version`` (default: the installed Rasa's) is ``RASA_VERSION``."""
    version = rasa_version() if version is None else version
    if version != RASA_VERSION:
        raise RasaVersionError(
            f"Rasa {version} is not {RASA_VERSION}, the version this project's patches were written for and "
            "tested against."
        )


class Patch:
    """``owner.name`` replaced by ``replacement`` on ``install()``; ``uninstall()`` restores the original.

    ``install()`` raises :class:`RasaVersionError` (and changes nothing) on a Rasa version other than
    ``RASA_VERSION``.
    """

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner = owner
        self.name = name
        self.replacement = replacement
        # as stored on the owner (a static or class method stays one), so that uninstall puts back exactly that
        self.original = inspect.getattr_static(owner, name)

    def install(self) -> None:
        try:
            check_rasa_version()
        except RasaVersionError as error:
            raise RasaVersionError(f"{error} Patch of {self.name!r} refused (port and re-test it first).") from None
        setattr(self.owner, self.name, self.replacement)

    def uninstall(self) -> None:
        setattr(self.owner, self.name, self.original)
