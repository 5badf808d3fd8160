"""Experiment: sentence embeddings (all-MiniLM-L6-v2 in plain NumPy) as a paraphrase matcher for red flags.

Not used by the assistant. It measured whether nearest-phrase similarity of each clause to the
red-flag phrases catches paraphrases that the lexical matcher misses, and what it costs:

    make build/minilm/.installed && .venv/bin/python scripts/experiments/minilm_numpy.py tests/triage_eval/tuned

prints, for the cases of a folder, emergency recall and false alarms on controls for the lexical
engine alone and with the semantic matcher at thresholds 0.60-0.85, and the time per clause.
On a batch of hard paraphrases the lexical engine had not been tuned on, the semantic matcher caught
more emergencies only at thresholds where it also raised far more false alarms on the controls, and at
the threshold where its false alarms matched the lexical engine's it caught hardly any more, while
adding an encoder pass per clause: "no rash" sits as close to "a rash that does not fade" as a real
paraphrase does. The lexical phrases, widened from such batches, were kept instead.

The encoder is ``core/encoder.py`` (the weights: ``make install``, into ``build/minilm``). The
assistant uses it differently: ``core/nearest.py`` compares whole messages with worked cases.
"""

from __future__ import annotations

import pathlib
import re
import sys
from typing import List

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from core.encoder import get_encoder  # noqa: E402


def experiment(folder: pathlib.Path) -> None:  # pragma: no cover - a measurement, run by hand
    import sys
    import time

    import yaml

    sys.path.insert(0, str(ROOT))
    from core.context import MASK, analyse
    from core.triage import assess, crisis_in, get_red_flags
    from scripts.eval_triage import load_cases

    encoder = get_encoder()
    if encoder is None:
        raise SystemExit("MiniLM weights missing: make build/minilm/.installed")
    flags = get_red_flags()
    alone = {r.all[0] for r in flags.rules if len(r.all) == 1 and r.level == "emergency"}
    phrases = [
        (f, a.strip()) for f in alone for p in flags.phrases[f] if "~" not in p and ">" not in p for a in p.split("|")
    ]
    crisis = yaml.safe_load((ROOT / "actions" / "kb" / "crisis.yml").read_text(encoding="utf-8"))["phrases"]
    phrases += [("crisis", a.strip()) for p in crisis if "~" not in p for a in p.split("|")]
    exemplars = encoder.encode([p for _, p in phrases])

    def clauses(text: str) -> List[str]:
        out = []
        for s in analyse(text):
            for part in re.split(r" qq0 | and | but | then ", s.text):
                part = part.replace(MASK, "").strip()
                if len(part.split()) >= 2 and s.asserted(s.text.find(part.split()[0])):
                    out.append(part)
        return out

    rows = []
    start, count = time.perf_counter(), 0
    for case in load_cases([folder]):
        lexical = any(assess(m).level == "emergency" or crisis_in(m) for m in case.messages)
        parts = [c for m in case.messages for c in clauses(m)]
        count += len(parts)
        best = float((encoder.encode(parts) @ exemplars.T).max()) if parts else 0.0
        rows.append((case, lexical, best))
    per_clause = (time.perf_counter() - start) / max(count, 1) * 1000
    emergencies = [r for r in rows if r[0].level == "emergency"]
    controls = [r for r in rows if r[0].level == "none"]
    print(f"{len(rows)} cases, {per_clause:.1f} ms per clause")
    print(f"lexical alone: recall {sum(r[1] for r in emergencies) / len(emergencies):.3f}, "
          f"false alarms {sum(r[1] for r in controls) / len(controls):.3f}")  # fmt: skip
    for threshold in (0.6, 0.65, 0.7, 0.75, 0.8, 0.85):
        recall = sum(r[1] or r[2] >= threshold for r in emergencies) / len(emergencies)
        alarms = sum(r[1] or r[2] >= threshold for r in controls) / len(controls)
        print(f"with semantic >= {threshold:.2f}: recall {recall:.3f}, false alarms {alarms:.3f}")


if __name__ == "__main__":  # pragma: no cover
    import sys

    experiment(pathlib.Path(sys.argv[1]))
