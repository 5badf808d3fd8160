"""Always-on red-flag check inside the NLU pipeline, so that an emergency reaches the user whatever
intent DIET predicts and even when the action server is down.

Placed last in the pipeline (after the intent classifiers and the FallbackClassifier), it runs the
triage engine (``core/triage.py``, plain Python) on every message. A suicidal or self-harm
statement (``core.triage.crisis_in``: its phrases, or by meaning a message that reads like the worked
crisis statements, ``core/nearest.py``) sets the intent ``crisis``, answered first by the static
``utter_crisis`` (with ``CRISIS_LINE`` as the ``crisis_line`` entity when the deployment sets it). A
finding below emergency in a message DIET read as small talk ("thanks, and it wakes me every night")
sets ``report_red_flag``, so the finding is escalated. When the message on its own describes an
emergency, it

- overrides the intent with ``emergency`` (confidence 1.0), so that the rule
  ``emergency -> utter_emergency -> action_triage`` answers with a static response first;
- keeps DIET's ranking and records what it found under ``red_flags`` in the parse data
  (level, rule ids, the intent DIET had predicted);
- adds an ``emergency_number`` entity with the configured number (``EMERGENCY_NUMBER``) when the
  deployment sets one, which fills the slot that the static response names. Without it the slot
  keeps its default wording (the slot's initial value in domain.yml).

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

from core.names import (
    CRISIS_INTENT,
    CRISIS_KEY,
    CRISIS_LINE_ENTITY,
    CRISIS_LINE_ENV,
    EMERGENCY,
    EMERGENCY_INTENT,
    EMERGENCY_NUMBER_ENTITY,
    EMERGENCY_NUMBER_ENV,
    MAX_TEXT,
    NOT_MEDICAL_INTENTS,
    RED_FLAG_INTENT,
    STATIC_REPLY_INTENTS,
)
from core.triage import Assessment, assess, crisis_in, crisis_matcher, get_red_flags

logger = logging.getLogger(__name__)

PARSE_KEY = "red_flags"  # what the check found, in the parse data (read by patches/action_client.py)


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
        """At model load, build the matchers and the crisis comparison by meaning (the encoder and the
        worked cases' vectors) so that the first message does not wait."""
        component = cls(config)
        try:
            get_red_flags().matcher  # noqa: B018
            crisis_matcher()
            crisis_in("warming up the comparison by meaning", by_meaning=True)
        except Exception:  # a broken rules file is reported when a message is checked
            logger.exception("could not build the red-flag matcher")
        return component

    def assess(self, text: str) -> Optional[Assessment]:
        if not text or text.startswith("/"):
            return None
        try:
            # The phrases alone: a likeness by meaning never raises a level, it makes the action server ask.
            return assess(text[:MAX_TEXT], by_meaning=False)
        except Exception:  # never let the safety net break message parsing
            logger.exception("red-flag check failed")
            return None

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text or text.startswith("/"):
                continue
            result = self.assess(text)
            level = result.level if result is not None else None
            # By meaning only where the phrases found no emergency ("took 25 iron pills" is answered as the
            # overdose it is, with the emergency number, not as a statement of intent nobody made), and only
            # for a message that a static response alone answers: the action server compares every other
            # message by meaning anyway (actions/base.red_flags_in), with the same encoder pass.
            intent = (message.get(INTENT) or {}).get("name")
            crisis = self.crisis(text, by_meaning=level != EMERGENCY and intent in STATIC_REPLY_INTENTS)
            if not crisis and level is None:
                continue
            original = message.get(INTENT) or {}
            message.set(
                PARSE_KEY,
                {
                    "level": EMERGENCY if crisis else level,
                    CRISIS_KEY: crisis,
                    "rules": [r.id for r in result.rules] if result is not None else [],
                    "findings": sorted(result.findings) if result is not None else [],
                    "predicted_intent": original.get("name"),
                },
                add_to_output=True,
            )
            if crisis:
                message.set(INTENT, {"name": CRISIS_INTENT, "confidence": 1.0}, add_to_output=True)
                self.add_setting(message, CRISIS_LINE_ENV, CRISIS_LINE_ENTITY)
                self.add_setting(message, EMERGENCY_NUMBER_ENV, EMERGENCY_NUMBER_ENTITY)
            elif level == EMERGENCY:
                message.set(INTENT, {"name": self.intent, "confidence": 1.0}, add_to_output=True)
                self.add_setting(message, EMERGENCY_NUMBER_ENV, EMERGENCY_NUMBER_ENTITY)
            elif original.get("name") in NOT_MEDICAL_INTENTS:
                # "thanks, and the pain wakes me every night": the finding, not the social intent, decides.
                message.set(INTENT, {"name": RED_FLAG_INTENT, "confidence": 1.0}, add_to_output=True)
        return messages

    def crisis(self, text: str, by_meaning: bool) -> bool:
        try:
            return crisis_in(text[:MAX_TEXT], by_meaning=by_meaning)
        except Exception:  # never let the safety net break message parsing
            logger.exception("crisis check failed")
            return False

    def add_setting(self, message: Message, variable: str, entity: str) -> None:
        """Add the deployment's setting (an environment variable) as an entity, which fills the slot
        that the static response names; without it the slot keeps its default wording."""
        value = os.environ.get(variable, "").strip()
        if not value:
            return
        entities = list(message.get(ENTITIES) or [])
        entities.append(
            {
                "entity": entity,
                "value": value,
                "start": 0,
                "end": 0,
                "confidence": 1.0,
                "extractor": type(self).__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
