"""`make bench`: load test of the REST webhook, this project's stack against Rasa's default pipeline.

For each stack, one after the other in the same run: train the model if its inputs changed (cached in
build/bench/, with the training time), start the action server and a Rasa server on free loopback
ports, warm up, then run CONVERSATIONS scripted
conversations, CONCURRENCY at a time, each message waiting for its reply as a person would. Stops
after MAX_SECONDS. Prints p50/p95/p99 latency, throughput, the Rasa server's peak RSS (VmHWM), both
servers' CPU time per message (a steadier figure than latency on a shared machine), training time and
model size, the ratios, and writes reports/bench.json and reports/bench-latency.png.

    python scripts/bench.py [--conversations 120] [--concurrency 10] [--max-seconds 180] [--mix realistic]
                            [--stacks project,project-2w,default] [--workers 2]

"project" is this project's full stack as `make run` deploys it by default (config.yml, its SQLite
tracker store, its REST channel, its add-ons, one Rasa process with the in-memory lock store).
"project-2w" is the same model served as on one machine with Redis (README, "Deploying at scale"):
SANIC_WORKERS=2 Rasa worker processes sharing a Redis lock store (a redis-server started on loopback;
skipped with a message when redis-server is not installed) and the same SQLite file. "default" is
stock Rasa: the `rasa init` pipeline and policies (configs/config-rasa-default.yml) trained on the
same data and domain, Rasa's SQLTrackerStore on an SQLite file and Rasa's rest channel. All call the
same action server. Peak RSS is the sum over the Rasa server's processes.

Timings depend on the machine and on what else runs on it: repeat a run before trusting a difference.
This is not part of `make test` (no timed assertions in tests).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import json
import os
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

import aiohttp
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import Server, action_server, endpoints_file, free_port  # noqa: E402

BIN = pathlib.Path(sys.executable).parent
BENCH_DIR = ROOT / "build" / "bench"
REPORTS = ROOT / "reports"
STACKS = {
    "project": ROOT / "config.yml",
    "project-2w": ROOT / "config.yml",
    "default": ROOT / "configs" / "config-rasa-default.yml",
}
THROUGHPUT_RATIO = 3  # the target: at least this many times the default stack's throughput (issue 13)
MODEL_NAME = {"project": "project", "project-2w": "project", "default": "default"}

# A realistic mix: openers, questions about causes, follow-ups that use the conversation's state,
# symptom descriptions, advice, the odd red flag, typos, small talk and goodbyes.
OPENERS = ["hi", "hello there", "good morning", "hey, can you help me?", "what can you do?"]
QUESTIONS = [
    ["what causes neck spasms?", "what else?", "tell me more"],
    ["can stress cause neck spasms?", "how is it treated?", "how can I prevent it?"],
    ["what is a slipped disc?", "when should I see a doctor?"],
    ["my neck keeps cramping after a day at my desk", "how do I prevent it?"],
    ["i slept awkwardly and now my neck is stiff", "what helps?"],
    ["what is cervical dystonia?", "yes"],
    ["can dehidration cause neck cramps?", "how is it treated?"],
    ["tell me about whiplash", "what are the symptoms?"],
    ["I have a fever and my neck is very stiff"],
    ["my arm has gone numb since the car crash"],
    ["how do I stop neck spasms?", "and when do I need a doctor?"],
    ["what's the weather like?"],
    ["are you a bot?"],
]
CLOSERS = ["thanks", "thank you, bye", "ok bye", "that helps, thanks"]


def conversation(rng: random.Random, mix: str = "scripted") -> List[str]:
    messages = [rng.choice(OPENERS)]
    if mix == "realistic":
        pool = realistic_messages()
        for _ in range(rng.randint(1, 3)):
            messages += rng.choice(pool)
    else:
        for script in rng.sample(QUESTIONS, k=rng.randint(1, 2)):
            messages += script
    messages.append(rng.choice(CLOSERS))
    return messages


@functools.lru_cache(maxsize=1)
def realistic_messages() -> List[List[str]]:
    """What real people send: the public real-words messages (tests/nlu_realwords/) and the triage
    evaluation's cases (tests/triage_eval/: long descriptions, red flags, conversations over turns),
    each a list of turns. Read here for load only; nothing is trained on them."""
    turns: List[List[str]] = []
    for path in sorted((ROOT / "tests" / "nlu_realwords").glob("*.yml")):
        for case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or []:
            turns.append([str(case["text"])])
    for path in sorted((ROOT / "tests" / "triage_eval").glob("*/*.yml")):
        for case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or []:
            if case.get("conversation"):
                turns.append([str(m) for m in case["conversation"]])
            elif case.get("text"):
                turns.append([str(case["text"])])
    return turns


@dataclass
class Result:
    stack: str
    config: str
    messages: int = 0
    errors: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    mean_ms: float = 0.0
    throughput: float = 0.0
    peak_rss_mb: float = 0.0
    rasa_cpu_ms: float = 0.0  # the Rasa server's CPU time per message (all its processes)
    actions_cpu_ms: float = 0.0  # the action server's CPU time per message
    train_seconds: float = 0.0
    model_mb: float = 0.0
    latencies_ms: List[float] = field(default_factory=list)


# -- training, cached ------------------------------------------------------------------------------------------
def fingerprint(config: pathlib.Path) -> str:
    """What the model depends on: YAML files by content (comments do not count), and the code of the
    project's components and policies the config names (not the tracker store or the channels, which
    run at serve time)."""
    digest = hashlib.sha256()
    inputs = [config, ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    named = {step.get("name", "") for step in [*settings.get("pipeline", []), *settings.get("policies", [])]}
    inputs += [
        ROOT.joinpath(*n.split(".")[:-1]).with_suffix(".py")
        for n in sorted(named)
        if n.startswith(("components.", "policies."))
    ]
    for path in inputs:
        digest.update(str(path.relative_to(ROOT)).encode())
        if path.suffix == ".yml":
            digest.update(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), sort_keys=True).encode())
        else:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def trained_model(name: str, config: pathlib.Path) -> tuple:
    """(model path, training seconds), training only when the config, data or domain changed."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    model, meta = BENCH_DIR / f"{name}.tar.gz", BENCH_DIR / f"{name}.json"
    fp = fingerprint(config)
    if model.exists() and meta.exists():
        saved = json.loads(meta.read_text())
        if saved.get("fingerprint") == fp:
            print(f"[{name}] model up to date ({model.relative_to(ROOT)}, trained in {saved['train_seconds']:.0f} s)")
            return model, float(saved["train_seconds"])
    print(f"[{name}] training with {config.relative_to(ROOT)} ...", flush=True)
    start = time.monotonic()
    command = [str(BIN / "rasa"), "train", "--config", str(config), "--out", str(BENCH_DIR)]
    command += ["--fixed-model-name", name, "--quiet"]
    with tempfile.TemporaryDirectory(prefix="neck-bench-cache-") as cache:  # no reuse of `make train`'s cache
        env = {**server_env(), "RASA_CACHE_DIRECTORY": cache}
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    meta.write_text(json.dumps({"fingerprint": fp, "train_seconds": seconds}))
    print(f"[{name}] trained in {seconds:.0f} s")
    return model, seconds


def server_env() -> Dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def _tree(pid: int) -> List[int]:
    """pid and all its descendants (Sanic forks one process per worker)."""
    children: Dict[int, List[int]] = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += children.get(current, [])
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the process and its children, in seconds."""
    total = 0
    for one in _tree(pid):
        try:
            fields = pathlib.Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) summed over the process and its children."""
    total = 0.0
    for member in _tree(pid):
        try:
            lines = pathlib.Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:"))
    return total


# -- load -------------------------------------------------------------------------------------------------------
async def run_load(
    url: str, conversations: int, concurrency: int, max_seconds: float, seed: int, mix: str = "scripted"
) -> tuple:
    rng = random.Random(seed)
    scripts = [conversation(rng, mix) for _ in range(conversations)]
    queue: asyncio.Queue = asyncio.Queue()
    for i, script in enumerate(scripts):
        queue.put_nowait((f"bench-{seed}-{i}", script))
    latencies: List[float] = []
    errors = 0
    deadline = time.monotonic() + max_seconds
    timeout = aiohttp.ClientTimeout(total=120)

    async def user() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            try:
                sender, script = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            # One connection per conversation, as each person's browser or channel has its own (with
            # several worker processes the kernel spreads new connections over them).
            async with aiohttp.ClientSession(timeout=timeout) as session:
                for message in script:
                    if time.monotonic() >= deadline:
                        return
                    start = time.perf_counter()
                    try:
                        async with session.post(url, json={"sender": sender, "message": message}) as response:
                            await response.read()
                            ok = response.status == 200
                    except aiohttp.ClientError:
                        ok = False
                    latencies.append((time.perf_counter() - start) * 1000)
                    errors += 0 if ok else 1

    start = time.monotonic()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.monotonic() - start
    return latencies, errors, elapsed


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def bench_stack(
    name: str, config: pathlib.Path, args: argparse.Namespace, actions_port: int, tmp: pathlib.Path, actions_pid: int
) -> Result:
    model, train_seconds = trained_model(MODEL_NAME[name], config)
    db = tmp / f"tracker-{name}.db"
    server_env: Dict[str, str] = {}
    redis: Any = None
    if name.startswith("project"):  # the project's endpoints, channels and settings, as `make run` uses them
        server_env.update(TF_INTRA_OP_PARALLELISM_THREADS="1", TF_INTER_OP_PARALLELISM_THREADS="1")  # serve.sh
        lock_env: Dict[str, str] = {}
        if name == "project-2w":
            from tests.servers import Redis

            redis = Redis().start()
            lock_env = redis.env()
            server_env["SANIC_WORKERS"] = str(args.workers)
        endpoints = endpoints_file(
            tmp / f"endpoints-{name}.yml",
            ACTION_PORT=str(actions_port),
            TRACKER_STORE="sqlite",
            TRACKER_SQLITE_PATH=str(db),
            **lock_env,
        )
        credentials = ROOT / "credentials.yml"
    else:  # stock Rasa: its SQL tracker store on an SQLite file and its rest channel
        endpoints = tmp / f"endpoints-{name}.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
            f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {db}\n"
        )
        credentials = tmp / "credentials-rest.yml"
        credentials.write_text("rest:\n")
    port = free_port()
    # the project's server through its entry point (the patches); the default stack is stock Rasa
    entry = (
        [sys.executable, str(ROOT / "scripts" / "run_rasa.py")] if name.startswith("project") else [str(BIN / "rasa")]
    )
    command = [*entry, "run", "--model", str(model), "--endpoints", str(endpoints)]
    command += ["--credentials", str(credentials), "--interface", "127.0.0.1", "--port", str(port)]
    server = Server(f"Rasa server ({name})", command, tmp / f"rasa-{name}.log", f"http://127.0.0.1:{port}/", server_env)
    server.start()
    try:
        server.wait_ready(600)
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        asyncio.run(run_load(url, 4, 2, 60, seed=999, mix=args.mix))  # warm-up: first TensorFlow calls are slow
        print(f"[{name}] {args.conversations} conversations, {args.concurrency} at a time ...", flush=True)
        assert server.proc is not None
        cpu_before = cpu_seconds(server.proc.pid), cpu_seconds(actions_pid)
        latencies, errors, elapsed = asyncio.run(
            run_load(url, args.conversations, args.concurrency, args.max_seconds, seed=args.seed, mix=args.mix)
        )
        cpu_used = cpu_seconds(server.proc.pid) - cpu_before[0], cpu_seconds(actions_pid) - cpu_before[1]
        rss = peak_rss_mb(server.proc.pid)
    finally:
        server.stop()
        if redis is not None:
            redis.stop()
    return Result(
        stack=name,
        config=str(config.relative_to(ROOT)),
        messages=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        mean_ms=statistics.fmean(latencies) if latencies else 0.0,
        throughput=len(latencies) / elapsed if elapsed else 0.0,
        peak_rss_mb=rss,
        rasa_cpu_ms=1000 * cpu_used[0] / max(1, len(latencies)),
        actions_cpu_ms=1000 * cpu_used[1] / max(1, len(latencies)),
        train_seconds=train_seconds,
        model_mb=model.stat().st_size / 1e6,
        latencies_ms=latencies,
    )


def print_table(results: List[Result], args: argparse.Namespace) -> None:
    print()
    print(
        f"REST webhook, loopback, {args.concurrency} concurrent conversations, seed {args.seed}, {os.cpu_count()} CPUs"
    )
    header = f"{'stack':<11} {'msgs':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'msg/s':>7}"
    header += f" {'peak RSS MB':>12} {'train s':>8} {'model MB':>9} {'CPU ms/msg: rasa':>16} {'actions':>7}"
    print(header)
    for r in results:
        print(
            f"{r.stack:<11} {r.messages:>5} {r.errors:>4} {r.p50_ms:>8.0f} {r.p95_ms:>8.0f} {r.p99_ms:>8.0f} "
            f"{r.throughput:>7.1f} {r.peak_rss_mb:>12.0f} {r.train_seconds:>8.0f} {r.model_mb:>9.1f}"
            f" {r.rasa_cpu_ms:>16.1f} {r.actions_cpu_ms:>7.1f}"
        )
    by = {r.stack: r for r in results}
    d = by.get("default")
    for p in (r for r in results if r.stack != "default"):
        if d is not None and d.throughput and d.p95_ms:
            print(
                f"{p.stack} / default: throughput x{p.throughput / d.throughput:.2f}, p95 x{p.p95_ms / d.p95_ms:.2f}, "
                f"peak RSS x{p.peak_rss_mb / d.peak_rss_mb:.2f}, training time x{p.train_seconds / d.train_seconds:.2f}"
            )
        ok95 = p.p95_ms <= 150
        ok_ratio = d is not None and p.throughput >= THROUGHPUT_RATIO * d.throughput
        print(
            f"{p.stack} targets: p95 <= 150 ms at {args.concurrency} concurrent: {'met' if ok95 else 'NOT met'}; "
            f"throughput >= {THROUGHPUT_RATIO}x default: {'met' if ok_ratio else 'NOT met' if d else 'not measured'}"
        )


def plot(results: List[Result], path: pathlib.Path, args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for r in results:
        ordered = sorted(r.latencies_ms)
        if not ordered:
            continue
        share = [(i + 1) / len(ordered) * 100 for i in range(len(ordered))]
        left.plot(ordered, share, label=f"{r.stack} (p95 {r.p95_ms:.0f} ms)")
        right.plot(r.latencies_ms, ".", markersize=2, label=r.stack)
    left.axvline(150, color="grey", linestyle="--", linewidth=1)
    left.set_xlabel("latency (ms)")
    left.set_ylabel("% of messages answered within")
    left.set_title(f"Latency, {args.concurrency} concurrent conversations")
    left.legend()
    right.set_xlabel("message (in completion order)")
    right.set_ylabel("latency (ms)")
    right.set_title("Latency over the run")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--stacks", default="project,project-2w,default", help="comma-separated: project, project-2w, default"
    )
    parser.add_argument("--workers", type=int, default=2, help="Rasa worker processes of project-2w")
    parser.add_argument(
        "--mix",
        choices=["scripted", "realistic"],
        default="scripted",
        help="scripted: short scripted turns; realistic: real people's messages (long descriptions, red flags)",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.stacks.split(",") if n.strip()]
    unknown = set(names) - set(STACKS)
    if unknown:
        parser.error(f"unknown stacks: {', '.join(sorted(unknown))}")

    REPORTS.mkdir(exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="neck-bench-"))
    actions_port = free_port()
    actions = action_server(tmp, actions_port).start()
    results: List[Result] = []
    try:
        actions.wait_ready()
        for name in names:
            try:
                assert actions.proc is not None
                results.append(bench_stack(name, STACKS[name], args, actions_port, tmp, actions.proc.pid))
            except BaseException as error:  # tests.servers skips (pytest's Skipped) when redis-server is missing
                if type(error).__name__ != "Skipped":
                    raise
                print(f"[{name}] skipped: {error}")
    finally:
        actions.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print_table(results, args)
    summary: Dict[str, Any] = {
        "concurrency": args.concurrency,
        "conversations": args.conversations,
        "seed": args.seed,
        "mix": args.mix,
        "results": [{k: v for k, v in asdict(r).items() if k != "latencies_ms"} for r in results],
    }
    (REPORTS / "bench.json").write_text(json.dumps(summary, indent=2))
    plot(results, REPORTS / "bench-latency.png", args)
    print(f"wrote {REPORTS / 'bench.json'} and {REPORTS / 'bench-latency.png'}")
    errors: Optional[int] = sum(r.errors for r in results)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
