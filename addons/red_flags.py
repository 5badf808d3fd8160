"""Always-on red-flag check inside the NLU pipeline, so that an emergency reaches the user whatever
intent DIET predicts and even when the action server is down.

Placed last in the pipeline (after the intent classifiers and the FallbackClassifier), it runs the
triage engine (``actions/triage.py``, plain Python) on every message. When the message on its own
describes an emergency, it

- overrides the intent with ``emergency`` (confidence 1.0), so that the rule
  ``emergency -> utter_emergency -> action_triage`` answers with a static response first;
- keeps DIET's ranking and records what it found under ``red_flags`` in the parse data
  (level, rule ids, the intent DIET had predicted);
- adds an ``emergency_number`` entity with the configured number (``EMERGENCY_NUMBER``) when the
  deployment sets one, which fills the slot that the static response names. Without it the slot
  keeps its default wording (911 / 112 / 999).

Findings spread over several messages (a fever now, a stiff neck later) need the conversation, so
the custom actions handle them; this component looks at one message at a time.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.triage import Assessment, assess, get_red_flags

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
PARSE_KEY = "red_flags"  # what the check found, in the parse data (read by addons/action_client.py)
NUMBER_ENTITY = "emergency_number"
MAX_TEXT = 5000


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagDetector(GraphComponent):
    """Override the intent with ``emergency`` when the triage engine finds one in the message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intent": EMERGENCY_INTENT}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.intent = str(config.get("intent") or EMERGENCY_INTENT)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagDetector:
        return cls(config)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RedFlagDetector:
        """At model load, build the matcher (about 10 s) so that the first message does not wait."""
        component = cls(config)
        try:
            get_red_flags().matcher  # noqa: B018
        except Exception:  # a broken rules file is reported when a message is checked
            logger.exception("could not build the red-flag matcher")
        return component

    def assess(self, text: str) -> Optional[Assessment]:
        if not text or text.startswith("/"):
            return None
        try:
            return assess(text[:MAX_TEXT])
        except Exception:  # never let the safety net break message parsing
            logger.exception("red-flag check failed")
            return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            result = self.assess(text) if isinstance(text, str) else None
            if result is None or result.level is None:
                continue
            original = message.get(INTENT) or {}
            message.set(
                PARSE_KEY,
                {
                    "level": result.level,
                    "rules": [r.id for r in result.rules],
                    "findings": sorted(result.findings),
                    "predicted_intent": original.get("name"),
                },
                add_to_output=True,
            )
            if result.level != "emergency":
                continue
            message.set(INTENT, {"name": self.intent, "confidence": 1.0}, add_to_output=True)
            number = os.environ.get("EMERGENCY_NUMBER", "").strip()
            if number:
                entities = list(message.get(ENTITIES) or [])
                entities.append(
                    {
                        "entity": NUMBER_ENTITY,
                        "value": number,
                        "start": 0,
                        "end": 0,
                        "confidence": 1.0,
                        "extractor": type(self).__name__,
                    }
                )
                message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
