"""Recognise messages that are not in English, so the assistant says it only understands English.

DIET would otherwise force a foreign message into one of the English intents (or out of scope),
and the reply would be wrong in a confusing way. The gate needs no downloaded model: it learns the
English vocabulary of the training data (every intent except the non-English one) and compares it
with the function words of other languages that spaCy ships (``spacy.lang.<code>.stop_words``):

- a message written mostly in a non-Latin script (Cyrillic, CJK, Arabic, Devanagari...) is foreign;
- otherwise a message is foreign when at least two of its words are another language's function
  words (or accented words) that are not English words, and they outnumber the English words.

English with typos ("spazms in my nek") is not flagged: its unknown words are not another
language's function words. Short messages with little evidence either way ("mijn nek is stijf":
one Dutch function word against two English-looking words) are left to DIET.

The component runs after DIET and before the FallbackClassifier: a foreign message gets the
``intent`` (default ``non_english``) with confidence 1.0 and no entities; an English message that
DIET put in that intent gets DIET's next-best intent instead.
"""

from __future__ import annotations

import importlib
import json
import re
import unicodedata
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.names import NON_ENGLISH_INTENT

INTENT_RANKING = "intent_ranking"
WORD = re.compile(r"[^\W\d_]+")
VOCABULARY_FILE = "english_vocabulary.json"

# Languages whose function words spaCy 3.4 ships (spacy.lang.<code>.stop_words).
DEFAULT_LANGUAGES = ["es", "fr", "de", "it", "pt", "nl", "pl", "tr", "sv", "da", "nb", "ro", "cs", "id", "fi", "hu"]


def _stop_words(code: str) -> FrozenSet[str]:
    module = importlib.import_module(f"spacy.lang.{code}.stop_words")
    return frozenset(w.lower() for w in module.STOP_WORDS)


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def words_of(text: str) -> List[str]:
    return [w.lower() for w in WORD.findall(text)]


class LanguageJudge:
    """Plain-Python decision: is this text English? (Separate from Rasa so it is easy to test.)"""

    def __init__(self, english: Iterable[str], languages: Iterable[str]) -> None:
        self.english: Set[str] = {w.lower() for w in english} | _stop_words("en")
        self.function_words: Dict[str, FrozenSet[str]] = {code: _stop_words(code) for code in languages}

    def explain(self, text: str) -> Tuple[bool, str]:
        """(is_foreign, reason)."""
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return False, "no letters"
        non_latin = sum(1 for c in letters if not _is_latin(c))
        if non_latin / len(letters) > 0.5:
            return True, "non-Latin script"
        words = words_of(text)
        english = sum(1 for w in words if w in self.english)
        unknown = [w for w in words if w not in self.english]
        accented = sum(1 for w in unknown if not w.isascii())
        best_code, best = "", 0
        for code, function_words in self.function_words.items():
            hits = sum(1 for w in unknown if w in function_words)
            if hits > best:
                best_code, best = code, hits
        foreign = best + accented
        reason = f"english words {english}, {best_code or 'other'} function words {best}, accented {accented}"
        is_foreign = (foreign >= 2 and foreign > english) or (foreign >= 1 and english == 0 and len(words) >= 2)
        return is_foreign, reason

    def is_foreign(self, text: str) -> bool:
        return self.explain(text)[0]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LanguageGate(GraphComponent):
    """Sets ``intent`` for messages not written in English (see the module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intent": NON_ENGLISH_INTENT, "languages": DEFAULT_LANGUAGES}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        english: Optional[Iterable[str]] = None,
    ) -> None:
        self.intent = str(config["intent"])
        self.languages = list(config["languages"])
        self._model_storage = model_storage
        self._resource = resource
        self.judge = LanguageJudge(english or (), self.languages)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGate:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageGate:
        english: List[str] = []
        try:
            with model_storage.read_from(resource) as directory:
                english = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            english = []  # an untrained gate still knows spaCy's English function words
        return cls(config, model_storage, resource, english)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the English vocabulary: every word of every example not labelled ``intent``."""
        vocabulary: Set[str] = set()
        for example in training_data.intent_examples:
            if example.get(INTENT) != self.intent:
                vocabulary.update(words_of(example.get(TEXT) or ""))
        self.judge = LanguageJudge(vocabulary, self.languages)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(vocabulary)), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            if self.judge.is_foreign(text):
                self._set_foreign(message)
            else:
                self._drop_foreign_prediction(message)
        return messages

    def _set_foreign(self, message: Message) -> None:
        top = {INTENT_NAME_KEY: self.intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        # The ranking holds only this intent: DIET's own confident guess as runner-up would make the
        # FallbackClassifier call the prediction ambiguous.
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING, [top], add_to_output=True)
        message.set(ENTITIES, [], add_to_output=True)

    def _drop_foreign_prediction(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != self.intent:
            return
        ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != self.intent]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING, ranking, add_to_output=True)
