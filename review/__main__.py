"""Conversation review and retention, from the tracker store the Rasa server writes.

    python -m review report [--since DAY] [--until DAY] [--out reports/review] [--export FILE.yml]
    python -m review prune --days N

The store is the one the ``TRACKER_*`` variables name (the SQLite file var/tracker.db by default;
``TRACKER_STORE=postgresql`` and ``TRACKER_DB_*`` for PostgreSQL), or ``--db`` with an SQLAlchemy URL.
``make review`` and ``make prune DAYS=N`` call this.
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

from core.names import EMERGENCY
from review import export, figures, groups, html, prune
from review.redact import pseudonym, redact
from review.store import ROOT, Store, StoreError, open_store

DEFAULT_OUT = ROOT / "reports" / "review"
SHOWN_GROUPS = 200  # groups of messages not understood shown on the page (all are in the JSON)


def moment(text: str, end_of_day: bool = False) -> float:
    """Epoch seconds of ``YYYY-MM-DD`` (UTC; with ``end_of_day``, the end of that day) or an ISO date-time."""
    try:
        if len(text) == 10:
            day = datetime.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
            return (day + datetime.timedelta(days=1 if end_of_day else 0)).timestamp()
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a day (2026-12-01) or a date-time (2026-12-01T14:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


def period_label(window: figures.Window) -> str:
    def day(ts: Optional[float]) -> str:
        return html.when(ts) if ts is not None else ""

    if window.since is None and window.until is None:
        return "all stored conversations"
    return f"from {day(window.since) or 'the first message'} to {day(window.until) or 'the last message'}"


def turns_json(turns: List[figures.Turn], show: Callable[[str], str]) -> List[Dict[str, Any]]:
    return [
        {"who": t.who, "text": show(t.text), "at": html.when(t.timestamp), **({"this": True} if t.here else {})}
        for t in turns
    ]


def report(
    store: Store, window: figures.Window, out: pathlib.Path, redacted: bool, export_to: Optional[pathlib.Path]
) -> Dict[str, Any]:
    show: Callable[[str], str] = redact if redacted else (lambda text: text)
    name: Callable[[str], str] = pseudonym if redacted else (lambda sender: sender)
    started = time.perf_counter()
    figs = figures.compute(store, window)
    escalations = list(figures.escalations(store, window))
    grouped = groups.group(figures.not_understood(store, window))
    shown = [(g, figures.context_of(store, g.first.sender_id, g.first.event_id)) for g in grouped[:SHOWN_GROUPS]]
    out.mkdir(parents=True, exist_ok=True)
    period = period_label(window)
    (out / "index.html").write_text(
        html.page(figs, escalations, shown, period, name, show, redacted, len(grouped)), encoding="utf-8"
    )
    data = {
        "period": period,
        "since": window.since,
        "until": window.until,
        "redacted": redacted,
        **figs.as_json(),
        "escalations": [
            {
                "kind": x.kind,
                "conversation": name(x.sender_id),
                "at": html.when(x.timestamp),
                "reply": show(x.text),
                "findings": x.findings,
                "reasons": [show(r) for r in x.reasons],
                "context": turns_json(x.context, show),
            }
            for x in escalations
        ],
        "not_understood_groups": [
            {
                "count": g.count,
                "wordings": [{"text": show(g.originals[w].text), "count": n} for w, n in g.texts.most_common(10)],
                "guesses": dict(g.guesses.most_common()),
            }
            for g in grouped
        ],
    }
    (out / "review.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    exported = export.write(export_to, grouped, redacted) if export_to else None
    seconds = time.perf_counter() - started
    print(
        f"Review of {period}: {figs.conversations} conversations, {figs.messages} messages, "
        f"{figs.mix.get(EMERGENCY, 0)} emergency and {figs.mix.get(figures.CRISIS, 0)} crisis conversations, "
        f"{figs.not_understood_total} messages not understood in {len(grouped)} groups ({seconds:.1f} s)."
    )
    print(f"Report: {out / 'index.html'}  Figures: {out / 'review.json'}")
    if export_to:
        print(f"Exported {exported} wordings to check to {export_to} (never added to data/ by itself).")
    return data


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m review", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an SQLAlchemy URL (default: the store the TRACKER_* variables name)")
    commands = parser.add_subparsers(dest="command", required=True)
    rep = commands.add_parser("report", help="write reports/review/index.html and review.json")
    rep.add_argument("--since", type=moment, help="first day (UTC) or date-time to include")
    rep.add_argument(
        "--until", type=lambda t: moment(t, end_of_day=True), help="last day (UTC, included) or date-time (excluded)"
    )
    rep.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="folder for index.html and review.json")
    rep.add_argument("--export", type=pathlib.Path, help="also write the messages not understood as Rasa NLU YAML here")
    rep.add_argument("--no-redact", action="store_true", help="show e-mail addresses, phone numbers and sender ids")
    pru = commands.add_parser("prune", help="delete conversations whose last message is older than --days")
    pru.add_argument("--days", type=float, required=True)
    args = parser.parse_args(argv)
    try:
        store = open_store(args.db)
        if args.command == "prune":
            done = prune.prune(store, args.days)
            print(
                f"Deleted {done.conversations} conversation{'' if done.conversations == 1 else 's'} "
                f"({done.events} events) whose last message was before "
                f"{html.when(done.cutoff)} (older than {args.days:g} days)."
            )
            return 0
        report(store, figures.Window(args.since, args.until), args.out, not args.no_redact, args.export)
        return 0
    except (StoreError, export.ExportError, ValueError) as error:
        print(f"review: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
