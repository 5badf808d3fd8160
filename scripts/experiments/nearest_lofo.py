"""How ``core/nearest.py``'s thresholds were chosen: the tuned cases, leave one file out.

Every single-message case of ``tests/triage_eval/tuned`` is compared with the worked cases of the
*other* files only, as if its own file had never been written. Printed for a grid of thresholds: the
emergencies the lexical engine misses that the comparison catches, and the controls (expected
``none``) it would raise, which the lexical engine leaves alone. The thresholds in ``core/nearest.py``
are the pair that keeps those controls at or below 2 % with the most emergencies caught.

    .venv/bin/python scripts/experiments/nearest_lofo.py
"""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from core import encoder, nearest  # noqa: E402
from core.triage import get_red_flags  # noqa: E402
from scripts.eval_triage import EVAL_DIR, load_cases  # noqa: E402


def main() -> None:  # pragma: no cover - a measurement, run by hand
    index = nearest.build_index()
    enc = encoder.get_encoder()
    if index is None or enc is None:
        raise SystemExit("MiniLM weights missing: make install")
    rows = []
    for case in load_cases([EVAL_DIR / "tuned"]):
        if len(case.messages) != 1 or case.crisis:
            continue
        lexical = get_red_flags().assess(case.messages[0], by_meaning=False).level
        source = case.file
        rows.append((case, lexical, enc.encode([case.messages[0]])[0], source))
    missed = [r for r in rows if r[0].level == "emergency" and r[1] != "emergency"]
    controls = [r for r in rows if r[0].level == "none" and r[1] not in ("urgent", "emergency")]
    print(f"{len(rows)} cases; the phrases miss {len(missed)} emergencies; {len(controls)} quiet controls")
    for threshold in (0.6, 0.65, 0.7, 0.75, 0.8):
        for share in (0.6, 0.7, 0.8):
            caught = sum(nearest.nearest_rule(r[2], index, r[3], threshold, share) is not None for r in missed)
            raised = sum(nearest.nearest_rule(r[2], index, r[3], threshold, share) is not None for r in controls)
            print(f"  sim >= {threshold:.2f}, share >= {share:.1f}: caught {caught}/{len(missed)}, raised {raised}")


if __name__ == "__main__":  # pragma: no cover
    main()
