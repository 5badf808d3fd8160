"""Retention: delete every conversation whose last event is older than N days (``make prune DAYS=N``).

Whole conversations only (a sender id's every event, in every session), in batches of senders, each
batch in its own transaction, so a long prune neither holds one huge lock nor leaves half a
conversation. A running Rasa server notices: its cached copy of a pruned conversation no longer matches
the stored rows (``stores/tracker_store.py``), so the person starts afresh.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import List, Optional

import sqlalchemy as sa

from review.store import Store

BATCH = 500
DAY = 86400.0


@dataclass(frozen=True)
class Pruned:
    conversations: int
    events: int
    cutoff: float


def prune(store: Store, days: float, now: Optional[float] = None) -> Pruned:
    if not days > 0:
        raise ValueError(f"DAYS must be a positive number of days, not {days!r}")
    cutoff = (time.time() if now is None else now) - days * DAY
    with store.engine.connect() as connection:
        old: List[str] = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
                {"cutoff": cutoff},
            )
        ]
    events = 0
    delete = sa.text("DELETE FROM events WHERE sender_id IN :senders").bindparams(
        sa.bindparam("senders", expanding=True)
    )
    for start in range(0, len(old), BATCH):
        with store.engine.begin() as connection:
            events += connection.execute(delete, {"senders": old[start : start + BATCH]}).rowcount or 0
    return Pruned(conversations=len(old), events=events, cutoff=cutoff)
