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
- **SQLite.** The folder of the database file is created if needed (``var/`` by default).

Selected in the endpoints file (``scripts/make_endpoints.py`` writes it from environment variables):

    tracker_store:
      type: addons.tracker_store.ForgettingSQLTrackerStore
      dialect: sqlite            # or postgresql (url, port, db, username, password)
      db: var/tracker.db
"""

from __future__ import annotations

import logging
import pathlib
import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from addons import action_client

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_forget_me"  # actions/privacy.py
DEFAULT_CONNECT_TIMEOUT = 20.0


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
        **kwargs: Any,
    ) -> None:
        action_client.install()  # apology when the action server is down, faster result checks
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
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

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

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if forget_requested(new_events):
                deleted = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == tracker.sender_id)
                    .delete(synchronize_session=False)
                )
                session.commit()
                logger.info(f"Forgot a conversation on request: deleted {deleted} stored events.")
                return
        await super().save(tracker)
