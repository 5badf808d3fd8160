"""Keep social, privacy and out-of-scope intents for the messages that are that.

Runs after the FallbackClassifier and before the red-flag check (``config.yml``). With the questions
of ``core/scope.py``:

- a social intent (greet, goodbye, thank, affirm, deny, skip, stop, bot_challenge) on a message that
  describes a symptom or asks a medical question ("i feel that is great pain in my left shoulder",
  "i can't rotate my neck") becomes the medical intent it most likely is;
- a social intent on a longer message without that intent's words ("I've tried reading books, but
  nothing can cheer me up" is no thank-you) becomes ``nlu_fallback``;
- ``forget_me`` on a message with no words of a deletion request ("tbh everything is bad", a question
  about problems after neck surgery) becomes that medical intent, or ``nlu_fallback``;
- ``nlu_fallback`` only because two medical intents were close (the ranking's best is medical and the
  message is about the body) becomes the better of them;
- ``out_of_scope`` or ``nlu_fallback`` on a symptom or question about the neck, shoulders or upper
  back ("my shoulder is hurting me") becomes that medical intent;
- a symptom asked about as a question ("is it normal that my neck cracks when i turn my head?") gets
  ``symptom_question``: its answer (the likely causes) comes first, and the interview is offered, not
  started; a question with nothing about the body in it ("is it going to be sunny this weekend")
  that was read as a symptom gets ``nlu_fallback``;
- a message about the lower back (or "my back" without saying which part) that is not about a named
  cause gets ``lower_back_pain``, answered plainly (the knowledge base covers the neck, shoulders and
  upper back) with general advice; its red flags are still checked by every action.

The original intent and the reason stay in the parse data (``scope_gate``), so a review can see what
the gate changed.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from core import scope
from core.names import (
    ASK_CAUSES_INTENT,
    DESCRIBE_SYMPTOMS_INTENT,
    FORGET_INTENT,
    LOWER_BACK_INTENT,
    NLU_FALLBACK_INTENT,
    NOT_UNDERSTOOD_INTENTS,
    QUESTION_INTENTS,
    RED_FLAG_INTENT,
    SOCIAL_INTENTS,
    SYMPTOM_QUESTION_INTENT,
)

SOCIAL = frozenset(SOCIAL_INTENTS)
PRIVACY = FORGET_INTENT
NOT_UNDERSTOOD = frozenset(NOT_UNDERSTOOD_INTENTS)
LOWER_BACK = LOWER_BACK_INTENT
SYMPTOM_QUESTION = SYMPTOM_QUESTION_INTENT
DESCRIBE = DESCRIBE_SYMPTOMS_INTENT
REROUTED_TO_LOWER_BACK = NOT_UNDERSTOOD | frozenset({DESCRIBE, ASK_CAUSES_INTENT})


MEDICAL = frozenset({*QUESTION_INTENTS, DESCRIBE, RED_FLAG_INTENT})


def decide(intent: str, text: str, ranking: Sequence[str] = ()) -> Optional[str]:
    """The intent ``text`` should have instead of ``intent``, or None to keep it (plain Python).

    ``ranking``: the classifier's intents, best first (without ``nlu_fallback``)."""
    if not text or not text.strip():
        return None
    if intent == NLU_FALLBACK_INTENT and ranking and ranking[0] in MEDICAL and scope.about_the_body(text):
        # Not understood only because two medical intents were close ("what can cause spasms in the
        # neck?": ask_causes 0.54, ask_cause 0.45): the better one answers.
        intent = ranking[0]
        new: Optional[str] = intent
    else:
        new = _rerouted(intent, text)
    if (new or intent) == DESCRIBE and scope.is_question(text):
        # "is it going to be sunny this weekend" is no symptom question: not understood, not an interview.
        if not scope.about_the_body(text):
            return NLU_FALLBACK_INTENT
        # "would magnesium tablets help", "when to get medical help": the advice asked for.
        asked = scope.medical_intent(text)
        return SYMPTOM_QUESTION if asked == DESCRIBE else asked
    return new


def _rerouted(intent: str, text: str) -> Optional[str]:
    where = None if scope.elsewhere(text) else scope.region(text)
    if intent == PRIVACY:
        if scope.asks_to_delete(text):
            return None
        return scope.medical_intent(text) if scope.medical_content(text) else NLU_FALLBACK_INTENT
    if intent in SOCIAL:
        if scope.medical_content(text):
            return _medical(text, where)
        return None if scope.looks_social(intent, text) else NLU_FALLBACK_INTENT
    if intent in REROUTED_TO_LOWER_BACK and where in ("lower_back", "back"):
        if scope.describes_symptom(text) or scope.medical_question(text):
            return LOWER_BACK
        return None
    in_scope = where in ("neck", "shoulder", "upper_back")
    if intent in NOT_UNDERSTOOD and in_scope and (scope.describes_symptom(text) or scope.medical_question(text)):
        return scope.medical_intent(text)
    return None


def _medical(text: str, where: Optional[str]) -> str:
    return LOWER_BACK if where in ("lower_back", "back") else scope.medical_intent(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGate(GraphComponent):
    """Sets the intent a social, privacy or out-of-scope prediction should have been (module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScopeGate:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if not isinstance(text, str) or not name:
                continue
            ranking = [
                str(r.get(INTENT_NAME_KEY))
                for r in message.get("intent_ranking") or []
                if r.get(INTENT_NAME_KEY) != NLU_FALLBACK_INTENT
            ]
            new = decide(str(name), text, ranking)
            if new and new != name:
                message.set(INTENT, {INTENT_NAME_KEY: new, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
                message.set(
                    "scope_gate", {"was": name, "confidence": intent.get(PREDICTED_CONFIDENCE_KEY)}, add_to_output=True
                )
        return messages
