"""Cause vocabulary is generated from the knowledge base, and the NLU data agrees with it."""

from __future__ import annotations

import pathlib
import re
from typing import Dict, List, Tuple

import pytest
import yaml

from core.kb_loader import cause_ids
from core.knowledge_base import KnowledgeBase
from core.text import normalise
from scripts import generate_nlu

ROOT = pathlib.Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
SPACY_MODEL = ROOT / "build" / "spacy_en_neck"
ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


def _examples() -> List[Tuple[str, str]]:
    """(intent, example text) for every example in data/nlu."""
    out = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        out.append((block["intent"], line.strip()[2:]))
    return out


def _synonyms() -> Dict[str, str]:
    data = yaml.safe_load((NLU_DIR / "kb_causes.yml").read_text(encoding="utf-8"))
    table = {}
    for block in data["nlu"]:
        if "synonym" in block:
            for line in block["examples"].splitlines():
                table[line.strip()[2:]] = block["synonym"]
    return table


def test_generated_file_is_up_to_date(kb: KnowledgeBase) -> None:
    committed = (NLU_DIR / "kb_causes.yml").read_text(encoding="utf-8")
    assert committed == generate_nlu.render(kb), "run `make generate` after editing core/kb/causes.yml"


def test_every_annotated_cause_maps_to_a_kb_id_through_the_synonyms() -> None:
    synonyms = _synonyms()
    annotated = [
        (text, m.group(1)) for _i, text in _examples() for m in ANNOTATION.finditer(text) if m.group(2) == "cause"
    ]
    assert len(annotated) > 60
    for text, value in annotated:
        assert synonyms.get(value.lower()) in cause_ids(), f"{value!r} in {text!r} is not a KB alias"


def test_every_cause_is_asked_about_in_the_training_data() -> None:
    synonyms = _synonyms()
    asked = {
        synonyms.get(m.group(1).lower()) for i, t in _examples() if i == "ask_cause" for m in ANNOTATION.finditer(t)
    }
    assert set(cause_ids()) <= asked


def test_no_example_appears_under_two_intents() -> None:
    seen: Dict[str, str] = {}
    for intent, text in _examples():
        key = normalise(ANNOTATION.sub(r"\1", text))
        assert seen.setdefault(key, intent) == intent, f"{text!r} is under {seen[key]} and {intent}"


def test_every_intent_has_at_least_20_examples() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    counts: Dict[str, int] = {}
    for intent, _text in _examples():
        counts[intent] = counts.get(intent, 0) + 1
    from core.names import COMPONENT_INTENTS

    for intent in domain["intents"]:
        if intent not in COMPONENT_INTENTS:
            assert counts.get(intent, 0) >= 20, intent


@pytest.mark.skipif(not SPACY_MODEL.exists(), reason="build/spacy_en_neck not built: run `make install`")
def test_spacy_pipeline_rules_recognise_every_alias(kb: KnowledgeBase) -> None:
    import spacy

    nlp = spacy.load(SPACY_MODEL)
    assert nlp.pipe_names == ["lemmatizer", "entity_ruler"]
    assert nlp("muscles were cramping")[2].lemma_ == "cramp"
    for cause in kb.causes:
        for alias in cause.aliases:
            doc = nlp(f"Could {alias} cause this?")
            assert [(e.label_, e.ent_id_) for e in doc.ents] == [("CAUSE", cause.id)], alias
