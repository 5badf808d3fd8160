"""Benchmark of ``make review`` (and ``make prune``) on a generated tracker store: prints time and peak memory.

Generates N conversations (default 100,000) over 90 days in Rasa's own ``events`` table (created by the
project's tracker store class, so the schema and index are Rasa's), as the Rasa server stores them:
greetings, cause questions, symptom interviews finished and stopped, emergencies with findings, crisis
replies, messages not understood in many wordings, on several channels. Then it runs the review in a
fresh process on SQLite and on PostgreSQL and prints how long it took and the process's peak memory,
then prunes conversations older than 60 days. A measurement, not a test: nothing here passes or fails.

    python scripts/bench_review.py [--conversations 100000] [--postgres-url URL] [--keep DIR]

PostgreSQL: a temporary server from the system packages (as the tests start it), or ``--postgres-url``
(an empty database: the events table is created there). ``--skip-postgres`` measures SQLite only.
"""

from __future__ import annotations

import argparse
import io
import json
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAY = 86400.0
COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
CHANNELS = [("rest", 0.45), ("socketio", 0.3), ("telegram", 0.1), ("twilio", 0.08), ("facebook", 0.05), ("slack", 0.02)]
LOST = [
    "whats the weather tomorrow",
    "what's the weather like tomorrow?",
    "can you book me an appointment",
    "can u book me a doctor appointment pls",
    "how much does a physio cost",
    "what does a physio cost near me",
    "asdfgh",
    "do you do video calls",
    "are you a real doctor",
    "my knee hurts when I run",
    "is the pharmacy open on sunday",
    "qué causa el dolor de cuello",
]
CAUSES = ["muscle_strain", "poor_posture", "stress_anxiety", "cervical_spondylosis", "whiplash", "herniated_disc"]


class Writer:
    """Events of one conversation at a time, in Rasa's JSON format."""

    def __init__(self, sender: str, start: float, channel: str) -> None:
        self.sender, self.t, self.channel = sender, start, channel
        self.rows: List[Tuple[Any, ...]] = []

    def _add(
        self, type_name: str, data: Dict[str, Any], intent: Optional[str] = None, action: Optional[str] = None
    ) -> None:
        self.t += random.uniform(0.05, 0.5)
        data = {"event": type_name, "timestamp": self.t, **data}
        self.rows.append((self.sender, type_name, self.t, intent, action, json.dumps(data)))

    def action(self, name: str) -> None:
        self._add("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)

    def user(
        self, text: str, intent: str, confidence: float, ranking: Optional[List[Tuple[str, float]]] = None
    ) -> None:
        self.t += random.uniform(5, 90)
        ranking = ranking or [(intent, confidence)]
        parse = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "text": text,
            "message_id": uuid.uuid4().hex,
            "metadata": {},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
        self._add(
            "user",
            {"text": text, "parse_data": parse, "input_channel": self.channel, "message_id": parse["message_id"]},
            intent=intent,
        )

    def bot(self, text: str, custom: Optional[Dict[str, Any]] = None) -> None:
        self._add("bot", {"text": text, "data": {"custom": custom}, "metadata": {}})

    def slot(self, name: str, value: Any) -> None:
        self._add("slot", {"name": name, "value": value}, action=name)

    def loop(self, name: Optional[str]) -> None:
        self._add("active_loop", {"name": name}, action=name)

    def listen(self) -> None:
        self.action("action_listen")


def conversation(i: int, start: float) -> List[Tuple[Any, ...]]:
    channel = random.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    w = Writer(f"{channel}-{i:06d}-{uuid.uuid4().hex[:6]}", start, channel)
    w.action("action_session_start")
    w.listen()
    kind = random.random()
    if random.random() < 0.5:
        w.user("hi", "greet", 0.99)
        w.action("utter_greet")
        w.bot("Hi! I'm an assistant that explains what can cause neck spasms and neck pain.")
        w.listen()
    if kind < 0.04:  # emergency
        w.user(f"fever and my neck is so stiff, call me on 07700 9{i % 100000:05d}", "report_red_flag", 0.97)
        w.action("action_triage")
        w.bot("Call your local emergency number now.", {"triage": "emergency"})
        w.bot("Why: A fever together with a stiff neck can be a sign of meningitis.")
        w.slot("red_flag_findings", ["fever", "stiff_neck"])
        w.slot("triage_level", "emergency")
        w.listen()
    elif kind < 0.05:  # crisis
        w.user("I can't go on, I want to end it", "crisis", 1.0)
        w.action("action_crisis")
        w.bot(
            "I'm really sorry you're feeling like this. Call your local emergency number now.",
            {"triage": "emergency", "crisis": True},
        )
        w.listen()
    elif kind < 0.25:  # interview
        w.user("my neck has been spasming", "describe_symptoms", 0.95)
        w.action("symptom_interview_form")
        w.loop("symptom_interview_form")
        w.bot("How long have you had it?")
        w.listen()
        answers = ["a few days", "every day", "4", "looking at my phone", "none of these"]
        stop = random.random() < 0.3
        for n, answer in enumerate(answers):
            w.user(answer, "describe_symptoms" if not (stop and n == 2) else "stop", 0.9)
            if stop and n == 2:
                w.action("action_deactivate_loop")
                w.loop(None)
                w.action("action_interview_summary")
                w.bot("Okay, we can stop here.")
                w.listen()
                break
            w.action("symptom_interview_form")
            if n == len(answers) - 1:
                w.loop(None)
                w.action("action_interview_summary")
                level = random.choice(["self_care", "self_care", "see_doctor", "urgent"])
                w.bot("Here is what I'd suggest.", {"triage": level})
                w.bot("Possible causes.", {"causes": ["muscle_strain", "poor_posture"]})
            else:
                w.bot("Next question?")
            w.listen()
    else:  # cause questions, some not understood
        for _ in range(random.randint(1, 4)):
            if random.random() < 0.25:
                text = random.choice(LOST)
                fallback = random.random() < 0.5
                intent, conf = ("nlu_fallback", 0.3) if fallback else ("out_of_scope", random.uniform(0.4, 1.0))
                w.user(text, intent, conf, [(intent, conf), ("ask_cause", 0.2), ("greet", 0.1)])
                w.action("action_fallback" if fallback else "utter_out_of_scope")
                w.bot("Sorry, I didn't quite get that.")
            else:
                cause = random.choice(CAUSES)
                w.user(f"tell me about {cause.replace('_', ' ')}", "ask_cause", random.uniform(0.6, 1.0))
                w.action("action_explain_cause")
                w.bot(f"{cause} can cause neck spasms.", {"cause": cause})
            w.listen()
    return w.rows


def generate(n: int, days: int = 90, seed: int = 7) -> Iterator[List[Tuple[Any, ...]]]:
    random.seed(seed)
    now = time.time()
    batch: List[Tuple[Any, ...]] = []
    for i in range(n):
        batch += conversation(i, now - random.uniform(0, days) * DAY)
        if len(batch) >= 20000:
            yield batch
            batch = []
    if batch:
        yield batch


def create_table(url: str) -> None:
    """Rasa's events table and index, created by the project's tracker store class."""
    import sqlalchemy as sa

    from stores.tracker_store import ForgettingSQLTrackerStore

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        ForgettingSQLTrackerStore(dialect="sqlite", db=parsed.database)
    else:
        ForgettingSQLTrackerStore(
            dialect="postgresql", host=parsed.host, port=parsed.port, db=parsed.database, username=parsed.username
        )


def fill_sqlite(path: pathlib.Path, n: int) -> int:
    import sqlite3

    rows = 0
    with sqlite3.connect(path) as conn:
        for batch in generate(n):
            conn.executemany(f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", batch)
            rows += len(batch)
    return rows


def fill_postgres(url: str, n: int) -> int:
    import psycopg2

    rows = 0
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for batch in generate(n):
            buffer = io.StringIO()
            for row in batch:
                buffer.write(
                    "\t".join(
                        "\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                        for v in row
                    )
                    + "\n"
                )
            buffer.seek(0)
            cur.copy_from(buffer, "events", columns=COLUMNS)
            rows += len(batch)
    return rows


MEASURE = """
import json, re, sys, time
sys.path.insert(0, {root!r})
start = time.perf_counter()
from review.__main__ import main
code = main({argv!r})
seconds = time.perf_counter() - start
# VmHWM: this process's peak resident memory (ru_maxrss would include the parent's at fork time)
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
print(json.dumps({{"code": code, "seconds": seconds, "peak_mib": peak / 1024}}))
"""


def measure(argv: List[str]) -> Dict[str, Any]:
    """Run the review command in a fresh Python process; its wall time (imports included) and peak resident
    memory."""
    code = MEASURE.format(root=str(ROOT), argv=argv)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    lines = result.stdout.strip().splitlines()
    print("   ", "\n    ".join(lines[:-1]))
    return dict(json.loads(lines[-1]))


def bench(name: str, url: str, out: pathlib.Path) -> None:
    report = measure(["--db", url, "report", "--out", str(out / name), "--export", str(out / f"{name}-export.yml")])
    print(f"  {name}: make review {report['seconds']:.1f} s, peak memory {report['peak_mib']:.0f} MiB")
    pruned = measure(["--db", url, "prune", "--days", "60"])
    print(f"  {name}: make prune DAYS=60 {pruned['seconds']:.1f} s, peak memory {pruned['peak_mib']:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database (default: start a temporary one)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", type=pathlib.Path, help="keep the SQLite file and the reports in this folder")
    args = parser.parse_args()
    work = args.keep or pathlib.Path(tempfile.mkdtemp(prefix="bench-review-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "tracker.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    create_table(url)
    started = time.perf_counter()
    rows = fill_sqlite(db, args.conversations)
    print(
        f"Generated {args.conversations:,} conversations ({rows:,} events, {db.stat().st_size / 2**20:.0f} MiB) "
        f"in SQLite in {time.perf_counter() - started:.0f} s"
    )
    bench("SQLite", url, work)
    if not args.skip_postgres:
        postgres = None
        pg_url = args.postgres_url
        if not pg_url:
            from tests.servers import Postgres

            postgres = Postgres().start()
            pg_url = postgres.url()
        try:
            create_table(pg_url)
            started = time.perf_counter()
            rows = fill_postgres(pg_url, args.conversations)
            seconds = time.perf_counter() - started
            print(f"Generated {args.conversations:,} conversations ({rows:,} events) in PostgreSQL in {seconds:.0f} s")
            bench("PostgreSQL", pg_url.replace("postgresql://", "postgresql+psycopg2://", 1), work)
        finally:
            if postgres is not None:
                postgres.stop()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
