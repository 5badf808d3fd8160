"""Speed-ups for the Rasa server found by profiling `make bench` (README, "Benchmark").

``install()`` replaces ``RemoteAction._validate_action_result``: Rasa 3.6 calls ``jsonschema.validate``
on every action server response, which checks the *schema itself* against the JSON Schema
meta-schema each time; that took about a fifth of the server's time under load. The replacement
builds the validator once and validates each response against the same schema, raising the same
``ValidationError`` with Rasa's message. Installed by ``addons.resilience`` (in the model's policies),
so it is active wherever this project's model is served.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_installed = False


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    from jsonschema import exceptions

    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    global _installed
    if not _installed:
        RemoteAction._validate_action_result = validate_action_result
        _installed = True
