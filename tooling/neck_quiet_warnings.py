"""Installed into the virtual environment by ``make install`` (with ``neck_quiet_warnings.pth``, which
imports it when Python starts): hides deprecation warnings that third-party packages raise about
themselves or each other (TensorFlow, pkg_resources, pyparsing, click, SQLAlchemy, ...), which a
newcomer can do nothing about. Everything else is shown as before: the project's own warnings,
Rasa's warnings about this project's data and configuration, and every error.

Filters cannot do this: packages such as Sanic insert their own "show deprecation warnings" filters
when they are imported, ahead of any set at start-up. So the last step, showing a warning, is wrapped.
``NECK_SHOW_ALL_WARNINGS=1`` shows them all again.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Optional, TextIO

HIDDEN = (DeprecationWarning, PendingDeprecationWarning)
_show = warnings.showwarning


def is_third_party(filename: str) -> bool:
    return f"{os.sep}site-packages{os.sep}" in filename or f"{os.sep}dist-packages{os.sep}" in filename


def showwarning(
    message: Any, category: type, filename: str, lineno: int, file: Optional[TextIO] = None, line: Optional[str] = None
) -> None:
    if issubclass(category, HIDDEN) and is_third_party(str(filename)):
        return
    _show(message, category, filename, lineno, file, line)


if os.environ.get("NECK_SHOW_ALL_WARNINGS") != "1":
    warnings.showwarning = showwarning
