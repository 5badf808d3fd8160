"""The one entry point of the project's Rasa server: install the patches (``patches/``), then run Rasa's
own command line with the same arguments (``python scripts/run_rasa.py run --model ...``, ``... shell``,
``... test``). Every way of starting the server uses it: ``make run``, ``make shell``, ``make
test-stories``, Compose and the image, and the test servers (``tests/servers.py``)."""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    # the project's packages importable, and this folder's scripts not taken for top-level modules
    sys.path[:] = [str(ROOT), *(p for p in sys.path if pathlib.Path(p or ".").resolve() != ROOT / "scripts")]
    import patches

    patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
