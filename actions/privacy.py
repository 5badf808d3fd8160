""" "Forget me": the person confirmed that their conversation should be deleted.

The action only tells them it is done. The deletion itself happens in the Rasa server's tracker store
(``stores/tracker_store.py``): when it saves a tracker whose new events show that this action ran and
answered, it deletes every stored event of that sender instead of saving. Deleting from here would be
undone, because the Rasa server saves the tracker again after the action returns.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from core.names import FORGET_ACTION

FORGOTTEN_TEXT = (
    "Done: I've deleted this conversation. I no longer have anything you told me. "
    "If you write again, we start from the beginning."
)


class ActionForgetMe(Action):
    def name(self) -> str:
        return FORGET_ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(text=FORGOTTEN_TEXT)
        return []
