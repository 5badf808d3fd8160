"""Runs Rasa's prediction graph without rebuilding its plan on every call.

Rasa runs its graph twice or more per message (once to parse it, once per predicted action) through
``DaskGraphRunner.run``, which each time walks the schema to find the nodes the targets need (a
recursion that visits shared ancestors once per path), builds a dask graph and hands it to dask's
local scheduler. Under ``make bench`` that bookkeeping was a noticeable share of the Rasa server's CPU
time (README, "Benchmark"). The nodes themselves are cheap to call in order.

``install()`` replaces ``DaskGraphRunner.run`` with :func:`run`, which computes the execution order of
each set of targets once (a depth-first topological order over the same schema) and then calls the
same ``GraphNode`` objects in that order with the same arguments dask would pass them: each needed
node's ``(name, output)`` pair, a provided input as ``(name, value)``, and the bare name of a needed
node that is not in the graph (``GraphNode`` then logs that it was not resolved). An exception raised
by a node propagates as it does from dask, and a ``RuntimeError`` becomes ``GraphRunError`` as before.
Training keeps dask: only the Rasa server installs this (patches.install, from scripts/run_rasa.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

from patches.patching import Patch

logger = logging.getLogger(__name__)

PLAN = "_neck_plans"  # attribute of a runner: {targets: [(node name, [names it needs, in order])]}


def execution_plan(schema: GraphSchema, targets: Sequence[str]) -> List[Tuple[str, List[str]]]:
    """The nodes ``targets`` depend on (themselves included), each after the nodes it needs."""
    order: List[Tuple[str, List[str]]] = []
    done: set = set()
    for target in targets:
        if target in done or target not in schema.nodes:
            continue
        stack: List[Tuple[str, bool]] = [(target, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done:
                continue
            needs = list(schema.nodes[name].needs.values())
            if expanded:
                done.add(name)
                order.append((name, needs))
                continue
            stack.append((name, True))
            for need in reversed(needs):
                if need in schema.nodes and need not in done:
                    stack.append((need, False))
    return order


def run(
    self: DaskGraphRunner, inputs: Optional[Dict[str, Any]] = None, targets: Optional[List[str]] = None
) -> Dict[str, Any]:
    """``DaskGraphRunner.run`` with a cached execution plan and no scheduler."""
    run_targets = targets if targets else self._graph_schema.target_names
    plans: Dict[Tuple[str, ...], List[Tuple[str, List[str]]]] = self.__dict__.setdefault(PLAN, {})
    key = tuple(run_targets)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = execution_plan(self._graph_schema, run_targets)

    results: Dict[str, Any] = {}
    if inputs:
        self._add_inputs_to_graph(inputs, {name: None for name, _ in plan})  # same clash check as Rasa's
        results.update((name, (name, value)) for name, value in inputs.items())
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(f"Running graph with targets: {targets} and {self._execution_context}.")
    nodes = self._instantiated_nodes
    try:
        for name, needs in plan:
            results[name] = nodes[name](*(results.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(results[target] for target in run_targets)


_patch = Patch(DaskGraphRunner, "run", run)
_original_run = _patch.original
install, uninstall = _patch.install, _patch.uninstall
