"""How the thresholds of crisis statements by meaning (``core/nearest.py``) were chosen: leave one file out.

Every single-message case of ``tests/triage_eval/tuned`` is compared with the cases of the *other* files
only, as if its own file had never been written. Printed for a grid of thresholds: the crisis statements
caught by meaning (all of them: which ones the phrases would have missed, had their file never been read,
cannot be known), and the other cases that the phrases leave alone but the comparison would give the
crisis answer, controls and the team's crisis near misses ("I'm not suicidal", "I'd rather die than
...") among them.

    .venv/bin/python scripts/experiments/crisis_lofo.py
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from core import encoder, nearest  # noqa: E402
from core.triage import crisis_in, crisis_meaning_may_speak  # noqa: E402
from scripts.eval_triage import EVAL_DIR, load_cases  # noqa: E402


def main() -> None:  # pragma: no cover - a measurement, run by hand
    enc = encoder.get_encoder()
    if enc is None:
        raise SystemExit("MiniLM weights missing: make install")
    cases = [c for c in load_cases([EVAL_DIR / "tuned"]) if len(c.messages) == 1 and c.file != "round1_public.yml"]
    vectors = enc.encode([c.messages[0] for c in cases])
    crisis = np.array([c.crisis for c in cases])
    sources = np.array([c.file for c in cases])
    lexical_quiet = np.array([not crisis_in(c.messages[0]) for c in cases])
    may_speak = np.array([crisis_meaning_may_speak(c.messages[0]) for c in cases])
    print(f"{len(cases)} cases, {crisis.sum()} crisis statements")
    all_sims = vectors @ vectors.T
    for threshold in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        for share in (0.6, 0.7, 0.8, 1.0):
            caught = raised = 0
            raised_texts = []
            for i, case in enumerate(cases):
                sims = np.where(sources == sources[i], -1.0, all_sims[i])
                hit = may_speak[i] and nearest.crisis_vote(sims, crisis, threshold, share)
                if hit and crisis[i]:
                    caught += 1
                elif hit and lexical_quiet[i]:
                    raised += 1
                    raised_texts.append(case.messages[0])
            print(
                f"threshold {threshold:.2f} share {share:.1f}: crisis caught {caught}/{crisis.sum()}, "
                f"others raised {raised}/{(~crisis).sum()}"
            )
            for text in raised_texts[:4]:
                print("     ", text[:110])


if __name__ == "__main__":
    main()
