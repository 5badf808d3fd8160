"""Evaluate the trained model's NLU on the held-out set (tests/nlu_heldout/), or cross-validate.

    python scripts/eval_nlu.py                 # models/neck-assistant.tar.gz on tests/nlu_heldout/
    python scripts/eval_nlu.py --cv 5          # 5-fold cross-validation on data/nlu/ (trains 5 models)

Prints intent accuracy, macro-F1, per-intent F1, entity F1, cause-id accuracy (what the actions
answer about), out-of-scope precision/recall and a sweep of the FallbackClassifier threshold; writes
reports/nlu/confusion_matrix.png, confidence_histogram.png and heldout_report.json.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
from dataclasses import asdict
from typing import List, Sequence

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.kb_loader import get_kb  # noqa: E402
from scripts import nlu_metrics as m  # noqa: E402

SWEEP = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def fallback_config() -> tuple[float, float]:
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(component.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


def plot_confusion(examples: Sequence[m.Example], parses: Sequence[m.Parsed], path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = m.labels_of(examples, parses)
    index = {name: i for i, name in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for example, parsed in zip(examples, parses):
        matrix[index[example.intent], index[parsed.intent]] += 1
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                colour = "white" if matrix[i, j] > matrix.max() / 2 else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("held-out intent")
    ax.set_title(f"NLU confusion matrix on the held-out set ({len(examples)} messages)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_confidence(examples: Sequence[m.Example], parses: Sequence[m.Parsed], path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    right: List[float] = []
    wrong: List[float] = []
    for example, parsed in zip(examples, parses):
        name, confidence, _ = m.raw_top(parsed)
        (right if name == example.intent else wrong).append(confidence)
    fig, ax = plt.subplots(figsize=(8, 5))
    bins = [i / 20 for i in range(21)]
    ax.hist([right, wrong], bins=bins, stacked=True, label=["correct", "wrong"], color=["#4c9a2a", "#c0392b"])
    threshold, _ = fallback_config()
    ax.axvline(threshold, color="black", linestyle="--", label=f"fallback threshold {threshold}")
    ax.set_xlabel("confidence of the classifier's top intent")
    ax.set_ylabel("messages")
    ax.set_title("Intent confidence on the held-out set")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def heldout(model: pathlib.Path, heldout_dir: pathlib.Path, out: pathlib.Path) -> int:
    m.quiet_logging()
    examples = m.load_examples(heldout_dir)
    agent = m.load_agent(model)
    parses = m.parse_all(agent, [e.text for e in examples])
    report = m.evaluate(examples, parses, get_kb())
    print(f"model {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model}")
    print("\n".join(m.summary_lines(report)))
    threshold, ambiguity = fallback_config()
    sweep = m.threshold_sweep(examples, parses, SWEEP, ambiguity)
    print(f"\nFallbackClassifier threshold sweep (ambiguity_threshold {ambiguity}; configured {threshold}):")
    print(f"{'threshold':>9} {'accuracy':>8} {'macro-F1':>8} {'OOS P':>6} {'OOS R':>6} {'in-scope declined':>17}")
    for row in sweep:
        print(
            f"{row['threshold']:>9.2f} {row['accuracy']:>8.3f} {row['macro_f1']:>8.3f} {row['oos_precision']:>6.3f} "
            f"{row['oos_recall']:>6.3f} {int(row['in_scope_rejected']):>17}"
        )
    print(f"\nIntent errors ({len(report.errors)}):")
    for error in report.errors:
        print(f"  [{error['intent']} -> {error['predicted']} {error['confidence']:.2f}] {error['text'][:110]}")
    if report.cause_errors:
        print(f"\nCause-id errors ({len(report.cause_errors)}):")
        for error in report.cause_errors:
            print(f"  [{error['expected']} -> {error['got']}] {error['text'][:110]}")
    if report.spurious_causes:
        print(f"\nCauses attached to messages that name none ({len(report.spurious_causes)}):")
        for item in report.spurious_causes:
            print(f"  [{item['intent']} -> {item['got']}] {item['text'][:110]}")
    out.mkdir(parents=True, exist_ok=True)
    plot_confusion(examples, parses, out / "confusion_matrix.png")
    plot_confidence(examples, parses, out / "confidence_histogram.png")
    (out / "heldout_report.json").write_text(json.dumps({**asdict(report), "sweep": sweep}, indent=2), "utf-8")
    print(f"\nwrote {out / 'confusion_matrix.png'}, {out / 'confidence_histogram.png'}, {out / 'heldout_report.json'}")
    return 0


def cross_validate(folds: int, config: pathlib.Path, out: pathlib.Path) -> int:
    """`rasa test nlu --cross-validation` on the training data; prints its summary."""
    rasa = pathlib.Path(sys.executable).parent / "rasa"
    cv_out = out / f"cv{folds}"
    cmd = [str(rasa), "test", "nlu", "--nlu", "data/nlu", "--config", str(config)]
    cmd += ["--cross-validation", "--folds", str(folds), "--out", str(cv_out), "--quiet"]
    print("running:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, check=False)
    if proc.returncode != 0:
        return proc.returncode
    report_file = cv_out / "intent_report.json"
    if report_file.exists():
        data = json.loads(report_file.read_text(encoding="utf-8"))
        print(f"\n{folds}-fold cross-validation on data/nlu (test folds):")
        print(f"  accuracy {data.get('accuracy', 0):.3f}, macro-F1 {data['macro avg']['f1-score']:.3f}")
        worst = sorted(
            (k for k in data if isinstance(data[k], dict) and "f1-score" in data[k] and " avg" not in k),
            key=lambda k: data[k]["f1-score"],
        )[:5]
        for name in worst:
            print(f"  {name:<20} F1 {data[name]['f1-score']:.3f} (n={data[name]['support']})")
    print(f"reports in {cv_out}")
    return 0


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=pathlib.Path, default=m.MODEL)
    parser.add_argument("--heldout", type=pathlib.Path, default=m.HELDOUT_DIR)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "reports" / "nlu")
    parser.add_argument("--cv", type=int, default=0, help="run N-fold cross-validation on data/nlu instead")
    parser.add_argument("--config", type=pathlib.Path, default=ROOT / "config.yml")
    args = parser.parse_args(argv)
    if args.cv:
        if args.cv < 2:
            parser.error("--cv needs at least 2 folds")
        return cross_validate(args.cv, args.config, args.out)
    if not args.model.exists():
        parser.error(f"no model at {args.model}: run `make train` first")
    return heldout(args.model, args.heldout, args.out)


if __name__ == "__main__":
    sys.exit(main())
