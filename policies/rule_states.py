"""The conversation states a rule look-up compares with its rules, kept per conversation and extended.

Before each prediction, Rasa's ``RulePolicy`` turns the conversation into one state per action
(``Domain.states_for_tracker_history``): it replays every event of the conversation on a fresh tracker
and describes the tracker before each action (the user's intent and entities, the slots, the previous
action, the active loop), then once more after the last event. A turn predicts several actions, and
each prediction replays the whole conversation again, so the cost of a turn grows with the
conversation (profiled under ``make bench``: a tenth of the Rasa server's time).

A state describes only the events before it, so the states of a conversation never change when events
are added after them. :class:`StateHistory` keeps, per conversation, the replayed tracker and the
states so far, with the events they were made from. When the conversation's events start with exactly
those event objects (the tracker store hands out the same tracker from turn to turn, and Rasa's copies
of a tracker share its events), only the new events are replayed; otherwise (a conversation read again
from the database, a rewind, a restart, a new session: anything that is not an extension) everything is
replayed, as Rasa does. The last state, which describes the tracker after all events, is always made
anew, since the caller changes it (``_choose_last_user_input``).

This is the computation of ``states_for_tracker_history`` with ``omit_unset_slots=False`` and
``ignore_rule_only_turns=False``, which is how ``RulePolicy`` asks for it (it supports rule data only).
``tests/test_rule_states.py`` compares the states with Rasa's own on whole conversations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from core.lru import LRU

KEPT_CONVERSATIONS = 1000  # conversations whose states are kept (least recently used dropped)


@dataclass
class _Kept:
    domain: Domain
    replay: DialogueStateTracker  # a tracker with exactly ``events`` applied
    events: List[Event] = field(default_factory=list)
    states: List[State] = field(default_factory=list)  # the state before each ActionExecuted in ``events``

    def extended_by(self, applied: List[Event], domain: Domain) -> bool:
        events = self.events
        return (
            domain is self.domain
            and len(applied) >= len(events)
            and all(new is old for new, old in zip(applied, events))
        )


class StateHistory:
    """``domain.states_for_tracker_history(tracker)`` for prediction, without replaying known events."""

    def __init__(self, size: int = KEPT_CONVERSATIONS) -> None:
        self._kept: LRU[Any, _Kept] = LRU(size)

    def states(self, tracker: DialogueStateTracker, domain: Domain) -> List[State]:
        applied = tracker.applied_events()
        key = (tracker.sender_id, tracker.is_rule_tracker)
        kept = self._kept.get(key)
        if kept is None or not kept.extended_by(applied, domain):
            kept = _Kept(domain, tracker.init_copy())
        replay = kept.replay
        for event in applied[len(kept.events) :]:
            if isinstance(event, ActionExecuted):
                kept.states.append(domain._clean_state(domain.get_active_state(replay)))
            replay.update(event)
            kept.events.append(event)
        self._kept.put(key, kept)
        return [*kept.states, domain._clean_state(domain.get_active_state(replay))]
