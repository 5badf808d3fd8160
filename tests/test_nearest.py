"""Red flags by meaning (core/nearest.py): the comparison with worked cases, and how the engine uses it."""

from __future__ import annotations

import pathlib
from typing import Any, Dict, Iterator, Optional

import numpy as np
import pytest
from rasa_sdk.executor import CollectingDispatcher

from core import encoder, nearest
from core.checklist import checklist_for
from core.triage import crisis_in, get_red_flags

ROOT = pathlib.Path(__file__).resolve().parent.parent

GAS_FIRE = (
    "whole family has headaches and feels sick and dizzy, even the dog is dopey. we've had the old gas fire on all day"
)
SCIATICA = "sciatica down both legs now and ive been sat on the toilet ages and nothing comes out even tho i need to go"
needs_weights = pytest.mark.skipif(not encoder.available(), reason="MiniLM weights not installed (make install)")


@pytest.fixture
def meaning(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The comparison on, with fresh per-text caches (the engine's detection cache is keyed by text only)."""
    monkeypatch.setenv("NEAREST_CASES", "on")
    nearest.clear_caches()
    yield
    nearest.clear_caches()


def tiny_index(emergency: list, rules: list, vectors: list, sources: Optional[list] = None) -> nearest.Index:
    v = np.array(vectors, dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return nearest.Index(
        emergency=np.array(emergency),
        rules=tuple(tuple(r) for r in rules),
        sources=tuple(sources or [""] * len(v)),
        vectors=v,
    )


# -- the nearest-case vote, on a small index of known vectors -------------------------------------------
def test_the_nearest_emergency_names_the_rule_its_neighbours_fire_most() -> None:
    index = tiny_index(
        [True, True, True, False, False],
        [["stroke"], ["meningitis"], ["meningitis"], [], []],
        [[1, 0.05, 0], [1, 0.1, 0], [1, 0.12, 0], [0, 1, 0], [0, 0, 1]],
    )
    assert nearest.nearest_rule(np.array([1, 0.08, 0], dtype=np.float32) / 1.003, index) == "meningitis"


def test_nothing_when_the_nearest_case_is_a_control() -> None:
    index = tiny_index([False, True], [[], ["stroke"]], [[1, 0, 0], [0.9, 0.3, 0]])
    assert nearest.nearest_rule(np.array([1, 0, 0], dtype=np.float32), index) is None


def test_nothing_below_the_similarity_threshold() -> None:
    index = tiny_index([True], [["stroke"]], [[1, 0, 0]])
    far = np.array([0.5, 0.866, 0], dtype=np.float32)  # cosine 0.5
    assert nearest.nearest_rule(far, index) is None
    assert nearest.nearest_rule(far, index, threshold=0.4, share=0.0) == "stroke"


def test_controls_that_read_alike_outvote_one_emergency() -> None:
    index = tiny_index(
        [True, False, False, False, False],
        [["meningitis"], [], [], [], []],
        [[1, 0, 0], [0.99, 0.1, 0], [0.98, 0.15, 0], [0.97, 0.2, 0], [0.97, 0.21, 0]],
    )
    assert nearest.nearest_rule(np.array([1, 0.01, 0], dtype=np.float32), index) is None


def test_leaving_a_file_out_ignores_its_cases() -> None:
    index = tiny_index([True, False], [["stroke"], []], [[1, 0, 0], [0, 1, 0]], sources=["a.yml", "b.yml"])
    query = np.array([1, 0, 0], dtype=np.float32)
    assert nearest.nearest_rule(query, index) == "stroke"
    assert nearest.nearest_rule(query, index, exclude_source="a.yml") is None


# -- the worked cases ---------------------------------------------------------------------------------
def test_every_emergency_case_names_rules_that_exist() -> None:
    ids = {r.id for r in get_red_flags().rules if r.level == "emergency"}
    cases = nearest.read_cases()
    assert len(cases) > 1000
    for case in cases:
        if case["level"] == "emergency" and not case.get("crisis"):
            assert case["rules"] and set(case["rules"]) <= ids, case
    assert sum(bool(c.get("crisis")) for c in cases) > 200  # the crisis statements, for their own vote


def test_a_crisis_statement_by_meaning_needs_a_crisis_case_nearest_and_most_of_the_vote() -> None:
    crisis = np.array([True, True, False, False, False, False])
    close = np.array([0.8, 0.7, 0.3, 0.2, 0.1, 0.1])
    assert nearest.crisis_vote(close, crisis, 0.6, 0.6)
    assert not nearest.crisis_vote(close * 0.7, crisis, 0.6, 0.6)  # nearest below the threshold
    assert not nearest.crisis_vote(np.array([0.8, 0.79, 0.78, 0.77, 0.76, 0.1]), crisis, 0.6, 0.6)  # outvoted
    assert not nearest.crisis_vote(np.array([0.7, 0.6, 0.9, 0.1, 0.1, 0.1]), crisis, 0.6, 0.6)  # nearest is no crisis


def test_crisis_cases_take_no_part_in_the_red_flag_vote() -> None:
    index = tiny_index([False, True], [[], ["meningitis"]], [[1, 0, 0], [0.9, 0.1, 0]])
    index = nearest.Index(index.emergency, index.rules, index.sources, index.vectors, np.array([True, False]))
    assert nearest.nearest_rule(np.array([1, 0, 0], dtype=np.float32), index, threshold=0.5, share=0.5) == "meningitis"


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        # in other words than the crisis phrases (not in the worked cases)
        ("I just want to go to sleep and not have to face tomorrow or any day after", True),
        ("thinking about the bridge near my house a lot lately", True),
        # the context keeps its word: a denied or recovered statement is not made one by likeness
        ("I'm not suicidal, just fed up with this neck", False),
        ("I'd rather die than sit through another meeting about posture", False),
        ("my neck has been stiff since I slept on it funny", False),
        # a plain goodbye is never made one by likeness to a farewell that is
        ("bye for now", False),
        ("ok that's me done, bye", False),
        ("good bye and take care", False),
        ("i'll leave it there, goodbye", False),
        ("bye everyone, this is my very last message, thanks for trying", True),
    ],
)
def test_crisis_statements_by_meaning(meaning: None, text: str, crisis: bool) -> None:
    assert crisis_in(text) is False  # no crisis phrase: only the comparison by meaning can place it
    assert crisis_in(text, by_meaning=True) is crisis


def test_the_worked_cases_are_generated_from_the_tuned_set_and_up_to_date() -> None:
    from scripts import build_nearest_cases

    assert nearest.CASES_PATH.read_text(encoding="utf-8") == build_nearest_cases.render(), (
        "core/kb/nearest_cases.yml is out of date: python scripts/build_nearest_cases.py"
    )
    assert not [c for c in nearest.read_cases() if c["source"] == "round1_public.yml"]  # public: evaluation only


@pytest.mark.parametrize(
    "text, message",
    [
        ("cases: []\n", "non-empty list"),
        ("cases:\n- {text: hello}\n", "needs 'text' and 'level'"),
        ("cases:\n- {text: hello, level: emergency}\n", "without 'rules'"),
    ],
)
def test_malformed_cases_are_rejected_clearly(tmp_path: pathlib.Path, text: str, message: str) -> None:
    path = tmp_path / "cases.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        nearest.read_cases(path)


# -- with the real encoder ----------------------------------------------------------------------------
@needs_weights
@pytest.mark.parametrize(
    "text, rule, item",
    [
        # Emergencies of the tuned set that no phrase of red_flags.yml places: not among the worked cases,
        # so they are found by their likeness to other cases.
        (GAS_FIRE, "overdose", None),
        (SCIATICA, "cauda_equina_bladder", "saddle"),
    ],
)
def test_an_emergency_in_words_no_phrase_holds_is_asked_about_first(
    meaning: None, text: str, rule: str, item: Optional[str]
) -> None:
    assert text not in {c["text"] for c in nearest.read_cases()}
    found = get_red_flags().assess(text)
    assert found.level is None  # a likeness is not a recognised finding: no level
    assert found.ask == (rule,)
    items = checklist_for(text, found.findings, found.ask)
    if item is not None:
        assert items[0].id == item  # the item of that rule's family first


@needs_weights
def test_the_assistant_asks_before_it_answers(meaning: None, make_tracker, domain: Dict[str, Any]) -> None:
    from actions.actions import ActionSuggestCauses

    dispatcher = CollectingDispatcher()
    ActionSuggestCauses().run(dispatcher, make_tracker(SCIATICA, intent="describe_symptoms"), domain)
    first = dispatcher.messages[0]
    assert first["text"].startswith("I want to be sure I understand")
    assert first["buttons"][0]["payload"] == get_red_flags().checklist.items["saddle"].says
    assert not any((m.get("custom") or {}).get("triage") for m in dispatcher.messages)


@needs_weights
@pytest.mark.parametrize(
    "text",
    [
        "no fever, no rash, just a stiff neck from sleeping funny",
        "i had a droopy face once years ago, it was bells palsy and its fine now",
        "what are the warning signs of a stroke?",
        "my neck is killing me after the gym",
        "my chiropractor cracked my neck and it feels better",
        "help",
    ],
)
def test_ordinary_messages_get_no_level(meaning: None, text: str) -> None:
    assert get_red_flags().assess(text).level is None


def test_a_finding_the_context_puts_aside_keeps_the_likeness_aside(
    meaning: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nearest, "resembles", lambda text: "meningitis_fever_stiff_neck")
    flags = get_red_flags()
    denied = flags.assess("not feverish at all, neck sore today zzq")  # fresh texts: detection is cached per text
    assert "fever" in denied.negated and denied.ask == ()
    half = flags.assess("I have a fever and I feel awful zzq")  # the phrases read a fever and no stiff neck
    assert "fever" in half.findings and half.ask == ()
    silent = flags.assess("everything feels awful today zzq")
    assert silent.level is None and silent.ask == ("meningitis_fever_stiff_neck",)


def test_an_emergency_the_phrases_recognise_asks_nothing(meaning: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nearest, "resembles", lambda text: "stroke_face")
    found = get_red_flags().assess("I have a fever and a stiff neck")
    assert found.level == "emergency" and found.ask == ()


def test_switched_off_or_without_weights_it_finds_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    text = GAS_FIRE
    monkeypatch.setenv("NEAREST_CASES", "off")
    nearest.clear_caches()
    assert nearest.resembles(text) is None
    monkeypatch.setenv("NEAREST_CASES", "on")
    monkeypatch.setenv("MINILM_DIR", str(tmp_path))
    encoder.get_encoder.cache_clear()
    nearest.clear_caches(index=True)
    try:
        assert nearest.resembles(text) is None
    finally:
        monkeypatch.delenv("MINILM_DIR")
        encoder.get_encoder.cache_clear()
        nearest.clear_caches(index=True)


@pytest.mark.parametrize("size", [3, 5, 6, 1000])
def test_top_k_matches_a_full_sort(size: int) -> None:
    sims = np.random.default_rng(size).random(size).astype(np.float32)
    assert list(nearest.top_k(sims)) == list(np.argsort(-sims)[: nearest.K])


@needs_weights
def test_onnx_runtime_compares_a_message_with_every_case_as_numpy_does(meaning: None) -> None:
    from core.encoder_onnx import OnnxProduct

    index = nearest.get_index()
    assert index is not None
    product = index._product
    assert isinstance(product, OnnxProduct)
    for text in (GAS_FIRE, SCIATICA, "my neck is stiff and sore after sleeping awkwardly", "I want to end it all"):
        vector = nearest._vector(text)
        assert vector is not None
        assert np.allclose(product(vector), index.vectors @ vector, atol=1e-5)


@needs_weights
def test_one_encoder_pass_and_one_comparison_serve_both_votes_and_every_later_ask(
    meaning: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = nearest.get_index()
    assert index is not None
    calls = {"encode": 0, "compare": 0}
    enc = encoder.get_encoder()
    assert enc is not None
    real_encode, real_product = enc.encode, index._product

    def encode(texts: Any) -> np.ndarray:
        calls["encode"] += 1
        return real_encode(texts)

    def product(vector: np.ndarray) -> np.ndarray:
        calls["compare"] += 1
        return real_product(vector)

    monkeypatch.setattr(enc, "encode", encode)
    monkeypatch.setitem(index.__dict__, "_product", product)  # what the cached property holds
    expected_rule = nearest.rule_from(index.vectors @ real_encode([GAS_FIRE])[0], index)
    assert expected_rule is not None  # the case this test is about: a likeness found
    for _ in range(3):
        assert nearest.resembles(GAS_FIRE) == expected_rule
        assert nearest.crisis_like(GAS_FIRE) is False
    assert calls == {"encode": 1, "compare": 1}


def test_without_onnx_runtime_numpy_compares(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.encoder_onnx

    def unavailable(*_args: Any) -> None:
        raise ImportError("no onnxruntime")

    monkeypatch.setattr(core.encoder_onnx, "OnnxProduct", unavailable)
    index = tiny_index([True, False], [["r1"], []], [[1.0, 0.0], [0.0, 1.0]])
    assert np.allclose(index.similarities(np.array([0.6, 0.8], dtype=np.float32)), [0.6, 0.8])
