"""The language gate (components/language_gate.py): other languages get `non_english`, English never does."""

from __future__ import annotations

import pathlib
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.language_gate import DEFAULT_LANGUAGES, LanguageGate, LanguageJudge
from scripts import nlu_metrics as m

ENGLISH_VOCABULARY = {w for _, text, _ in m.plain_texts(m.TRAINING_DIR) for w in text.lower().split()}


@pytest.fixture(scope="module")
def judge() -> LanguageJudge:
    english = [w for intent, text, _ in m.plain_texts(m.TRAINING_DIR) if intent != "non_english" for w in text.split()]
    return LanguageJudge(english, DEFAULT_LANGUAGES)


@pytest.mark.parametrize(
    "text",
    [
        "me duele mucho el cuello",
        "j'ai mal au cou depuis hier",
        "mein Hals tut seit gestern weh",
        "ho il collo rigido da due giorni",
        "estou com o pescoço duro",
        "mijn nek is stijf en het doet pijn",
        "boli mnie kark i głowa",
        "шея болит",
        "首が痛い",
        "목이 아파요",
        "رقبتي تؤلمني",
    ],
)
def test_other_languages_are_recognised(judge: LanguageJudge, text: str) -> None:
    assert judge.is_foreign(text), judge.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "wat causes spazms in my nek",
        "can stresss give me neck cramps",
        "fibromialgia and neck spasm",
        "shud i see a dr",
        "my neck is sore, what do i do",
        "is it the statins?",
        "hiya",
        "ok",
        "thx",
        "café latte and a sore neck",
        "",
        "!!!",
        "12345",
    ],
)
def test_english_with_typos_is_not_flagged(judge: LanguageJudge, text: str) -> None:
    assert not judge.is_foreign(text), judge.explain(text)


def _message(text: str, intent: str, ranking: List[Dict[str, Any]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": ranking[0]["confidence"]})
    message.set("intent_ranking", ranking)
    message.set(ENTITIES, [{"entity": "cause", "value": "x", "start": 0, "end": 1}])
    return message


@pytest.fixture
def gate(tmp_path: pathlib.Path) -> LanguageGate:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return LanguageGate.create(LanguageGate.get_default_config(), storage, Resource("gate"), context)


def test_gate_sets_the_intent_and_drops_entities(gate: LanguageGate) -> None:
    ranking = [{"name": "out_of_scope", "confidence": 0.8}, {"name": "greet", "confidence": 0.2}]
    [message] = gate.process([_message("tengo el cuello rígido", "out_of_scope", ranking)])
    assert message.get(INTENT) == {"name": "non_english", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["non_english"]
    assert message.get(ENTITIES) == []


def test_gate_replaces_a_wrong_non_english_prediction_for_english(gate: LanguageGate) -> None:
    ranking = [{"name": "non_english", "confidence": 0.6}, {"name": "ask_causes", "confidence": 0.3}]
    [message] = gate.process([_message("why does my nek spazm", "non_english", ranking)])
    assert message.get(INTENT) == {"name": "ask_causes", "confidence": 0.3}
    assert [r["name"] for r in message.get("intent_ranking")] == ["ask_causes"]


def test_gate_leaves_english_predictions_alone(gate: LanguageGate) -> None:
    ranking = [{"name": "greet", "confidence": 0.9}]
    [message] = gate.process([_message("hello there", "greet", ranking)])
    assert message.get(INTENT) == {"name": "greet", "confidence": 0.9}


def test_gate_learns_the_english_vocabulary_and_loads_it(tmp_path: pathlib.Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    resource = Resource("gate")
    config = LanguageGate.get_default_config()
    gate = LanguageGate.create(config, storage, resource, context)
    # "tengo" is Spanish for "I have"; a training set may use it as English slang: then it counts as English.
    data = TrainingData(
        [
            Message(data={TEXT: "tengo neck pain", INTENT: "describe_symptoms"}),
            Message(data={TEXT: "hola que tal", INTENT: "non_english"}),
        ]
    )
    gate.train(data)
    loaded = LanguageGate.load(config, storage, resource, context)
    assert "tengo" in loaded.judge.english
    assert "hola" not in loaded.judge.english
    assert not loaded.judge.is_foreign("tengo neck pain")
