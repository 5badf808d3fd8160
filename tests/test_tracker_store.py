"""The project's SQL tracker store (stores/tracker_store.py) on a real SQLite file: what the in-memory
tracker cache and the append-only save must never get wrong.

Two store objects on one database file stand for two Rasa instances behind a load balancer.
"""

from __future__ import annotations

import pathlib
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores.tracker_store import STORED, ForgettingSQLTrackerStore

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def db(tmp_path: pathlib.Path) -> str:
    return str(tmp_path / "tracker.db")


def store(domain: Domain, db: str, **kwargs: object) -> ForgettingSQLTrackerStore:
    return ForgettingSQLTrackerStore(domain=domain, dialect="sqlite", db=db, **kwargs)


def turn(text: str, reply: str) -> List[object]:
    return [
        UserUttered(text, {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        BotUttered(reply),
        ActionExecuted("action_listen"),
    ]


def texts(tracker: DialogueStateTracker) -> List[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def stored_rows(s: ForgettingSQLTrackerStore, sender: str) -> List[str]:
    with s.session_scope() as session:
        return [r.type_name for r in session.query(s.SQLEvent).filter(s.SQLEvent.sender_id == sender).all()]


async def new_conversation(s: ForgettingSQLTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = await s.get_or_create_tracker(sender)
    for event in turn("hello", "hi there"):
        tracker.update(event)
    await s.save(tracker)
    return tracker


async def test_each_event_is_stored_once_over_several_turns(rasa_domain: Domain, db: str) -> None:
    s = store(rasa_domain, db)
    tracker = await new_conversation(s, "a")
    for i in range(3):
        tracker = await s.retrieve("a")
        assert tracker is not None
        for event in turn(f"message {i}", f"reply {i}"):
            tracker.update(event)
        tracker.update(SlotSet("interview_duration", f"{i} days"))
        await s.save(tracker)
    fresh = await store(rasa_domain, db, cache_size=0).retrieve("a")
    assert fresh is not None
    assert texts(fresh) == ["hello", "message 0", "message 1", "message 2"]
    assert fresh.get_slot("interview_duration") == "2 days"
    assert len(stored_rows(s, "a")) == len(fresh.events) == len(tracker.events)


async def test_a_second_instance_sees_what_the_first_wrote(rasa_domain: Domain, db: str) -> None:
    one, two = store(rasa_domain, db), store(rasa_domain, db)
    await new_conversation(one, "b")  # `one` now holds the tracker in its cache
    tracker = await two.retrieve("b")
    assert tracker is not None
    for event in turn("from instance two", "ok"):
        tracker.update(event)
    await two.save(tracker)
    again = await one.retrieve("b")  # the cached copy is stale: read from the database
    assert again is not None
    assert texts(again) == ["hello", "from instance two"]
    for event in turn("back on instance one", "ok"):
        again.update(event)
    await one.save(again)
    assert texts(await store(rasa_domain, db, cache_size=0).retrieve("b")) == [
        "hello",
        "from instance two",
        "back on instance one",
    ]


async def test_a_turn_that_fails_before_saving_leaves_nothing_behind(rasa_domain: Domain, db: str) -> None:
    s = store(rasa_domain, db)
    await new_conversation(s, "c")
    tracker = await s.retrieve("c")
    assert tracker is not None
    tracker.update(UserUttered("never saved", {"name": "greet", "confidence": 1.0}))  # the turn crashes here
    again = await s.retrieve("c")
    assert again is not None and again is not tracker
    assert texts(again) == ["hello"]


async def test_a_cached_tracker_is_handed_out_once(rasa_domain: Domain, db: str) -> None:
    s = store(rasa_domain, db)
    await new_conversation(s, "d")
    first, second = await s.retrieve("d"), await s.retrieve("d")
    assert first is not None and second is not None and first is not second
    assert texts(first) == texts(second) == ["hello"]


async def test_forget_me_deletes_every_row_and_the_cached_tracker(rasa_domain: Domain, db: str) -> None:
    s = store(rasa_domain, db)
    await new_conversation(s, "e")
    await new_conversation(s, "bystander")
    tracker = await s.retrieve("e")
    assert tracker is not None
    tracker.update(UserUttered("forget me", {"name": "forget_me", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_forget_me"))
    tracker.update(BotUttered("Done: I have deleted this conversation."))
    await s.save(tracker)
    assert stored_rows(s, "e") == []
    assert await s.retrieve("e") is None
    assert texts(await s.retrieve("bystander")) == ["hello"]


async def test_the_cache_is_bounded(rasa_domain: Domain, db: str) -> None:
    s = store(rasa_domain, db, cache_size=2)
    for sender in ("f1", "f2", "f3"):
        await new_conversation(s, sender)
    assert list(s._cache) == ["f2", "f3"]
    assert texts(await s.retrieve("f1")) == ["hello"]  # dropped from the cache, read from the file


async def test_the_next_turn_reuses_the_saved_tracker(rasa_domain: Domain, db: str) -> None:
    """What the cache is for: after a save, the next retrieve of that conversation needs no rebuild."""
    s = store(rasa_domain, db)
    tracker = await new_conversation(s, "g")
    for i in range(2):
        again = await s.retrieve("g")
        assert again is tracker  # the very object saved last turn, checked against the database
        for event in turn(f"more {i}", "ok"):
            again.update(event)
        await s.save(again)
    assert getattr(tracker, STORED)[1] == s._stored_rows("g")
    assert await store(rasa_domain, db, cache_size=0).retrieve("g") is not tracker


# -- TRACKER_STORE=memory: "forget me" forgets there too -----------------------------------------------------------
async def test_the_in_memory_store_forgets_a_conversation_on_request(rasa_domain: Domain) -> None:
    from stores.tracker_store import ForgettingInMemoryTrackerStore

    s = ForgettingInMemoryTrackerStore(domain=rasa_domain, host=None)
    kept = await s.get_or_create_tracker("kept")
    gone = await s.get_or_create_tracker("gone")
    for tracker in (kept, gone):
        for event in turn("hello", "hi there"):
            tracker.update(event)
        await s.save(tracker)
    # an earlier forget in this conversation, already saved, does not delete what comes after it
    for event in [
        UserUttered("forget me", {"name": "forget_me", "confidence": 1.0}),
        ActionExecuted("action_forget_me"),
    ]:
        gone.update(event)
    await s.save(gone)  # the action ran but sent nothing (the action server failed): nothing is deleted
    assert texts(await s.retrieve("gone")) == ["hello", "forget me"]
    for event in [ActionExecuted("action_forget_me"), BotUttered("Done: I've deleted this conversation.")]:
        gone.update(event)
    await s.save(gone)
    assert await s.retrieve("gone") is None
    assert texts(await s.retrieve("kept")) == ["hello"]
    fresh = await s.get_or_create_tracker("gone")
    assert texts(fresh) == []
    for event in turn("hello again", "hi"):
        fresh.update(event)
    await s.save(fresh)
    assert texts(await s.retrieve("gone")) == ["hello again"]


def test_the_endpoints_name_the_forgetting_in_memory_store() -> None:
    from scripts.make_endpoints import MEMORY_CLASS, endpoints

    assert endpoints({"TRACKER_STORE": "memory"})["tracker_store"] == {"type": MEMORY_CLASS}
    module, name = MEMORY_CLASS.rsplit(".", 1)
    assert getattr(__import__(module, fromlist=[name]), name).__name__ == name


def test_the_lock_store_stays_rasas_in_memory_one_with_the_in_memory_tracker_store() -> None:
    from scripts.make_endpoints import endpoints

    assert "lock_store" not in endpoints({"TRACKER_STORE": "memory"})
    assert "lock_store" not in endpoints({})


async def test_a_new_conversation_is_saved_without_counting_and_its_rows_are_known(
    rasa_domain: Domain, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conversation just read as absent is created and saved without asking the database how many rows
    it has; what the store notes afterwards is exactly what the database holds."""
    s = store(rasa_domain, db)
    await new_conversation(s, "other")  # rows of another sender in the same table
    counted: List[str] = []
    original = ForgettingSQLTrackerStore._additional_events

    def counting(self: object, session: object, tracker: DialogueStateTracker) -> object:
        counted.append(tracker.sender_id)
        return original(self, session, tracker)  # type: ignore[arg-type]

    monkeypatch.setattr(ForgettingSQLTrackerStore, "_additional_events", counting)
    tracker = await new_conversation(s, "h")
    assert counted == []
    assert getattr(tracker, STORED)[1] == s._stored_rows("h")
    assert stored_rows(s, "h") == [event.type_name for event in tracker.events]
    assert await s.retrieve("h") is tracker


async def test_a_tracker_the_store_did_not_read_is_appended_after_its_stored_rows(rasa_domain: Domain, db: str) -> None:
    s = store(rasa_domain, db)
    await new_conversation(s, "i")
    other_instance = store(rasa_domain, db)  # another Rasa instance sharing the database
    tracker = await other_instance.retrieve("i")
    assert tracker is not None
    for event in turn("again", "ok"):
        tracker.update(event)
    fresh = DialogueStateTracker.from_events("i", list(tracker.events), rasa_domain.slots)  # no STORED mark
    await s.save(fresh)
    assert stored_rows(s, "i") == [event.type_name for event in fresh.events]
    assert texts(fresh) == ["hello", "again"]
    assert getattr(fresh, STORED)[1] == s._stored_rows("i")
