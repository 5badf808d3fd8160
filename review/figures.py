"""The review's figures, each computed by one SQL query in the database (grouped there, so the result
is a few rows per day whatever the number of conversations), plus the two lists that need the rows
themselves: the escalations and the messages not understood (streamed, never loaded at once).

Days are UTC. A conversation is a sender id; it counts on each day it wrote.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import sqlalchemy as sa

from actions.interview import FORM
from core.names import (
    COMPONENT_INTENTS,
    CRISIS_KEY,
    CRISIS_SLOT,
    EMERGENCY,
    FINDINGS_SLOT,
    LEVELS,
    NLU_FALLBACK_INTENT,
    NOT_UNDERSTOOD_INTENTS,
    OUT_OF_SCOPE_INTENT,
    TRIAGE_KEY,
)
from review.store import Store

LOW_CONFIDENCE = 0.5  # an intent below this is counted as not understood, whatever it is
CRISIS = CRISIS_SLOT  # the crisis reply (custom.crisis, the slot of the same name)
MIX = (*LEVELS, CRISIS)  # the triage mix: the highest level a conversation reached that day
DEACTIVATE = "action_deactivate_loop"
STREAM_ROWS = 2000


@dataclass(frozen=True)
class Window:
    """``since`` and ``until`` as epoch seconds (``until`` excluded); either may be open."""

    since: Optional[float] = None
    until: Optional[float] = None

    def where(self, column: str = "timestamp") -> Tuple[str, Dict[str, float]]:
        parts, params = [], {}
        if self.since is not None:
            parts.append(f"{column} >= :since")
            params["since"] = self.since
        if self.until is not None:
            parts.append(f"{column} < :until")
            params["until"] = self.until
        return (" AND ".join(parts) or "1 = 1"), params


@dataclass
class Figures:
    days: List[str] = field(default_factory=list)
    conversations: int = 0
    messages: int = 0
    per_day: Dict[str, Dict[str, int]] = field(default_factory=dict)  # day -> conversations, messages
    mix_per_day: Dict[str, Dict[str, int]] = field(default_factory=dict)  # day -> level -> conversations
    mix: Dict[str, int] = field(default_factory=dict)  # level -> conversations (highest over the window)
    intents: Dict[str, int] = field(default_factory=dict)
    not_understood: Dict[str, int] = field(default_factory=dict)  # fallback, out_of_scope, low_confidence
    not_understood_per_day: Dict[str, int] = field(default_factory=dict)
    confidence_histogram: List[int] = field(default_factory=lambda: [0] * 10)  # [0, 0.1), ... [0.9, 1]
    interviews: Dict[str, int] = field(default_factory=dict)  # started, finished, stopped
    causes: Dict[str, int] = field(default_factory=dict)  # cause id -> explanations given
    channels: Dict[str, int] = field(default_factory=dict)  # channel -> conversations

    @property
    def not_understood_total(self) -> int:
        return sum(self.not_understood.values())

    def as_json(self) -> Dict[str, Any]:
        share = self.not_understood_total / self.messages if self.messages else 0.0
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "per_day": self.per_day,
            "triage_mix": self.mix,
            "triage_mix_per_day": self.mix_per_day,
            "intents": self.intents,
            "not_understood": {**self.not_understood, "total": self.not_understood_total, "share": round(share, 4)},
            "not_understood_per_day": {
                day: {
                    "messages": n,
                    "share": round(n / self.per_day[day]["messages"], 4) if self.per_day[day]["messages"] else 0.0,
                }
                for day, n in self.not_understood_per_day.items()
            },
            "confidence_histogram": {
                f"{i / 10:.1f}-{(i + 1) / 10:.1f}": n for i, n in enumerate(self.confidence_histogram)
            },
            "interviews": self.interviews,
            "causes": self.causes,
            "channels": self.channels,
        }


def _rows(store: Store, sql: str, params: Dict[str, Any]) -> List[sa.engine.Row]:
    with store.engine.connect() as connection:
        return list(connection.execute(sa.text(sql), params))


def _stream(store: Store, sql: str, params: Dict[str, Any], lists: Tuple[str, ...] = ()) -> Iterator[sa.engine.Row]:
    """Rows one batch at a time (a server-side cursor on PostgreSQL); ``lists``: parameters that are lists
    (``IN :name``)."""
    statement = sa.text(sql).bindparams(*(sa.bindparam(name, expanding=True) for name in lists))
    with store.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, max_row_buffer=STREAM_ROWS).execute(
            statement, params
        )
        for partition in result.partitions(STREAM_ROWS):
            yield from partition


def _level_rank_sql(store: Store) -> str:
    """The triage payload of a bot event as a rank: 1 self_care ... 4 emergency, 5 crisis."""
    crisis = (
        f"{store.text('data', 'custom', CRISIS_KEY)} = 1"
        if store.sqlite
        else f"{store.text('data', 'custom', CRISIS_KEY)} = 'true'"
    )
    level = store.text("data", "custom", TRIAGE_KEY)
    cases = " ".join(f"WHEN {level} = '{name}' THEN {rank}" for rank, name in enumerate(LEVELS, start=1))
    return f"CASE WHEN {crisis} THEN {len(LEVELS) + 1} {cases} ELSE NULL END"


def compute(store: Store, window: Window = Window()) -> Figures:
    where, params = window.where()
    day = store.day()
    figures = Figures()

    # Conversations and messages per day, and in all.
    for d, conversations, messages in _rows(
        store,
        f"SELECT {day} AS d, COUNT(DISTINCT sender_id), COUNT(*) FROM events "
        f"WHERE type_name = 'user' AND {where} GROUP BY d ORDER BY d",
        params,
    ):
        figures.per_day[d] = {"conversations": int(conversations), "messages": int(messages)}
    figures.days = sorted(figures.per_day)
    ((conversations, messages),) = _rows(
        store, f"SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM events WHERE type_name = 'user' AND {where}", params
    )
    figures.conversations, figures.messages = int(conversations), int(messages)

    # Intents, confidence and what was not understood: one grouped pass over the user messages.
    confidence = store.number("parse_data", "intent", "confidence")
    nu_per_day: Counter = Counter()
    intents: Counter = Counter()
    kinds: Counter = Counter()
    for d, intent, bin_, n in _rows(
        store,
        f"SELECT {day} AS d, intent_name, CAST(FLOOR(COALESCE({confidence}, 0) * 10) AS INTEGER) AS b, COUNT(*) "
        f"FROM events WHERE type_name = 'user' AND {where} GROUP BY d, intent_name, b",
        params,
    ):
        n, b = int(n), min(max(int(bin_), 0), 9)
        intents[intent or "(none)"] += n
        figures.confidence_histogram[b] += n
        kind = intent if intent in NOT_UNDERSTOOD_INTENTS else ("low_confidence" if b < LOW_CONFIDENCE * 10 else None)
        if kind:
            kinds[kind] += n
            nu_per_day[d] += n
    figures.intents = dict(intents.most_common())
    figures.not_understood = {k: kinds.get(k, 0) for k in (*NOT_UNDERSTOOD_INTENTS, "low_confidence")}
    figures.not_understood_per_day = {d: nu_per_day.get(d, 0) for d in figures.days}

    # Channels: conversations per input channel.
    channel = store.text("input_channel")
    figures.channels = {
        (c or "(unknown)"): int(n)
        for c, n in _rows(
            store,
            f"SELECT {channel} AS c, COUNT(DISTINCT sender_id) AS n FROM events "
            f"WHERE type_name = 'user' AND {where} GROUP BY c ORDER BY n DESC",
            params,
        )
    }

    # Triage mix: per day, each conversation at the highest level it was given that day.
    mix_day: Dict[str, Counter] = defaultdict(Counter)
    mix_all: Counter = Counter()
    rank = _level_rank_sql(store)
    for d, top, n in _rows(
        store,
        f"SELECT d, top, COUNT(*) FROM (SELECT {day} AS d, sender_id, MAX({rank}) AS top FROM events "
        f"WHERE type_name = 'bot' AND data LIKE '%\"triage\"%' AND {where} GROUP BY d, sender_id) AS t "
        f"WHERE top IS NOT NULL GROUP BY d, top",
        params,
    ):
        mix_day[d][MIX[int(top) - 1]] += int(n)
    for _sender, top in _rows(
        store,
        f"SELECT sender_id, MAX({rank}) AS top FROM events WHERE type_name = 'bot' "
        f"AND data LIKE '%\"triage\"%' AND {where} GROUP BY sender_id",
        params,
    ):
        if top is not None:
            mix_all[MIX[int(top) - 1]] += 1
    figures.mix_per_day = {d: {level: mix_day[d].get(level, 0) for level in MIX} for d in figures.days}
    figures.mix = {level: mix_all.get(level, 0) for level in MIX}

    # Interviews: started (the form activated), finished (the form closed itself when every question was
    # answered), stopped (closed by the person: "stop", "forget me").
    ((started,),) = _rows(
        store,
        f"SELECT COUNT(*) FROM events WHERE type_name = 'active_loop' AND action_name = :form AND {where}",
        {**params, "form": FORM},
    )
    ends = dict(
        _rows(
            store,
            "SELECT prev, COUNT(*) FROM (SELECT type_name, action_name, timestamp, "
            "LAG(action_name) OVER (PARTITION BY sender_id ORDER BY id) AS prev FROM events "
            "WHERE type_name IN ('action', 'active_loop') AND sender_id IN (SELECT sender_id FROM events "
            "WHERE type_name = 'active_loop' AND action_name = :form)) AS t "
            f"WHERE type_name = 'active_loop' AND action_name IS NULL AND prev IN (:form, :stop) AND {where} "
            "GROUP BY prev",
            {**params, "form": FORM, "stop": DEACTIVATE},
        )
    )
    figures.interviews = {
        "started": int(started),
        "finished": int(ends.get(FORM, 0)),
        "stopped": int(ends.get(DEACTIVATE, 0)),
    }

    # Causes asked about: explanations of one cause (the `custom.cause` payload).
    cause = store.text("data", "custom", "cause")
    figures.causes = {
        c: int(n)
        for c, n in _rows(
            store,
            f"SELECT {cause} AS c, COUNT(*) AS n FROM events WHERE type_name = 'bot' AND data LIKE '%\"cause\"%' "
            f"AND {where} GROUP BY c ORDER BY n DESC",
            params,
        )
        if c
    }
    return figures


# -- the rows behind the figures -------------------------------------------------------------------------
@dataclass
class Turn:
    who: str  # "user" or "bot"
    text: str
    timestamp: float
    here: bool = False  # the message the entry is about


@dataclass
class Escalation:
    kind: str  # emergency or crisis
    sender_id: str
    timestamp: float
    text: str
    findings: List[str]
    context: List[Turn]

    @property
    def reasons(self) -> List[str]:
        """The rest of the escalating turn: the assistant's messages after the reply, before the person's next."""
        after = self.context[next((i for i, t in enumerate(self.context) if t.here), len(self.context)) + 1 :]
        return [t.text for t in itertools.takewhile(lambda t: t.who == "bot", after) if t.text]


def _context(
    connection: sa.engine.Connection, sender: str, event_id: int, before: int = 4, after: int = 3
) -> List[Turn]:
    """The messages around one event of a conversation, in order; the event itself is marked."""
    rows = list(
        connection.execute(
            sa.text(
                "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = :s AND id <= :i "
                "AND type_name IN ('user', 'bot') ORDER BY id DESC LIMIT :n"
            ),
            {"s": sender, "i": event_id, "n": before + 1},
        )
    )[::-1]
    rows += list(
        connection.execute(
            sa.text(
                "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = :s AND id > :i "
                "AND type_name IN ('user', 'bot') ORDER BY id LIMIT :n"
            ),
            {"s": sender, "i": event_id, "n": after},
        )
    )
    return [
        Turn(type_name, json.loads(data).get("text") or "", float(ts), here=row_id == event_id)
        for row_id, type_name, ts, data in rows
    ]


def _findings(connection: sa.engine.Connection, sender: str, event_id: int) -> List[str]:
    """The red-flag findings recorded with the escalation: the findings slot set by the same turn
    (before the next user message), else the last value set before it."""
    next_user = connection.execute(
        sa.text("SELECT MIN(id) FROM events WHERE sender_id = :s AND id > :i AND type_name = 'user'"),
        {"s": sender, "i": event_id},
    ).scalar()
    row = connection.execute(
        sa.text(
            "SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' AND action_name = :slot "
            "AND id < :until ORDER BY id DESC LIMIT 1"
        ),
        {"s": sender, "slot": FINDINGS_SLOT, "until": next_user if next_user is not None else 2**62},
    ).first()
    value = json.loads(row[0]).get("value") if row else None
    return [str(v) for v in value] if isinstance(value, list) else []


def escalations(store: Store, window: Window = Window()) -> Iterator[Escalation]:
    """Every conversation's first emergency and first crisis reply, newest first, with the messages
    around it and the findings it was given for."""
    where, params = window.where()
    rank = _level_rank_sql(store)
    first = (
        f"SELECT sender_id, MIN(id) AS i, kind FROM (SELECT sender_id, id, CASE WHEN {rank} = {len(LEVELS) + 1} "
        f"THEN '{CRISIS}' WHEN {rank} = {LEVELS.index(EMERGENCY) + 1} THEN '{EMERGENCY}' END AS kind FROM events "
        f"WHERE type_name = 'bot' AND data LIKE '%\"triage\"%' AND {where}) AS t WHERE kind IS NOT NULL "
        "GROUP BY sender_id, kind"
    )
    sql = (
        f"SELECT f.kind, f.sender_id, e.id, e.timestamp, e.data FROM ({first}) AS f "
        "JOIN events AS e ON e.id = f.i ORDER BY e.timestamp DESC, e.id DESC"
    )
    with store.engine.connect() as lookups:
        for kind, sender, event_id, ts, data in _stream(store, sql, params):
            yield Escalation(
                kind=kind,
                sender_id=sender,
                timestamp=float(ts),
                text=json.loads(data).get("text") or "",
                findings=_findings(lookups, sender, event_id),
                context=_context(lookups, sender, event_id),
            )


@dataclass
class Missed:
    """One message not understood."""

    event_id: int
    sender_id: str
    timestamp: float
    text: str
    intent: str
    confidence: float
    guess: str  # the intent the model thought most likely (not the fallback)
    guess_confidence: float


def not_understood(store: Store, window: Window = Window()) -> Iterator[Missed]:
    """The messages counted as not understood, oldest first, streamed."""
    where, params = window.where()
    confidence = store.number("parse_data", "intent", "confidence")
    sql = (
        "SELECT id, sender_id, timestamp, intent_name, data FROM events WHERE type_name = 'user' "
        f"AND (intent_name IN :not_understood OR COALESCE({confidence}, 0) < :low) AND {where} ORDER BY id"
    )
    args = {**params, "low": LOW_CONFIDENCE, "not_understood": list(NOT_UNDERSTOOD_INTENTS)}
    for event_id, sender, ts, intent, data in _stream(store, sql, args, lists=("not_understood",)):
        event = json.loads(data)
        parse = event.get("parse_data") or {}
        ranking = [
            r
            for r in parse.get("intent_ranking") or []
            if r.get("name") and r.get("name") != NLU_FALLBACK_INTENT and r.get("name") not in COMPONENT_INTENTS
        ]
        best = ranking[0] if ranking else {"name": intent or OUT_OF_SCOPE_INTENT, "confidence": 0.0}
        yield Missed(
            event_id=int(event_id),
            sender_id=sender,
            timestamp=float(ts),
            text=event.get("text") or "",
            intent=intent or "(none)",
            confidence=float((parse.get("intent") or {}).get("confidence") or 0.0),
            guess=str(best["name"]),
            guess_confidence=float(best.get("confidence") or 0.0),
        )


def context_of(store: Store, sender: str, event_id: int) -> List[Turn]:
    with store.engine.connect() as connection:
        return _context(connection, sender, event_id, before=2, after=2)
