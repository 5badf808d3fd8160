"""The one entry point of the project's Rasa server: install the patches (``patches/``), then run Rasa's
own command line with the same arguments (``python scripts/run_rasa.py run --model ...``, ``... shell``,
``... test``). Every way of starting the server uses it: ``make run``, ``make shell``, ``make
test-stories``, Compose and the image, and the test servers (``tests/servers.py``).

``run`` and ``shell`` refuse to start (exit 2) when the ``--endpoints`` file they are given does not
exist: Rasa 3.6 would log an error and carry on without the action server and with its in-memory
tracker store. Without ``--endpoints``, and for the other subcommands (``test``, ``data validate``,
``run actions``), Rasa decides as it always does."""

from __future__ import annotations

import pathlib
import sys
from typing import Optional, Sequence

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUARDED = ("run", "shell")  # the subcommands that serve conversations through the endpoints file


def endpoints_arg(args: Sequence[str]) -> Optional[str]:
    """The ``--endpoints`` value of Rasa's command line ``args`` (``--endpoints X`` or ``--endpoints=X``)."""
    for i, arg in enumerate(args):
        if arg == "--endpoints":
            return args[i + 1] if i + 1 < len(args) else None
        if arg.startswith("--endpoints="):
            return arg.partition("=")[2]
    return None


def missing_endpoints(args: Sequence[str]) -> Optional[str]:
    """Why ``args`` (Rasa's command line, without the program) must not start, or None."""
    if not args or args[0] not in GUARDED or args[1:2] == ["actions"]:
        return None
    endpoints = endpoints_arg(args)
    if endpoints is None or pathlib.Path(endpoints).is_file():
        return None
    return (
        f"run_rasa: the endpoints file {endpoints} does not exist (write it first: python scripts/make_endpoints.py "
        f"{endpoints}). Not starting: Rasa would run without the action server and with its in-memory tracker store."
    )


def main() -> None:
    refusal = missing_endpoints(sys.argv[1:])
    if refusal is not None:
        print(refusal, file=sys.stderr)
        sys.exit(2)
    # the project's packages importable, and this folder's scripts not taken for top-level modules
    sys.path[:] = [str(ROOT), *(p for p in sys.path if pathlib.Path(p or ".").resolve() != ROOT / "scripts")]
    import patches

    patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
