"""What the Rasa server of this project patches into Rasa when it starts.

Called by the project's REST channel and tracker store (whichever Rasa creates first; a second call
changes nothing), so that every way of starting the server (``make run``, docker-compose, the tests)
gets the same behaviour:

- ``action_client``: an apology (with the emergency instruction first when the message carried a red
  flag) when the action server is down; lean action calls.
- ``turn_gate``: a few turns at a time per process, the others queued in arrival order.
- ``graph_runner``: the prediction graph run from a cached plan instead of through dask.
- ``http_session``: kept-alive connections to the action server instead of one per call.
- ``fast_predict``: DIET's concrete TensorFlow graph called directly.
- ``nlu_thread``: messages parsed on their own thread (TensorFlow beside the event loop).
"""

from __future__ import annotations

from addons import action_client, fast_predict, graph_runner, http_session, nlu_thread, turn_gate


def install() -> None:
    action_client.install()
    turn_gate.install()
    graph_runner.install()
    http_session.install()
    fast_predict.install()
    nlu_thread.install()
