"""Evaluate a trained Rasa model's NLU on the held-out set (tests/nlu_heldout/): the shared code of
``scripts/eval_nlu.py``, ``scripts/compare_nlu.py`` and ``tests/test_nlu_heldout.py``.

Nothing here hard-codes the intents: they come from the held-out files and the model's predictions.
"""

from __future__ import annotations

import asyncio
import pathlib
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.knowledge_base import KnowledgeBase  # noqa: E402

HELDOUT_DIR = ROOT / "tests" / "nlu_heldout"
TRAINING_DIR = ROOT / "data" / "nlu"
MODEL = ROOT / "models" / "neck-assistant.tar.gz"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
# What the product answers with "sorry, I can't help with that / please rephrase".
REJECTED = (OUT_OF_SCOPE, FALLBACK)
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: Tuple[Tuple[str, int, int, str], ...]  # (entity, start, end, value)
    source: str


@dataclass
class Parsed:
    intent: str
    confidence: float
    ranking: List[Tuple[str, float]]
    entities: List[Dict[str, Any]]
    seconds: float


@dataclass
class Report:
    n: int
    accuracy: float
    macro_f1: float
    per_intent: Dict[str, Dict[str, float]]
    entity: Dict[str, Dict[str, float]]
    cause_id_accuracy: float
    cause_id_accuracy_nlu_only: float
    cause_examples: int
    spurious_causes: List[Dict[str, Any]]
    oos_precision: float
    oos_recall: float
    errors: List[Dict[str, Any]] = field(default_factory=list)
    cause_errors: List[Dict[str, Any]] = field(default_factory=list)
    mean_latency_ms: float = 0.0


# -- data ------------------------------------------------------------------------------------------
def load_examples(directory: pathlib.Path = HELDOUT_DIR) -> List[Example]:
    """Every intent example in the Rasa NLU YAML files of ``directory`` (entities with offsets)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    out: List[Example] = []
    for path in sorted(directory.glob("*.yml")):
        data = RasaYAMLReader().read(path)
        for message in data.intent_examples:
            entities = tuple(
                (e["entity"], int(e["start"]), int(e["end"]), str(e.get("value", "")))
                for e in message.get("entities") or []
            )
            out.append(Example(message.get("text"), message.get("intent"), entities, path.name))
    return out


def plain_texts(directory: pathlib.Path) -> List[Tuple[str, str, str]]:
    """(intent, text without annotations, file name) of every example, read as plain YAML (fast)."""
    import yaml

    out = []
    for path in sorted(directory.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    out.append((block["intent"], ANNOTATION.sub(r"\1", line[2:]), path.name))
    return out


def normalised(text: str) -> str:
    """The comparison key for overlap checks: lower case, letters and digits only, single spaces."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


# -- parsing ---------------------------------------------------------------------------------------
def quiet_logging() -> None:
    """Rasa logs every parsed message at debug level; keep the reports readable."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.ERROR)
    configure_structlog(logging.ERROR)


def load_agent(model: pathlib.Path = MODEL) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(str(model))


def parse_all(agent: Any, texts: Sequence[str]) -> List[Parsed]:
    async def run() -> List[Parsed]:
        out = []
        for text in texts:
            start = time.perf_counter()
            result = await agent.parse_message(text)
            seconds = time.perf_counter() - start
            intent = result.get("intent") or {}
            ranking = [(r["name"], float(r["confidence"])) for r in result.get("intent_ranking") or []]
            out.append(
                Parsed(
                    intent=str(intent.get("name")),
                    confidence=float(intent.get("confidence") or 0.0),
                    ranking=ranking,
                    entities=list(result.get("entities") or []),
                    seconds=seconds,
                )
            )
        return out

    return asyncio.run(run())


# -- metrics ---------------------------------------------------------------------------------------
def _prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": float(tp + fn)}


def intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> Tuple[float, float, Dict[str, Dict[str, float]]]:
    """Accuracy, macro-F1 over the gold intents, and per-intent precision/recall/F1."""
    labels = sorted(set(gold))
    per = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        per[label] = _prf(tp, fp, fn)
    accuracy = sum(1 for g, p in zip(gold, predicted) if g == p) / len(gold) if gold else 0.0
    macro = sum(s["f1"] for s in per.values()) / len(per) if per else 0.0
    return accuracy, macro, per


def oos_scores(gold: Sequence[str], predicted: Sequence[str]) -> Tuple[float, float]:
    """Precision and recall of 'the product declines' (out_of_scope or nlu_fallback) for out_of_scope."""
    tp = sum(1 for g, p in zip(gold, predicted) if g == OUT_OF_SCOPE and p in REJECTED)
    fp = sum(1 for g, p in zip(gold, predicted) if g != OUT_OF_SCOPE and p in REJECTED)
    fn = sum(1 for g, p in zip(gold, predicted) if g == OUT_OF_SCOPE and p not in REJECTED)
    s = _prf(tp, fp, fn)
    return s["precision"], s["recall"]


def entity_scores(examples: Sequence[Example], parses: Sequence[Parsed]) -> Dict[str, Dict[str, float]]:
    """Exact-span entity precision/recall/F1, per entity type and over all ("all")."""
    counts: Dict[str, List[int]] = {}
    for example, parsed in zip(examples, parses):
        gold = {(e, s, t) for e, s, t, _ in example.entities}
        pred = {(e["entity"], int(e["start"]), int(e["end"])) for e in parsed.entities if "start" in e}
        for key in ("all", *{e for e, _, _ in gold | pred}):
            g = {x for x in gold if key in ("all", x[0])}
            p = {x for x in pred if key in ("all", x[0])}
            c = counts.setdefault(key, [0, 0, 0])
            c[0] += len(g & p)
            c[1] += len(p - g)
            c[2] += len(g - p)
    return {key: _prf(*c) for key, c in sorted(counts.items())}


def product_cause(
    kb: KnowledgeBase, text: str, entities: Iterable[Dict[str, Any]], fuzzy: bool = True
) -> Optional[str]:
    """The cause the actions answer about (actions/base.py MedicalAction.cause_from, without the slot)."""
    for entity in entities:
        if entity.get("entity") == "cause":
            cause_id = kb.resolve(str(entity.get("value") or ""))
            if cause_id:
                return cause_id
    if not fuzzy:
        return None
    named = kb.find_in_text(text)
    return named[0] if named else None


def gold_cause(kb: KnowledgeBase, example: Example) -> Optional[str]:
    for entity, _s, _e, value in example.entities:
        if entity == "cause":
            return kb.resolve(value)
    return None


# The always-on red-flag check (components/red_flags.py) turns a message that is an emergency on its own into
# the intent `emergency`. For a message labelled `report_red_flag` that is the same answer, one level
# more urgent (the escalation the label asks for), so it is scored as right. Any other intent turned
# into `emergency` stays an error, and the triage levels themselves are scored by `make eval-triage`.
SAME_ANSWER = {
    ("report_red_flag", "emergency"),
    # the scope gate's refinement of describe_symptoms (a symptom asked as a question: answered first)
    ("describe_symptoms", "symptom_question"),
}


def scored_intent(gold: str, predicted: str) -> str:
    return gold if (gold, predicted) in SAME_ANSWER else predicted


def evaluate(examples: Sequence[Example], parses: Sequence[Parsed], kb: KnowledgeBase) -> Report:
    gold = [e.intent for e in examples]
    predicted = [scored_intent(e.intent, p.intent) for e, p in zip(examples, parses)]
    accuracy, macro, per = intent_scores(gold, predicted)
    precision, recall = oos_scores(gold, predicted)
    cause_total = cause_ok = cause_ok_nlu = 0
    cause_errors = []
    spurious = []
    for example, parsed in zip(examples, parses):
        expected = gold_cause(kb, example)
        if expected is None:
            got = product_cause(kb, example.text, parsed.entities)
            if got is not None and example.intent != OUT_OF_SCOPE:
                spurious.append({"text": example.text, "intent": example.intent, "got": got})
            continue
        cause_total += 1
        got = product_cause(kb, example.text, parsed.entities)
        cause_ok += got == expected
        cause_ok_nlu += product_cause(kb, example.text, parsed.entities, fuzzy=False) == expected
        if got != expected:
            cause_errors.append({"text": example.text, "expected": expected, "got": got})
    errors = [
        {"text": e.text, "intent": e.intent, "predicted": p.intent, "confidence": round(p.confidence, 3)}
        for e, p in zip(examples, parses)
        if e.intent != scored_intent(e.intent, p.intent)
    ]
    return Report(
        n=len(examples),
        accuracy=accuracy,
        macro_f1=macro,
        per_intent=per,
        entity=entity_scores(examples, parses),
        cause_id_accuracy=cause_ok / cause_total if cause_total else 0.0,
        cause_id_accuracy_nlu_only=cause_ok_nlu / cause_total if cause_total else 0.0,
        cause_examples=cause_total,
        spurious_causes=spurious,
        oos_precision=precision,
        oos_recall=recall,
        errors=errors,
        cause_errors=cause_errors,
        mean_latency_ms=1000 * sum(p.seconds for p in parses) / len(parses) if parses else 0.0,
    )


def raw_top(parsed: Parsed) -> Tuple[str, float, float]:
    """The classifier's own top intent and confidence, and the runner-up's, before the fallback."""
    ranking = [(n, c) for n, c in parsed.ranking if n != FALLBACK]
    if not ranking:
        return parsed.intent, parsed.confidence, 0.0
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return ranking[0][0], ranking[0][1], second


def threshold_sweep(
    examples: Sequence[Example], parses: Sequence[Parsed], thresholds: Iterable[float], ambiguity: float
) -> List[Dict[str, float]]:
    """Replay the FallbackClassifier at each threshold on the classifier's raw ranking."""
    gold = [e.intent for e in examples]
    rows = []
    for threshold in thresholds:
        predicted = []
        for parsed in parses:
            name, top, second = raw_top(parsed)
            low = top < threshold or (top - second) < ambiguity
            predicted.append(FALLBACK if low and top < 1.0 else name)
        accuracy, macro, _ = intent_scores(gold, predicted)
        precision, recall = oos_scores(gold, predicted)
        in_scope_rejected = sum(1 for g, p in zip(gold, predicted) if g != OUT_OF_SCOPE and p in REJECTED)
        rows.append(
            {
                "threshold": threshold,
                "accuracy": accuracy,
                "macro_f1": macro,
                "oos_precision": precision,
                "oos_recall": recall,
                "in_scope_rejected": float(in_scope_rejected),
            }
        )
    return rows


def summary_lines(report: Report) -> List[str]:
    lines = [
        f"held-out messages: {report.n}",
        f"intent accuracy:   {report.accuracy:.3f}",
        f"intent macro-F1:   {report.macro_f1:.3f}",
        f"entity F1 (exact span, all types): {report.entity.get('all', {}).get('f1', 0.0):.3f}",
        f"cause-id accuracy: {report.cause_id_accuracy:.3f} over {report.cause_examples} messages "
        f"(NLU entity alone: {report.cause_id_accuracy_nlu_only:.3f}; the actions add the KB text/fuzzy lookup)",
        f"messages naming no cause that the actions would still tie to one: {len(report.spurious_causes)}",
        f"out-of-scope precision {report.oos_precision:.3f}, recall {report.oos_recall:.3f} "
        "(declined = out_of_scope or nlu_fallback)",
        f"mean parse latency: {report.mean_latency_ms:.1f} ms",
        "",
        f"{'intent':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>4}",
    ]
    for name, s in sorted(report.per_intent.items(), key=lambda kv: kv[1]["f1"]):
        lines.append(f"{name:<20} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f} {int(s['support']):>4}")
    lines += ["", f"{'entity':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>4}"]
    for name, s in report.entity.items():
        lines.append(f"{name:<20} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f} {int(s['support']):>4}")
    return lines


def labels_of(examples: Sequence[Example], parses: Sequence[Parsed]) -> List[str]:
    seen: Set[str] = {e.intent for e in examples} | {p.intent for p in parses}
    return sorted(seen)
