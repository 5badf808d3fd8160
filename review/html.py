"""The review as one self-contained HTML page: inline CSS and inline SVG plots, nothing loaded from
outside, every text escaped (what people typed is shown as text, never as markup)."""

from __future__ import annotations

import datetime
import html
import math
import time
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from core.names import EMERGENCY, SEE_DOCTOR, SELF_CARE, URGENT
from review.figures import CRISIS, MIX, Escalation, Figures, Turn
from review.groups import Group

COLOURS = {
    SELF_CARE: "#4c9f70",
    SEE_DOCTOR: "#3b7dd8",
    URGENT: "#e0a100",
    EMERGENCY: "#d64545",
    CRISIS: "#7b3fa0",
}
CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
.muted{color:#5b6472}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;background:#fff;margin:8px 0;width:100%}
th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}th{background:#eef0f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{background:#fff;border:1px solid #d5d9e0;border-radius:8px;margin:12px 0;padding:12px}
figcaption{font-weight:600;margin-bottom:6px}.legend span{margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;border-radius:2px;vertical-align:-1px}
.entry{background:#fff;border:1px solid #d5d9e0;border-left:5px solid #d64545;border-radius:6px;margin:10px 0;
padding:8px 12px}.entry.crisis{border-left-color:#7b3fa0}.entry.missed{border-left-color:#3b7dd8}
.turn{margin:2px 0;white-space:pre-wrap}.turn.user:before{content:"person: ";color:#5b6472}
.turn.bot:before{content:"assistant: ";color:#5b6472}.turn.here{background:#fff4d6}
.tag{display:inline-block;background:#eef0f4;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;font-size:13px}
"""


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def when(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def table(head: Sequence[str], rows: Iterable[Sequence[object]], numeric_from: int = 1) -> str:
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{e(c)}</td>' if i >= numeric_from else f"<td>{e(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + f"</tr>{body}</table>"


# -- plots ------------------------------------------------------------------------------------------------
W, H, PAD_L, PAD_B, PAD_T = 1000, 260, 48, 42, 12


def _axes(y_max: float, y_label: Callable[[float], str]) -> str:
    parts = []
    for i in range(5):
        v = y_max * i / 4
        y = H - PAD_B - (H - PAD_B - PAD_T) * i / 4
        parts.append(f'<line x1="{PAD_L}" x2="{W - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6eb"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{e(y_label(v))}</text>')
    return "".join(parts)


def _x_labels(labels: Sequence[str], x_of: Callable[[int], float]) -> str:
    step = max(1, len(labels) // 12)
    return "".join(
        f'<text x="{x_of(i):.1f}" y="{H - PAD_B + 16}" text-anchor="middle" font-size="11">'
        f"{e(label[5:] if len(label) == 10 else label)}</text>"
        for i, label in enumerate(labels)
        if i % step == 0
    )


def empty(title: str, plot_id: str) -> str:
    return (
        f'<figure id="{plot_id}"><figcaption>{e(title)}</figcaption><p class="muted">No data in this period.</p>'
        + "</figure>"
    )


def stacked_bars(
    days: Sequence[str],
    series: Dict[str, Dict[str, int]],
    keys: Sequence[str],
    title: str,
    plot_id: str,
    note: Optional[str] = None,
) -> str:
    """Bars per day stacked by ``keys``; under them a legend of the keys, or ``note`` instead."""
    if not days:
        return empty(title, plot_id)
    totals = [sum(series[d].get(k, 0) for k in keys) for d in days]
    y_max = 4 * max(1, math.ceil(max(totals) / 4))  # whole numbers on the four grid lines
    slot = (W - PAD_L - 8) / len(days)
    bars = []
    for i, d in enumerate(days):
        y: float = H - PAD_B
        for k in keys:
            n = series[d].get(k, 0)
            if not n:
                continue
            h = (H - PAD_B - PAD_T) * n / y_max
            y -= h
            bars.append(
                f'<rect x="{PAD_L + i * slot + slot * 0.15:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(k, "#888")}"><title>{e(d)} {e(k)}: {n}</title></rect>'
            )
    legend = (
        f'<div class="muted">{e(note)}</div>'
        if note
        else '<div class="legend">'
        + "".join(f'<span><i style="background:{COLOURS.get(k, "#888")}"></i>{e(k)}</span>' for k in keys)
        + "</div>"
    )
    svg = (
        f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{e(title)}">'
        + _axes(y_max, lambda v: f"{v:.0f}")
        + "".join(bars)
        + _x_labels(days, lambda i: PAD_L + (i + 0.5) * slot)
        + "</svg>"
    )
    return f'<figure id="{plot_id}"><figcaption>{e(title)}</figcaption>{svg}{legend}</figure>'


def line(days: Sequence[str], values: Sequence[float], title: str, plot_id: str) -> str:
    if not days:
        return empty(title, plot_id)
    y_max = max(0.05, max(values) * 1.15)
    span = max(1, len(days) - 1)
    x_of = (lambda i: PAD_L + 10 + (W - PAD_L - 28) * i / span) if len(days) > 1 else (lambda i: (PAD_L + W) / 2)
    points = [(x_of(i), H - PAD_B - (H - PAD_B - PAD_T) * v / y_max) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#3b7dd8"><title>{e(d)}: {v:.1%}</title></circle>'
        for (x, y), d, v in zip(points, days, values)
    )
    svg = (
        f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{e(title)}">'
        + _axes(y_max, lambda v: f"{v:.0%}")
        + f'<polyline points="{path}" fill="none" stroke="#3b7dd8" stroke-width="2"/>'
        + dots
        + _x_labels(days, x_of)
        + "</svg>"
    )
    return f'<figure id="{plot_id}"><figcaption>{e(title)}</figcaption>{svg}</figure>'


def histogram(counts: Sequence[int], title: str, plot_id: str) -> str:
    labels = [f"{i / 10:.1f}" for i in range(len(counts))]
    series = {label: {"messages": n} for label, n in zip(labels, counts)}
    note = "intent confidence, in bins of 0.1 (the fallback threshold is in config.yml)"
    return stacked_bars(labels, series, ["messages"], title, plot_id, note)


# -- sections -----------------------------------------------------------------------------------------------
def _turns(turns: List[Turn], show: Callable[[str], str]) -> str:
    return "".join(f'<div class="turn {t.who}{" here" if t.here else ""}">{e(show(t.text))}</div>' for t in turns)


def escalation_entry(x: Escalation, name: Callable[[str], str], show: Callable[[str], str]) -> str:
    findings = (
        "".join(f'<span class="tag">{e(f)}</span>' for f in x.findings) or '<span class="muted">none recorded</span>'
    )
    return (
        f'<div class="entry {e(x.kind)}"><b>{e(x.kind)}</b> · {e(when(x.timestamp))} · '
        f"conversation {e(name(x.sender_id))}"
        f"<div>findings: {findings}</div><div>reasons given: {e(' '.join(show(r) for r in x.reasons) or 'none')}</div>"
        f"{_turns(x.context, show)}</div>"
    )


def missed_entry(rank: int, g: Group, context: List[Turn], show: Callable[[str], str]) -> str:
    wordings = ", ".join(f"“{show(g.originals[w].text)}” ×{n}" for w, n in g.texts.most_common(4))
    guesses = ", ".join(f"{k} ×{n}" for k, n in g.guesses.most_common(3))
    return (
        f'<div class="entry missed"><b>#{rank} · {g.count} message{"s" if g.count != 1 else ""}</b>'
        f'<div class="muted">{e(wordings)}</div><div>model\'s guesses: {e(guesses)}</div>'
        f"<details><summary>conversation around the first</summary>{_turns(context, show)}</details></div>"
    )


def page(
    figures: Figures,
    escalations: List[Escalation],
    groups: List[Tuple[Group, List[Turn]]],
    period: str,
    name: Callable[[str], str],
    show: Callable[[str], str],
    redacted: bool,
    groups_total: int,
) -> str:
    f = figures
    share = f.not_understood_total / f.messages if f.messages else 0.0
    nu_share = [
        (f.not_understood_per_day.get(d, 0) / f.per_day[d]["messages"]) if f.per_day[d]["messages"] else 0.0
        for d in f.days
    ]
    cards = "".join(
        f'<div class="card">{e(label)}<b>{e(value)}</b></div>'
        for label, value in (
            ("conversations", f.conversations),
            ("messages", f.messages),
            ("not understood", f"{share:.1%}"),
            ("emergency", f.mix.get(EMERGENCY, 0)),
            ("crisis", f.mix.get(CRISIS, 0)),
            ("interviews finished", f"{f.interviews.get('finished', 0)} of {f.interviews.get('started', 0)}"),
        )
    )
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Conversation review · {e(period)}</title><style>{CSS}</style></head><body><main>",
        "<h1>Conversation review</h1>",
        f"<div class='muted'>{e(period)} · generated {e(when(time.time()))} · "
        + (
            "e-mail addresses, phone numbers and long numbers redacted; conversations named by pseudonym"
            if redacted
            else "NOT redacted"
        )
        + " · conversations deleted with “forget me” are not in the store</div>",
        f"<div class='cards' id='headline'>{cards}</div>",
        "<h2>Triage</h2>",
        stacked_bars(
            f.days,
            f.mix_per_day,
            MIX,
            "Triage mix per day (conversations, each at its highest level that day)",
            "plot-triage",
        ),
        table(["level", "conversations"], [(k, f.mix.get(k, 0)) for k in MIX]),
        "<h2>Understanding</h2>",
        line(f.days, nu_share, "Share of messages not understood, per day", "plot-not-understood"),
        histogram(f.confidence_histogram, "Intent confidence of every message", "plot-confidence"),
        table(["not understood", "messages"], [*f.not_understood.items(), ("total", f.not_understood_total)]),
        "<h2>Per day</h2>",
        table(
            ["day", "conversations", "messages", "not understood", *MIX],
            [
                (
                    d,
                    f.per_day[d]["conversations"],
                    f.per_day[d]["messages"],
                    f.not_understood_per_day.get(d, 0),
                    *(f.mix_per_day[d][k] for k in MIX),
                )
                for d in f.days
            ],
        ),
        "<h2>Intents, interviews, causes, channels</h2>",
        table(["intent", "messages"], f.intents.items()),
        table(["symptom interviews", "count"], f.interviews.items()),
        table(["cause explained", "times"], f.causes.items())
        if f.causes
        else "<p class='muted'>No cause explained in this period.</p>",
        table(["channel", "conversations"], f.channels.items()),
        f"<h2 id='escalations'>Emergency and crisis escalations ({len(escalations)}), newest first</h2>",
        "<p class='muted'>Each conversation's first emergency reply and first crisis reply, with the messages "
        "around it (the escalation highlighted) and the red-flag findings recorded for it.</p>",
        "".join(escalation_entry(x, name, show) for x in escalations) or "<p class='muted'>None in this period.</p>",
        f"<h2 id='not-understood'>Not understood ({f.not_understood_total} messages in {groups_total} groups), "
        "most frequent first</h2>",
        "".join(missed_entry(i, g, ctx, show) for i, (g, ctx) in enumerate(groups, start=1))
        or "<p class='muted'>Nothing in this period.</p>",
        (
            f"<p class='muted'>The {groups_total - len(groups)} less frequent groups are in review.json.</p>"
            if groups_total > len(groups)
            else ""
        ),
        "</main></body></html>",
    ]
    return "\n".join(parts)
