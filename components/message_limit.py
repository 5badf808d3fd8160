"""Cut over-long messages before they reach the NLU models.

DIET's transformer attends over every token pair, so a 100 KB message (about 20,000 tokens) asks
TensorFlow for tens of gigabytes and the request fails. People do not write neck questions that
long: classifying the first ``max_characters`` characters is enough, and keeps the server answering.
The full text stays in the conversation (the tracker) and reaches the actions, which apply their
own limit for red-flag matching.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from core.names import MAX_MESSAGE


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MessageLengthLimit(GraphComponent):
    """Truncate message text to ``max_characters`` (at a word boundary where there is one)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_characters": MAX_MESSAGE}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.max_characters = int(config["max_characters"])
        if self.max_characters < 1:
            raise ValueError("MessageLengthLimit: max_characters must be at least 1")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageLengthLimit:
        return cls(config)

    def truncate(self, text: str) -> str:
        if len(text) <= self.max_characters:
            return text
        cut = text[: self.max_characters]
        space = cut.rfind(" ")
        return cut[:space] if space > self.max_characters // 2 else cut

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and len(text) > self.max_characters:
                message.set(TEXT, self.truncate(text))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
