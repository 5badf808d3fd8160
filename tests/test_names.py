"""core/names.py: each name the two servers share is defined once, and the domain declares it."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from core import names

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
CODE = [
    p
    for folder in ("actions", "components", "connectors", "core", "patches", "stores", "review")
    for p in (ROOT / folder).glob("*.py")
]
SHARED = {k: v for k, v in vars(names).items() if k.isupper() and isinstance(v, str)}


def test_the_levels_are_design_mds() -> None:
    assert names.LEVELS == ("self_care", "see_doctor", "urgent", "emergency")
    assert names.LEVELS[1:] == names.RULE_LEVELS and names.LEVELS[-1] == names.EMERGENCY


@pytest.mark.parametrize("name", [k for k in SHARED if k.endswith("_INTENT")])
def test_every_intent_is_in_the_domain(name: str) -> None:
    assert SHARED[name] in DOMAIN["intents"]


def test_the_other_intents_are_in_the_domain() -> None:
    assert set(names.COMPONENT_INTENTS) | set(names.NOT_UNDERSTOOD_INTENTS) - {"nlu_fallback"} <= set(DOMAIN["intents"])


@pytest.mark.parametrize("name", [k for k in SHARED if k.endswith("_ACTION")])
def test_every_action_is_in_the_domain(name: str) -> None:
    assert SHARED[name] in DOMAIN["actions"]


@pytest.mark.parametrize("name", [k for k in SHARED if k.endswith("_ENTITY")])
def test_every_entity_is_in_the_domain_with_its_slot(name: str) -> None:
    assert SHARED[name] in DOMAIN["entities"] and SHARED[name] in DOMAIN["slots"]


@pytest.mark.parametrize("name", [k for k in SHARED if k.endswith("_SLOT")])
def test_every_slot_is_in_the_domain(name: str) -> None:
    assert SHARED[name] in DOMAIN["slots"]


@pytest.mark.parametrize("name", sorted(k for k in SHARED if k.endswith(("_INTENT", "_ACTION", "_ENTITY", "_SLOT"))))
def test_no_module_defines_a_shared_name_again(name: str) -> None:
    """No module-level constant elsewhere is assigned the same string literal (import it instead)."""
    assignment = re.compile(
        rf"^[A-Z_]+(: [^=]+)? = {re.escape(repr(SHARED[name]))}$|^[A-Z_]+(: [^=]+)? = \"{re.escape(SHARED[name])}\"$",
        re.M,
    )
    again = [
        str(p.relative_to(ROOT))
        for p in CODE
        if p.name != "names.py" and assignment.search(p.read_text(encoding="utf-8"))
    ]
    assert not again, f"{SHARED[name]!r} is defined again in {again}"


def test_max_text_is_one_number() -> None:
    again = [
        str(p.relative_to(ROOT))
        for p in CODE
        if p.name != "names.py" and re.search(r"^MAX_TEXT = ", p.read_text(encoding="utf-8"), re.M)
    ]
    assert not again


def test_the_static_reply_intents_are_those_the_rules_answer_with_responses_alone() -> None:
    """The Rasa-side check compares by meaning only the messages of these intents, because no custom action
    (which would compare them) answers them; a rule that gives one of them an action, or a new intent answered
    by a response alone, must show here."""
    actions_after: dict = {}
    for path in [*sorted((ROOT / "data" / "rules").glob("*.yml")), ROOT / "data" / "rules.yml"]:
        if not path.is_file():
            continue
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            steps = rule.get("steps") or []
            if rule.get("condition") or not steps or "intent" not in steps[0]:
                continue  # a rule inside a conversation (after a question, in a form) is not how an intent starts
            actions = [s["action"] for s in steps[1:] if "action" in s]
            actions_after.setdefault(steps[0]["intent"], set()).update(actions)
    static = {i for i, acts in actions_after.items() if acts and all(a.startswith("utter_") for a in acts)}
    assert static == set(names.STATIC_REPLY_INTENTS), static
    for intent in names.STATIC_REPLY_INTENTS:
        assert not any(a.startswith("action_") for a in actions_after.get(intent, ())), intent
