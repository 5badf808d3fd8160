"""Where the Rasa server's time per message goes, node by node of the prediction graph.

Loads the trained model in this process (no server), parses the realistic mix's messages
(``scripts/bench.realistic_messages``) and prints, per graph node, the mean and total milliseconds of
one core it took. An inner loop for ``make bench``'s p95: a figure, not a test.

    PYTHONPATH=. .venv/bin/python scripts/experiments/node_cost.py [--messages 400]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    args = parser.parse_args()

    from rasa.core.agent import Agent
    from rasa.engine.graph import GraphNode

    from scripts.bench import realistic_messages

    spent: dict = collections.defaultdict(float)
    calls: dict = collections.Counter()
    original = GraphNode.__call__

    def timed(self, *inputs):
        start = time.perf_counter()
        try:
            return original(self, *inputs)
        finally:
            spent[self._node_name] += time.perf_counter() - start
            calls[self._node_name] += 1

    GraphNode.__call__ = timed
    agent = Agent.load(str(ROOT / "models" / "neck-assistant.tar.gz"))
    texts = [m for conversation in realistic_messages() for m in conversation][: args.messages]

    async def parse_all() -> float:
        for text in texts[:20]:  # warm-up
            await agent.parse_message(text)
        spent.clear()
        calls.clear()
        start = time.perf_counter()
        for text in texts:
            await agent.parse_message(text)
        return time.perf_counter() - start

    wall = asyncio.run(parse_all())
    n = len(texts)
    print(f"{n} messages parsed, {1000 * wall / n:.2f} ms per message (one core, NLU only)")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:60s} {1000 * seconds / n:7.2f} ms/message")


if __name__ == "__main__":
    main()
