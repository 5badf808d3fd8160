"""Conversation review (``make review``) and retention (``make prune``), on real stores.

Conversations are played through the real servers (the shared stack: action server, Rasa server, the
project's SQLite tracker store), then ``make review`` reads that store and its figures are checked
against what was played. The same rows are copied into a real PostgreSQL, where the review must give
the same figures. The report is opened in headless Chromium (screenshot in reports/screenshots/).
Redaction and pruning are checked with plain SQL on both databases.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import time
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import psycopg2
import pytest
import sqlalchemy as sa
import yaml

from core.text import normalise
from review import export, groups, prune, redact
from review.figures import Missed
from review.store import StoreError, open_store, url_from_env
from tests.servers import BASE_ENV, ROOT, Postgres
from tests.stack import Stack

RUN = uuid.uuid4().hex[:6]
EMAIL = f"jo.{RUN}@example.com"
PHONE = "07700 900123"
# What is played, by conversation: (sender, messages). The review must find exactly this.
PLAYED: List[Tuple[str, List[str]]] = [
    (
        f"rv-emergency-{RUN}",
        ["hi", f"I'm {EMAIL}. I have a fever, a really bad headache and my neck is so stiff I can't bend it"],
    ),
    (f"rv-crisis-{RUN}", ["my neck hurts all the time and I want to kill myself"]),
    (f"rv-cause-{RUN}", ["what causes neck spasms", "tell me about stress"]),
    (
        f"rv-interview-{RUN}",
        [
            "my neck has been spasming",
            "a few days",
            "a few times a week",
            "4",
            "looking down at my phone",
            "none of these",
        ],
    ),
    (f"rv-stopped-{RUN}", ["my neck has been spasming", "skip", "stop"]),
    (
        f"rv-lost-{RUN}",
        [
            "what's the weather in paris tomorrow",
            "asdf qwerty zxcv",
            f"what's the weather tomorrow? text me on {PHONE}",
        ],
    ),
    (f"rv-lost2-{RUN}", ["whats the weather like in Paris tomorrow?"]),
]
FORGOTTEN = (f"rv-forget-{RUN}", [f"my secret is forgetme-{RUN} and my neck is stiff", "forget me", "yes"])
WEATHER = ("what's the weather in paris tomorrow", "whats the weather like in Paris tomorrow?")
ESCALATED = {"emergency": PLAYED[0][0], "crisis": PLAYED[1][0]}


def iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def make(target: str, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["make", "--no-print-directory", target], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# -- units: no servers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail me at jo.bloggs+neck@example.co.uk please", "mail me at [email] please"),
        ("call 07700 900123 or +44 (0)20 7946 0958", "call [phone] or [phone]"),
        ("my NHS number is 4857773456", "my NHS number is [phone]"),
        ("card 4111-1111-1111-1111", "card [phone]"),
        ("ref 123456", "ref [number]"),
        ("fever of 39.5 for 3 days, pain 8/10, since 2024", "fever of 39.5 for 3 days, pain 8/10, since 2024"),
        ("I'm 45 and it started 12 weeks ago", "I'm 45 and it started 12 weeks ago"),
    ],
)
def test_redaction(text: str, expected: str) -> None:
    assert redact.redact(text) == expected


def test_pseudonym_is_stable_and_hides_the_id() -> None:
    assert redact.pseudonym("whatsapp:+447700900123") == redact.pseudonym("whatsapp:+447700900123")
    assert "7700" not in redact.pseudonym("whatsapp:+447700900123")
    assert redact.pseudonym("a") != redact.pseudonym("b")


def _missed(text: str, guess: str = "out_of_scope") -> Missed:
    return Missed(0, "s", 0.0, text, "nlu_fallback", 0.2, guess, 0.2)


def test_one_question_in_different_words_is_one_group() -> None:
    found = groups.group(
        _missed(t)
        for t in [
            "what's the weather in paris tomorrow",
            "whats the weather like in Paris tomorrow?",
            "What is the weather in Paris tomorrow",
            "can you book me a taxi",
            "what's the weather in paris tomorrow",
        ]
    )
    assert [g.count for g in found] == [4, 1]
    assert found[0].texts[normalise("what's the weather in paris tomorrow")] == 2
    assert found[1].key == "can you book me a taxi"


def test_the_export_is_never_written_into_the_training_data(tmp_path: pathlib.Path) -> None:
    with pytest.raises(export.ExportError, match="not inside data/"):
        export.write(ROOT / "data" / "nlu" / "review.yml", [])
    assert not (ROOT / "data" / "nlu" / "review.yml").exists()


def test_stores_that_cannot_be_reviewed_say_why(tmp_path: pathlib.Path) -> None:
    with pytest.raises(StoreError, match="memory"):
        url_from_env({"TRACKER_STORE": "memory"})
    with pytest.raises(StoreError, match="No tracker store"):
        open_store(f"sqlite:///{tmp_path / 'none.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "review", "--db", f"sqlite:///{tmp_path / 'none.db'}", "report"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "No tracker store" in result.stderr


def test_prune_refuses_a_period_that_is_not_positive(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "t.db"
    sqlite3.connect(db).execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
    with pytest.raises(ValueError, match="positive"):
        prune.prune(open_store(f"sqlite:///{db}"), 0)


# -- the real store ----------------------------------------------------------------------------------------------
class Played:
    def __init__(self, stack: Stack, since: float, until: float, out: pathlib.Path) -> None:
        self.stack, self.since, self.until, self.out = stack, since, until, out

    def review(self, out: pathlib.Path, **env: str) -> Dict[str, Any]:
        make(
            "review", SINCE=iso(self.since), UNTIL=iso(self.until), OUT=str(out), EXPORT=str(out / "export.yml"), **env
        )
        return json.loads((out / "review.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def played(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Played:
    since = time.time()
    for sender, messages in [*PLAYED, FORGOTTEN]:
        for message in messages:
            stack.say(sender, message)
    until = time.time() + 0.001
    return Played(stack, since, until, tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def sqlite_review(played: Played) -> Dict[str, Any]:
    return played.review(played.out / "sqlite", TRACKER_STORE="sqlite", TRACKER_SQLITE_PATH=str(played.stack.db))


def stored_user_messages(played: Played) -> List[Dict[str, Any]]:
    with sqlite3.connect(played.stack.db) as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE type_name = 'user' AND timestamp >= ? AND timestamp < ?",
            (played.since, played.until),
        ).fetchall()
    return [json.loads(r[0]) for r in rows]


def test_the_figures_count_what_was_played(sqlite_review: Dict[str, Any], played: Played) -> None:
    r = sqlite_review
    assert r["conversations"] == len(PLAYED)  # the forgotten conversation is gone
    assert r["messages"] == sum(len(m) for _, m in PLAYED)
    assert sum(d["conversations"] for d in r["per_day"].values()) >= len(PLAYED)
    assert sum(d["messages"] for d in r["per_day"].values()) == r["messages"]
    assert r["triage_mix"]["emergency"] == 1 and r["triage_mix"]["crisis"] == 1
    assert r["triage_mix"]["self_care"] >= 1  # the finished interview's advice
    with sqlite3.connect(played.stack.db) as conn:
        started = conn.execute(
            "SELECT COUNT(*) FROM events WHERE type_name = 'active_loop' AND data LIKE '%symptom_interview_form%' "
            "AND timestamp >= ? AND timestamp < ?",
            (played.since, played.until),
        ).fetchone()[0]
    assert r["interviews"] == {"started": started, "finished": 1, "stopped": 1} and started >= 2
    assert r["causes"].get("stress_anxiety") == 1
    assert r["channels"] == {"rest": len(PLAYED)}
    assert sum(r["intents"].values()) == r["messages"]
    assert sum(r["confidence_histogram"].values()) == r["messages"]
    # not understood: the same count as the stored parse results say, read here with plain SQL and Python
    expected = sum(
        1
        for e in stored_user_messages(played)
        if e["parse_data"]["intent"]["name"] in ("nlu_fallback", "out_of_scope")
        or e["parse_data"]["intent"]["confidence"] < 0.5
    )
    assert r["not_understood"]["total"] == expected >= len(WEATHER) + 1
    assert r["not_understood"]["share"] == pytest.approx(expected / r["messages"], abs=1e-4)


def test_the_same_question_in_other_words_shows_once_with_its_count(sqlite_review: Dict[str, Any]) -> None:
    weather = [g for g in sqlite_review["not_understood_groups"] if any("weather" in w["text"] for w in g["wordings"])]
    texts = {w["text"] for g in weather for w in g["wordings"]}
    assert set(WEATHER) <= texts
    assert len([g for g in weather if set(WEATHER) & {w["text"] for w in g["wordings"]}]) == 1
    assert weather[0]["count"] >= 2
    counts = [g["count"] for g in sqlite_review["not_understood_groups"]]
    assert counts == sorted(counts, reverse=True)


def test_every_escalation_is_listed_with_its_messages_and_findings(sqlite_review: Dict[str, Any]) -> None:
    escalations = sqlite_review["escalations"]
    assert sorted(x["kind"] for x in escalations) == ["crisis", "emergency"]
    assert escalations[0]["kind"] == "crisis"  # newest first: the crisis was played after the emergency
    by_kind = {x["kind"]: x for x in escalations}
    emergency, crisis = by_kind["emergency"], by_kind["crisis"]
    assert emergency["conversation"] == redact.pseudonym(ESCALATED["emergency"])
    assert emergency["reply"].startswith("Call your local emergency number")
    assert {"fever", "stiff_neck"} <= set(emergency["findings"])
    said = [t["text"] for t in emergency["context"] if t["who"] == "user"]
    assert any("fever, a really bad headache" in t for t in said)
    assert any(t["text"].startswith("Why:") for t in emergency["context"] if t["who"] == "bot")
    assert any(r.startswith("Why:") and "meningitis" in r for r in emergency["reasons"])
    assert next(t for t in emergency["context"] if t.get("this"))["text"] == emergency["reply"]
    assert any("kill myself" in t["text"] for t in crisis["context"])


def test_forgotten_conversations_and_what_identifies_people_are_absent(
    sqlite_review: Dict[str, Any], played: Played
) -> None:
    out = played.out / "sqlite"
    page, figures, exported = (
        (out / n).read_text(encoding="utf-8") for n in ("index.html", "review.json", "export.yml")
    )
    for text in (page, figures, exported):
        assert f"forgetme-{RUN}" not in text
        assert redact.pseudonym(FORGOTTEN[0]) not in text
        assert EMAIL not in text and PHONE not in text
        assert not any(sender in text for sender, _ in PLAYED)  # sender ids are pseudonyms
    assert "[email]" in page and "[phone]" in exported
    # the store itself still has them (redaction is in the report, not the data): plain SQL
    with sqlite3.connect(played.stack.db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events WHERE data LIKE ?", (f"%{EMAIL}%",)).fetchone()[0] >= 1
        assert conn.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (FORGOTTEN[0],)).fetchone()[0] == 0


def test_the_export_is_valid_rasa_nlu_data_marked_for_review(sqlite_review: Dict[str, Any], played: Played) -> None:
    path = played.out / "sqlite" / "export.yml"
    text = path.read_text(encoding="utf-8")
    assert "TO CHECK" in text.splitlines()[1]
    document = yaml.safe_load(text)
    examples = [(i["intent"], x) for i in document["nlu"] for x in i["examples"]]
    assert all(x["metadata"]["needs_review"] is True for _, x in examples)
    exported = {x["text"] for _, x in examples}
    assert set(WEATHER) <= exported and "what's the weather tomorrow? text me on [phone]" in exported
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().read(path)
    assert len(data.intent_examples) == len(examples)
    domain_intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    assert {i for i, _ in examples} <= {i if isinstance(i, str) else next(iter(i)) for i in domain_intents}
    validate = subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "rasa"),
            "data",
            "validate",
            "--data",
            str(path),
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **BASE_ENV},
    )
    assert validate.returncode == 0, validate.stdout[-2000:] + validate.stderr[-2000:]


def test_the_report_opens_in_chromium_with_its_plots_and_tables(sqlite_review: Dict[str, Any], played: Played) -> None:
    from tests.test_browser import CHROMIUM_ARGS, _unavailable, chromium_path

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (make install)")
    if not chromium_path():
        _unavailable("no Chromium found: `apt-get install chromium` or set CHROMIUM_PATH")
    page_file = played.out / "sqlite" / "index.html"
    assert "http://" not in page_file.read_text() and "https://" not in page_file.read_text()  # nothing from outside
    shots = ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requested: List[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(page_file.as_uri())
            for plot in ("#plot-triage", "#plot-not-understood", "#plot-confidence"):
                assert page.locator(f"{plot} svg").is_visible()
                box = page.locator(f"{plot} svg").bounding_box()
                assert box and box["width"] > 500 and box["height"] > 100
            assert page.locator("#plot-triage rect").count() >= 2  # emergency and crisis bars at least
            assert page.locator("#plot-confidence rect").count() >= 1
            assert page.locator("table").count() >= 6 and page.locator("table").first.is_visible()
            assert page.locator(".entry.crisis").count() == 1
            assert "Conversation review" in page.locator("h1").inner_text()
            page.screenshot(path=str(shots / "review.png"), full_page=True)
            assert requested == [page_file.as_uri()]
        finally:
            browser.close()
    assert (shots / "review.png").stat().st_size > 10_000


# -- PostgreSQL: the same rows, the same figures; prune on both --------------------------------------------------
@pytest.fixture(scope="module")
def postgres(played: Played) -> Iterator[Postgres]:
    pg = Postgres()
    try:
        pg.start()
        source = sa.create_engine(f"sqlite:///{played.stack.db}")
        metadata = sa.MetaData()
        table = sa.Table("events", metadata, autoload_with=source)
        target = sa.create_engine(pg.url().replace("postgresql://", "postgresql+psycopg2://"))
        metadata.create_all(target)
        with source.connect() as read, target.begin() as write:
            rows = [dict(r._mapping) for r in read.execute(sa.select(table).order_by(table.c.id))]
            write.execute(table.insert(), rows)
        yield pg
    finally:
        pg.stop()


def test_postgresql_gives_the_same_figures(sqlite_review: Dict[str, Any], played: Played, postgres: Postgres) -> None:
    on_postgres = played.review(played.out / "postgres", **postgres.env())
    assert on_postgres == sqlite_review


def test_redaction_on_postgresql_checked_with_sql(
    postgres: Postgres, played: Played, sqlite_review: Dict[str, Any]
) -> None:
    with psycopg2.connect(postgres.url()) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT data FROM events WHERE type_name = 'user' AND (data LIKE %s OR data LIKE %s)",
            (f"%{EMAIL}%", f"%{PHONE}%"),
        )
        raw = [json.loads(r[0])["text"] for r in cur.fetchall()]
    assert len(raw) == 2  # the e-mail address and the phone number are stored as typed
    report = (played.out / "postgres" / "index.html").read_text() + (played.out / "postgres" / "export.yml").read_text()
    assert EMAIL not in report and PHONE not in report
    assert any(redact.redact(t) in (played.out / "postgres" / "export.yml").read_text() for t in raw)


def _age(sql_run: Any, senders: List[str], days: float) -> None:
    for sender in senders:
        sql_run("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?", (days * 86400, sender))


def test_prune_deletes_only_conversations_older_than_the_period_on_sqlite(
    played: Played, tmp_path: pathlib.Path
) -> None:
    db = tmp_path / "copy.db"
    with sqlite3.connect(played.stack.db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    old = [PLAYED[0][0], PLAYED[5][0]]
    with sqlite3.connect(db) as conn:
        _age(conn.execute, old, 40)
        # a conversation that began long ago but wrote yesterday is kept: its last message counts
        conn.execute(
            "UPDATE events SET timestamp = timestamp - 40 * 86400 WHERE sender_id = ? "
            "AND id < (SELECT MAX(id) FROM events WHERE sender_id = ?)",
            (PLAYED[2][0], PLAYED[2][0]),
        )
        before = dict(conn.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id").fetchall())
    result = make("prune", DAYS="30", TRACKER_STORE="sqlite", TRACKER_SQLITE_PATH=str(db))
    assert f"Deleted 2 conversations ({before[old[0]] + before[old[1]]} events)" in result.stdout
    with sqlite3.connect(db) as conn:
        after = dict(conn.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id").fetchall())
    assert not set(old) & set(after)
    assert after == {s: n for s, n in before.items() if s not in old}


def test_prune_on_postgresql(postgres: Postgres, played: Played) -> None:
    old = [PLAYED[1][0]]
    with psycopg2.connect(postgres.url()) as conn, conn.cursor() as cur:
        _age(lambda sql, args: cur.execute(sql.replace("?", "%s"), args), old, 100)
        cur.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")
        before = dict(cur.fetchall())
    result = make("prune", DAYS="90", **postgres.env())
    assert f"Deleted 1 conversation ({before[old[0]]} events)" in result.stdout
    with psycopg2.connect(postgres.url()) as conn, conn.cursor() as cur:
        cur.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")
        after = dict(cur.fetchall())
    assert after == {s: n for s, n in before.items() if s not in old}
    make_bad = subprocess.run(["make", "--no-print-directory", "prune"], cwd=ROOT, capture_output=True, text=True)
    assert make_bad.returncode != 0 and "DAYS=N" in make_bad.stderr
