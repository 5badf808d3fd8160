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
