"""RulePolicy without the end-to-end pass that cannot match: a registered RulePolicy subclass named in
config.yml.

Right after a user message, Rasa's ``RulePolicy`` looks for a rule twice: once with the message's text
in place of its intent (end-to-end rules, written with ``user: text`` examples) and once with the
intent. Each pass rebuilds the states of the whole conversation, so the text pass costs about as much
as the rule look-up it precedes. In that pass the last state carries the text only (Rasa's tracker
featurizer removes the intent and entities from it) and its previous action is ``action_listen``; a
rule whose last state names an intent or entities, or another previous action, can therefore not
match there, and then the pass returns no action, which ``RulePolicy._predict`` ignores. This
subclass works out once per rule set whether any rule could match the text pass, and skips the pass
when none can. The project's rules are all written with intents, so predictions are Rasa's own
(tests/test_fast_rules.py compares them on whole conversations).

Each look-up also filters every rule against the conversation's states (``_get_possible_keys``),
decoding each rule's JSON key again for each state. The result depends on the rule table and the states
alone, and the same states recur in every conversation ("greet" after the session start, the
interview's steps), so a loaded policy keeps the latest ``KEPT_LOOKUPS`` results (``core/lru.py``). Training
changes the tables as it goes (it drops rules), so only a policy loaded for prediction keeps results.

Each look-up also rebuilds the conversation's states by replaying all its events; a loaded policy keeps
them per conversation and replays only the new events (``policies/rule_states.py``).

Rasa's recipe validator recognises a rule policy by its exact class (``node.uses == RulePolicy`` in
rasa/graph_components/validators/default_recipe_validator.py): for a subclass it warns that default
intents such as ``restart`` will not trigger their actions, which is not so (the subclass keeps
RulePolicy's default actions; a test checks ``restart``). It also skips its check that the fallback
action is in the domain, which RulePolicy's own training makes too (tested). That one warning is
filtered here, by its exact text.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, ENTITIES, INTENT

from core.lru import LRU
from policies.rule_states import StateHistory

KEPT_LOOKUPS = 4096  # rule look-up results kept per rule table by a loaded policy

warnings.filterwarnings(
    "ignore", message=r"'RulePolicy' is not included in the model's policy configuration", category=UserWarning
)


def text_pass_may_match(last_rule_state: State) -> bool:
    """Whether a rule whose last state is ``last_rule_state`` could match the state of a message read
    by its text: previous action ``action_listen`` (or none), and no intent or entities required."""
    previous = last_rule_state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME)
    if previous and previous != ACTION_LISTEN_NAME:
        return False
    user = last_rule_state.get(USER, {})
    return not any(user.get(key) and user.get(key) != SHOULD_NOT_BE_SET for key in (INTENT, ENTITIES))


def frozen(value: Any) -> Any:
    """A hashable copy of conversation states (dicts by sorted key, lists and tuples as tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    return value


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class FastRulePolicy(RulePolicy):
    """Rasa's RulePolicy, skipping the end-to-end rule pass when no rule could match it."""

    _text_rules: Optional[Tuple[Dict[str, str], bool]] = None
    # (rule table, frozen states) -> the applicable rule keys; None while training
    _kept_keys: Optional[LRU[Tuple[int, Any], FrozenSet[str]]] = None
    _state_history: Optional[StateHistory] = None  # None while training

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> FastRulePolicy:
        policy = super().load(*args, **kwargs)
        policy._kept_keys = LRU(KEPT_LOOKUPS)
        if type(policy.featurizer) is MaxHistoryTrackerFeaturizer:  # what RulePolicy uses; anything else: Rasa's way
            policy._state_history = StateHistory()
        return policy

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[str, Any]] = None,
    ) -> List[State]:
        """``Policy._prediction_states`` as RulePolicy has it (``MaxHistoryTrackerFeaturizer.prediction_states``
        for rule data: no rule-only turns or unlikely intents left out, so ``rule_only_data`` plays no part),
        with the states kept per conversation."""
        history = self._state_history
        if history is None:
            return super()._prediction_states(tracker, domain, use_text_for_last_user_input, rule_only_data)
        featurizer = self.featurizer
        assert isinstance(featurizer, MaxHistoryTrackerFeaturizer)
        states = featurizer.slice_state_history(history.states(tracker, domain), featurizer.max_history)
        featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    def _get_possible_keys(self, lookup: Dict[str, str], states: List[State]) -> Set[str]:
        kept = self._kept_keys
        if kept is None:
            return super()._get_possible_keys(lookup, states)
        # A loaded policy's tables are never replaced, so a table's identity names it.
        key = (id(lookup), frozen(states))
        found = kept.get(key)
        if found is None:
            found = frozenset(super()._get_possible_keys(lookup, states))
            kept.put(key, found)
        return set(found)

    def _text_pass_needed(self) -> bool:
        rules = self.lookup.get(RULES, {})
        known = self._text_rules
        if known is None or known[0] is not rules:
            known = (rules, any(text_pass_may_match(json.loads(key)[-1]) for key in rules))
            self._text_rules = known
        return known[1]

    def _find_action_from_rules(
        self, tracker: DialogueStateTracker, domain: Domain, use_text_for_last_user_input: bool
    ) -> Tuple[Optional[str], Optional[str], bool]:
        if use_text_for_last_user_input and not self._text_pass_needed():
            return None, None, False
        return super()._find_action_from_rules(tracker, domain, use_text_for_last_user_input)
