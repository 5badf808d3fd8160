"""One replaced attribute of a Rasa class, installed once and removable (the tests put Rasa's back)."""

from __future__ import annotations

from typing import Any


class Patch:
    """``owner.name`` replaced by ``replacement`` on ``install()``; ``uninstall()`` restores the original."""

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner = owner
        self.name = name
        self.replacement = replacement
        self.original = getattr(owner, name)

    def install(self) -> None:
        setattr(self.owner, self.name, self.replacement)

    def uninstall(self) -> None:
        setattr(self.owner, self.name, self.original)
