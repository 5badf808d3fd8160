"""A dialogue policy that apologises when the action server does not answer.

When the Rasa server cannot reach the action server, it logs the error, records that the custom action
ran, adds none of its events and predicts the next action: without this policy the person gets no reply
at all. This policy notices that state (the last event is a custom action with nothing after it: every
action of this assistant sends a message) and predicts a static apology from the domain. For a message
that may describe a warning sign, the apology starts with the emergency instruction (medical safety
first). Then it predicts ``action_listen``. It has the highest priority, so that it wins ties with the
RulePolicy; in every other state it predicts nothing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from addons import speedups

APOLOGY_RESPONSE = "utter_action_server_down"
RED_FLAG_RESPONSE = "utter_action_server_down_red_flag"
# Messages that may describe a warning sign: their apology starts with the emergency instruction.
RED_FLAG_INTENTS = frozenset({"report_red_flag", "describe_symptoms"})
RED_FLAG_ACTIONS = frozenset({"action_triage", "action_suggest_causes"})


def failed_custom_action(tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
    """The custom action that just ran without producing any event, if any."""
    if not tracker.events:
        return None
    last = tracker.events[-1]
    if not isinstance(last, ActionExecuted) or not last.action_name:
        return None
    custom = {name for name in domain.user_actions if not name.startswith("utter_")}
    return last.action_name if last.action_name in custom else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class ActionServerDownPolicy(Policy):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speedups.install()  # the server that loads this policy serves the model: make it fast too

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        failed = failed_custom_action(tracker, domain)
        if failed is not None:
            intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
            red_flag = failed in RED_FLAG_ACTIONS or intent in RED_FLAG_INTENTS
            probabilities[domain.index_for_action(RED_FLAG_RESPONSE if red_flag else APOLOGY_RESPONSE)] = 1.0
        elif tracker.latest_action_name in (APOLOGY_RESPONSE, RED_FLAG_RESPONSE):
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        return self._prediction(probabilities)
