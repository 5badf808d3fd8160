"""Runs Rasa's prediction graph without rebuilding its plan on every call.

Rasa runs its graph twice or more per message (once to parse it, once per predicted action) through
``DaskGraphRunner.run``, which each time walks the schema to find the nodes the targets need (a
recursion that visits shared ancestors once per path), builds a dask graph and hands it to dask's
local scheduler. Under ``make bench`` that bookkeeping was a noticeable share of the Rasa server's CPU
time (README, "Benchmark"). The nodes themselves are cheap to call in order.

:class:`PlannedGraphRunner` is a runner of its own behind Rasa's ``GraphRunner`` interface
(``rasa.engine.runner.interface``: ``create()`` and ``run()``). It builds its ``GraphNode`` objects,
and checks its inputs, with ``DaskGraphRunner``'s own static methods; it computes the execution order
of each set of targets once (a depth-first topological order over the same schema) and then calls the
nodes in that order with the same arguments dask would pass them: each needed node's
``(name, output)`` pair, a provided input as ``(name, value)``, and the bare name of a needed node
that is not in the graph (``GraphNode`` then logs that it was not resolved). An exception raised by a
node propagates as it does from dask, and a ``RuntimeError`` becomes ``GraphRunError`` as before.

Rasa's model loader (``rasa.engine.loader.load_predict_graph_runner``) takes the runner class as an
argument, but its one caller in the server, ``MessageProcessor._load_model``, passes the name
``DaskGraphRunner`` it imported into ``rasa.core.processor``. ``install()`` rebinds that one name to
:class:`PlannedGraphRunner` (``uninstall()`` puts Rasa's back): no Rasa class is modified, models loaded
afterwards get this runner, and training (``rasa.model_training``, its own ``DaskGraphRunner``) keeps
dask. Only the Rasa server installs it (patches.install, from scripts/run_rasa.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphNode, GraphNodeHook, GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.runner.interface import GraphRunner
from rasa.engine.storage.storage import ModelStorage

from patches.patching import Patch

logger = logging.getLogger(__name__)

Plan = List[Tuple[str, List[str]]]  # [(node name, [names it needs, in order])], each node after its needs


def execution_plan(schema: GraphSchema, targets: Sequence[str]) -> Plan:
    """The nodes ``targets`` depend on (themselves included), each after the nodes it needs."""
    order: Plan = []
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


class PlannedGraphRunner(GraphRunner):
    """A ``GraphRunner`` that calls the graph's nodes in a cached execution order instead of through dask."""

    def __init__(
        self,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> None:
        self._graph_schema = graph_schema
        # the same nodes as Rasa's runner, built by its own (static) method; tests/test_fast_diet.py reads this
        # attribute under the same name on either runner
        self._instantiated_nodes: Dict[str, GraphNode] = DaskGraphRunner._instantiate_nodes(
            graph_schema, model_storage, execution_context, hooks
        )
        self._execution_context = execution_context
        self._plans: Dict[Tuple[str, ...], Plan] = {}

    @classmethod
    def create(
        cls,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> PlannedGraphRunner:
        """Creates the runner (see ``GraphRunner.create``)."""
        return cls(graph_schema, model_storage, execution_context, hooks)

    def plan(self, targets: Sequence[str]) -> Plan:
        """The execution plan of ``targets``, computed on first use and then cached."""
        key = tuple(targets)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = execution_plan(self._graph_schema, targets)
        return plan

    def run(self, inputs: Optional[Dict[str, Any]] = None, targets: Optional[List[str]] = None) -> Dict[str, Any]:
        """Runs the graph (see ``GraphRunner.run``): what ``DaskGraphRunner.run`` returns, without dask."""
        run_targets = targets if targets else self._graph_schema.target_names
        plan = self.plan(run_targets)

        results: Dict[str, Any] = {}
        if inputs:
            # Rasa's own (static) check that no input value clashes with a node of the run
            DaskGraphRunner._add_inputs_to_graph(inputs, {name: None for name, _ in plan})
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


# MessageProcessor._load_model reads the module-level name at call time: rebinding it is enough.
_patch = Patch(rasa.core.processor, "DaskGraphRunner", PlannedGraphRunner)
install, uninstall = _patch.install, _patch.uninstall
