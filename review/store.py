"""The tracker store's database, chosen by the same ``TRACKER_*`` variables as the Rasa server
(``scripts/make_endpoints.py``), and the SQL that differs between SQLite and PostgreSQL."""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Mapping, Optional

import sqlalchemy as sa

from scripts.make_endpoints import MEMORY_CLASS, ConfigError, tracker_store

ROOT = pathlib.Path(__file__).resolve().parent.parent


class StoreError(RuntimeError):
    """The tracker store cannot be read: no such file, no such database, or a store that keeps nothing."""


def url_from_env(env: Mapping[str, str]) -> sa.engine.URL:
    """The SQLAlchemy URL of the tracker store the Rasa server would use with these variables."""
    try:
        store = tracker_store(env)
    except ConfigError as error:
        raise StoreError(str(error)) from None
    if store is None or store["type"] == MEMORY_CLASS:
        raise StoreError(
            "TRACKER_STORE=memory keeps conversations only in the Rasa server's memory: there is nothing to "
            "review or prune. Use the SQLite file (the default) or PostgreSQL."
        )
    if store["dialect"] == "sqlite":
        path = pathlib.Path(store["db"]).expanduser()
        if not path.is_absolute():
            path = ROOT / path
        return sa.engine.URL.create("sqlite", database=str(path))
    return sa.engine.URL.create(
        "postgresql+psycopg2",
        username=store.get("username"),
        password=env.get("TRACKER_DB_PASSWORD") or None,
        host=store.get("url"),
        port=store.get("port"),
        database=store.get("db"),
    )


@dataclass
class Store:
    """One tracker store database and the dialect's spelling of what SQL does not standardise."""

    engine: sa.engine.Engine

    @property
    def sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def day(self, column: str = "timestamp") -> str:
        """The UTC day (YYYY-MM-DD) of an epoch-seconds column."""
        if self.sqlite:
            return f"date({column}, 'unixepoch')"
        return f"to_char(to_timestamp({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def text(self, *path: str) -> str:
        """A text value inside the JSON ``data`` column."""
        if self.sqlite:
            return f"json_extract(data, '$.{'.'.join(path)}')"
        return f"(data::json #>> '{{{','.join(path)}}}')"

    def number(self, *path: str) -> str:
        """A number inside the JSON ``data`` column."""
        if self.sqlite:
            return self.text(*path)
        return f"CAST({self.text(*path)} AS DOUBLE PRECISION)"

    def has_events(self) -> bool:
        return sa.inspect(self.engine).has_table("events")


def open_store(url: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> Store:
    """The store at ``url`` (an SQLAlchemy URL) or, without one, the one the ``TRACKER_*`` variables name."""
    target: sa.engine.URL = sa.engine.make_url(url) if url else url_from_env(os.environ if env is None else env)
    if target.get_backend_name() == "sqlite":
        if not target.database or not pathlib.Path(target.database).exists():
            raise StoreError(
                f"No tracker store at {target.database}: the Rasa server creates it on the first message "
                "(make run), or set TRACKER_SQLITE_PATH / TRACKER_STORE=postgresql."
            )
    elif target.get_backend_name() != "postgresql":
        raise StoreError(f"{target.get_backend_name()}: only SQLite and PostgreSQL tracker stores are supported")
    engine = sa.create_engine(
        target, connect_args={"connect_timeout": 10} if target.get_backend_name() == "postgresql" else {}
    )
    store = Store(engine)
    try:
        present = store.has_events()
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StoreError(
            f"Cannot reach the tracker store ({target.render_as_string(hide_password=True)}): {reason}"
        ) from None
    if not present:
        raise StoreError(
            f"{target.render_as_string(hide_password=True)} has no events table: nothing has been stored yet"
        )
    return store
