"""The SQL tracker store of this assistant: Rasa's SQLTrackerStore plus "forget me" and a clear start-up error.

- **Forget me.** When a tracker is saved whose new events show that ``action_forget_me`` ran *and
  answered* (an event follows it: the action server sent the confirmation), every stored event of
  that sender is deleted, in every session, and nothing is saved. The deletion has to happen here:
  the Rasa server saves the tracker after the action returns, so rows deleted by the action server
  would come back. If the action server failed, nothing is deleted.
- **Unreachable database.** Rasa's SQLTrackerStore retries a database that does not answer every
  5 seconds, forever: the server never starts and says little. This store tries for
  ``connect_timeout`` seconds (default 20), then stops start-up with a message that names the
  database and the settings to check.
- **SQLite.** The folder of the database file is created if needed (``var/`` by default). Connections
  are pooled (SQLAlchemy 1.4 opens a new SQLite connection per session otherwise) and use the
  write-ahead log.
- **Speed** (profiled under ``make bench``: reading and writing the tracker was a large share of the
  Rasa server's time per message; README, "Benchmark"). Each saved tracker is kept in memory
  (``cache_size`` conversations, least recently used dropped), and the next turn of that conversation
  uses it after one indexed query shows the stored rows are still exactly those the cached tracker was
  saved with (their number, last id and last timestamp), so several Rasa instances sharing the database
  stay correct. A tracker is handed out once (taken from the cache), so a turn that fails before saving
  leaves nothing stale. Saving appends the events after those the tracker was read with, in one
  statement, instead of counting the stored rows first; a conversation just read as absent is saved
  without any count. With an event broker configured the cache is off (Rasa compares the stored
  tracker with the new one to find the events to publish).

Selected in the endpoints file (``scripts/make_endpoints.py`` writes it from environment variables):

    tracker_store:
      type: stores.tracker_store.ForgettingSQLTrackerStore
      dialect: sqlite            # or postgresql (url, port, db, username, password)
      db: var/tracker.db
"""

from __future__ import annotations

import itertools
import json
import logging
import pathlib
import time
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from core.names import FORGET_ACTION

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 20.0
DEFAULT_CACHE_SIZE = 1000
# Set on trackers this store has read or saved: how many events of the tracker are stored, and the
# stored rows' (count, last id, last timestamp) at that moment.
STORED = "_neck_stored_events"
StoredRows = Tuple[int, Optional[int], Optional[float]]


class TrackerStoreUnavailable(RasaException):
    """The configured tracker store database cannot be reached at start-up."""


def forget_requested(new_events: List[Event]) -> bool:
    """True if ``action_forget_me`` ran among ``new_events`` and produced at least one event."""
    return any(
        isinstance(event, ActionExecuted)
        and event.action_name == FORGET_ACTION
        and not isinstance(following, ActionExecuted)
        for event, following in zip(new_events, new_events[1:])
    )


def _describe(dialect: str, host: Optional[str], port: Optional[int], db: str) -> str:
    if dialect.startswith("sqlite"):
        return f"SQLite database file '{db}'"
    return f"{dialect} database '{db}' at {host or 'localhost'}:{port or 'default port'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Write-ahead log and fewer fsyncs: commits were a tenth of the server's time under load. After a
    power cut the last turns may be lost, never the file's consistency (https://sqlite.org/wal.html)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ForgettingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that deletes a conversation on "forget me" and fails fast if the database is down."""

    engine: sa.engine.Engine

    def __init__(
        self,
        domain: Any = None,
        dialect: str = "sqlite",
        host: Optional[str] = None,
        port: Optional[int] = None,
        db: str = "var/tracker.db",
        username: Optional[str] = None,
        password: Optional[str] = None,
        event_broker: Any = None,
        login_db: Optional[str] = None,
        query: Optional[Dict] = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        cache_size: int = DEFAULT_CACHE_SIZE,
        **kwargs: Any,
    ) -> None:
        if dialect.startswith("sqlite") and db:
            pathlib.Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            self._wait_for_database(
                dialect, host, port, login_db or db, username, password, query, float(connect_timeout)
            )
        super().__init__(
            domain=domain,
            dialect=dialect,
            host=host,
            port=port,
            db=db,
            username=username,
            password=password,
            event_broker=event_broker,
            login_db=login_db,
            query=query,
            **kwargs,
        )
        if dialect.startswith("sqlite"):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=5, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.cache_size = 0 if self.event_broker is not None else max(0, int(cache_size))
        self._cache: OrderedDict[str, Any] = OrderedDict()
        # Senders whose last read found no stored event (a new conversation, which Rasa then creates and saves).
        self._absent: OrderedDict[str, None] = OrderedDict()
        # Built once; reused on every turn (SQLAlchemy Core, not the ORM).
        E = self.SQLEvent
        self._rows_query = sa.select(sa.func.count(E.id), sa.func.max(E.id), sa.func.max(E.timestamp)).where(
            E.sender_id == sa.bindparam("sender")
        )
        self._insert = E.__table__.insert()

    def _wait_for_database(
        self,
        dialect: str,
        host: Optional[str],
        port: Optional[int],
        db: str,
        username: Optional[str],
        password: Optional[str],
        query: Optional[Dict],
        timeout: float,
    ) -> None:
        url = self.get_db_url(dialect, host, int(port) if port else None, db, username, password, None, query)
        connect_args = {"connect_timeout": 5} if dialect.startswith("postgres") else {}
        engine = sa.create_engine(url, connect_args=connect_args)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    with engine.connect():
                        return
                except sa.exc.OperationalError as error:
                    if time.monotonic() >= deadline:
                        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
                        message = (
                            f"Cannot reach the tracker store: {_describe(dialect, host, port, db)} did not answer "
                            f"within {timeout:g} s ({reason}). Start the database, or check TRACKER_DB_HOST, "
                            f"TRACKER_DB_PORT, TRACKER_DB_NAME, TRACKER_DB_USER and TRACKER_DB_PASSWORD, or unset "
                            f"TRACKER_STORE to use the SQLite file."
                        )
                        logger.error(message)
                        raise TrackerStoreUnavailable(message) from None
                    time.sleep(1)
        finally:
            engine.dispose()

    # -- reading ----------------------------------------------------------------------------------
    def _stored_rows(self, sender_id: str, connection: Any = None) -> StoredRows:
        """(count, last id, last timestamp) of a sender's stored events: one indexed query (SQLAlchemy
        Core, not the ORM: this runs on every turn), on ``connection`` (inside its transaction) or a
        pooled one."""
        if connection is None:
            with self.engine.connect() as own:
                return self._stored_rows(sender_id, own)
        count, last_id, last_time = connection.execute(self._rows_query, {"sender": sender_id}).one()
        return int(count or 0), last_id, last_time

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        cached = self._cache.pop(sender_id, None)
        if cached is not None and self._stored_rows(sender_id) == getattr(cached, STORED)[1]:
            return cached
        return await self._retrieve(sender_id, fetch_events_from_all_sessions=False)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's SQLTrackerStore._retrieve, also noting which rows the tracker was read from."""
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            if not self.domain or not rows:
                if self.domain and not fetch_events_from_all_sessions:
                    self._absent[sender_id] = None  # no stored events at all: the first save needs no count
                    while len(self._absent) > max(self.cache_size, 1):
                        self._absent.popitem(last=False)
                return None
            stored = self._stored_rows(sender_id)
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows], self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED, (len(rows), stored))
        return tracker

    # -- writing ----------------------------------------------------------------------------------
    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> List[Event]:
        known = getattr(tracker, STORED, None)
        if known is None or known[0] > len(tracker.events):
            return list(self._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, known[0], None))

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        self._cache.pop(sender_id, None)
        if sender_id in self._absent:
            del self._absent[sender_id]
            if getattr(tracker, STORED, None) is None:  # read as absent just before (under the conversation's lock)
                setattr(tracker, STORED, (0, (0, None, None)))
        await self.stream_events(tracker)
        with self.session_scope() as session:
            new_events = self._new_events(session, tracker)
            if forget_requested(new_events):
                deleted = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id)
                    .delete(synchronize_session=False)
                )
                session.commit()
                logger.info(f"Forgot a conversation on request: deleted {deleted} stored events.")
                return
            stored = getattr(tracker, STORED, None)
            stored = None if stored is None else stored[1]
            if new_events:
                # SQLAlchemy Core, all the turn's events in one prepared executemany (the ORM's unit of work
                # cost twice as much as one INSERT per event, which cost several times this), then the
                # stored rows' new (count, last id, last timestamp) from one indexed query.
                connection = session.connection()
                rows = []
                for event in new_events:
                    data = event.as_dict()
                    rows.append(
                        {
                            "sender_id": sender_id,
                            "type_name": event.type_name,
                            "timestamp": data.get("timestamp"),
                            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                            "action_name": data.get("name"),
                            "data": json.dumps(data),
                        }
                    )
                connection.execute(self._insert, rows)
                stored = self._stored_rows(sender_id, connection)
            session.commit()
        if stored is None:  # a tracker this store did not read: ask the database
            stored = self._stored_rows(sender_id)
        setattr(tracker, STORED, (len(tracker.events), stored))
        if self.cache_size:
            self._cache[sender_id] = tracker
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


class ForgettingInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's InMemoryTrackerStore plus "forget me": the conversation is dropped when a saved tracker's new
    events show that ``action_forget_me`` answered (``TRACKER_STORE=memory``: nothing survives a restart
    anyway, but a person who asked to be forgotten is forgotten now, not at the next restart)."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        kwargs.pop("host", None)  # Rasa passes the endpoint's url; memory has none
        super().__init__(domain, event_broker, **kwargs)
        self._saved_events: Dict[str, int] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        known = self._saved_events.get(sender_id, 0) if sender_id in self.store else 0
        new_events = list(itertools.islice(tracker.events, min(known, len(tracker.events)), None))
        if forget_requested(new_events):
            await self.stream_events(tracker)
            self.store.pop(sender_id, None)
            self._saved_events.pop(sender_id, None)
            logger.info("Forgot a conversation on request (in-memory tracker store).")
            return
        await super().save(tracker)
        self._saved_events[sender_id] = len(tracker.events)
