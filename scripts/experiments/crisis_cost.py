"""What the crisis comparison by meaning costs per message: CPU and wall time of one encoder pass and the
vote, against the crisis phrases alone, on the public real people's words of the tuned set.

Prints figures; it does not pass or fail (a benchmark, not a test).

    .venv/bin/python scripts/experiments/crisis_cost.py
"""

from __future__ import annotations

import pathlib
import sys
import time
from typing import Callable, List

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from core import encoder, nearest  # noqa: E402
from core.triage import crisis_in  # noqa: E402
from scripts.eval_triage import EVAL_DIR, load_cases  # noqa: E402


def measure(label: str, texts: List[str], call: Callable[[str], object]) -> None:
    nearest.clear_caches()
    cpu, wall = [], []
    for text in texts:
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        call(text)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    cpu.sort()
    wall.sort()
    mid = len(texts) // 2
    print(
        f"{label:<22} CPU median {1000 * cpu[mid]:6.2f} ms, mean {1000 * sum(cpu) / len(cpu):6.2f} ms; "
        f"wall median {1000 * wall[mid]:6.2f} ms ({len(texts)} messages)"
    )


def main() -> None:  # pragma: no cover - a measurement, run by hand
    texts = [m for c in load_cases([EVAL_DIR / "tuned"]) if c.file.startswith("round1") for m in c.messages][:400]
    enc = encoder.get_encoder()
    if enc is None or nearest.get_index() is None:
        raise SystemExit("MiniLM weights or worked cases missing: make install")
    crisis_in("warming up the comparison by meaning", by_meaning=True)
    for _ in range(2):
        measure("crisis phrases", texts, crisis_in)
        measure("encoder pass", texts, lambda t: enc.encode([t]))
        measure("encoder pass + vote", texts, nearest.crisis_like)


if __name__ == "__main__":
    main()
