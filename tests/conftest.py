"""Shared fixtures: the real domain, the knowledge base, the trained agent, a fresh dispatcher and a tracker
factory."""

from __future__ import annotations

import pathlib
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from core.kb_loader import get_kb
from core.knowledge_base import KnowledgeBase

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The shared real stack (action server + Rasa server with the SQLite tracker store) for the production tests.
pytest_plugins = ["tests.stack"]


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The project's domain.yml, as the action server receives it."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return get_kb()


@pytest.fixture(scope="session")
def agent() -> Any:
    """A Rasa agent with the model `make test` trains (models/neck-assistant.tar.gz), loaded once."""
    from scripts import nlu_metrics

    if not nlu_metrics.MODEL.exists():
        pytest.fail(f"no trained model at {nlu_metrics.MODEL}: run `make train` (make test and make test-e2e do)")
    nlu_metrics.quiet_logging()
    return nlu_metrics.load_agent(nlu_metrics.MODEL)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


TrackerFactory = Callable[..., Tracker]


@pytest.fixture
def make_tracker(domain: Dict[str, Any]) -> TrackerFactory:
    """A tracker whose latest user message is ``text`` with ``intent`` and ``entities``."""

    def factory(
        text: str = "",
        intent: str = "ask_cause",
        entities: Optional[List[Dict[str, Any]]] = None,
        **slots: Any,
    ) -> Tracker:
        all_slots = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
        unknown = set(slots) - set(all_slots)
        assert not unknown, f"slots not in the domain: {unknown}"
        all_slots.update(slots)
        latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
        }
        return Tracker(
            sender_id="test-user",
            slots=all_slots,
            latest_message=latest,
            events=[{"event": "user", "text": text, "parse_data": latest}],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return factory


def customs(dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
    """The ``custom`` payloads the action sent, in order."""
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Real action server, Rasa server (every channel) and web page, plus fake platform APIs."""
    from tests.live_servers import start_stack

    yield from start_stack(tmp_path_factory.mktemp("live"))


# Tests that need the trained model or real servers, by the fixtures they use (whatever their module says):
# `make test-unit` runs the others, without training.
MODEL_FIXTURES = frozenset({"agent"})
SERVER_FIXTURES = frozenset({"stack", "live_stack", "image"})


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.e2e)
