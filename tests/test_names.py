"""core/names.py: each name the two servers share is defined once, and the domain declares it."""

from __future__ import annotations

import ast
import pathlib
import re
from typing import Dict, Iterator, List, Set, Tuple

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


@pytest.mark.parametrize("name", [k for k in SHARED if k.endswith("_INTENT") and k != "NLU_FALLBACK_INTENT"])
def test_every_intent_is_in_the_domain(name: str) -> None:
    assert SHARED[name] in DOMAIN["intents"]


def test_the_other_intents_are_in_the_domain() -> None:
    rasas_own = {names.NLU_FALLBACK_INTENT}  # set by Rasa's FallbackClassifier, not declared
    assert set(names.COMPONENT_INTENTS) | set(names.NOT_UNDERSTOOD_INTENTS) - rasas_own <= set(DOMAIN["intents"])
    assert set(names.QUESTION_INTENTS) | set(names.SOCIAL_INTENTS) | set(names.STATIC_REPLY_INTENTS) <= set(
        DOMAIN["intents"]
    )


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


@pytest.mark.parametrize("name", ["MAX_TEXT", "MAX_MESSAGE"])
def test_a_limit_is_one_number(name: str) -> None:
    again = [
        str(p.relative_to(ROOT))
        for p in CODE
        if p.name != "names.py" and re.search(rf"^{name} = ", p.read_text(encoding="utf-8"), re.M)
    ]
    assert not again


def test_the_static_replies_carry_the_payload_keys() -> None:
    """domain.yml's static emergency and crisis replies mark themselves with the keys the actions and the
    channels read (``custom.triage``, ``custom.crisis``)."""
    responses = DOMAIN["responses"]
    assert responses["utter_emergency"][0]["custom"] == {names.TRIAGE_KEY: names.EMERGENCY}
    assert responses["utter_crisis"][0]["custom"] == {names.TRIAGE_KEY: names.EMERGENCY, names.CRISIS_KEY: True}


# -- no shared name written out as a string literal ---------------------------------------------
# The servers' code. patches/ is left out for now: its owner is converting its literals (add it back then).
# scripts/ (evaluations and tooling, which read the levels of data files) is not the servers.
SCANNED = ("actions", "components", "connectors", "core", "stores", "patches", "policies", "review")


def shared_values() -> Dict[str, str]:
    """Every string names.py defines (alone, or in a tuple or set: levels, intents), with its constant."""
    values: Dict[str, str] = {}
    for key, value in vars(names).items():
        if not key.isupper():
            continue
        for item in value if isinstance(value, (tuple, frozenset)) else (value,):
            if isinstance(item, str):
                values.setdefault(item, key)
    return values


# The same word naming something else than the shared name, (file, word): keep this short.
HOMONYMS = {
    ("core/kb_loader.py", "see_doctor"),  # a field of the KB files (when to see a doctor), not the triage level
    ("core/second_request.py", "see_doctor"),  # the advice topic, which names that field
    ("core/nearest.py", "crisis"),  # the `crisis: true` field of the worked cases (core/kb/nearest_cases.yml)
    ("review/figures.py", "stop"),  # the name of an SQL bind parameter
    ("review/html.py", "emergency"),  # a label shown on the review page
    ("review/html.py", "crisis"),  # a label shown on the review page
}


def string_literals(tree: ast.AST) -> Iterator[ast.Constant]:
    """The string constants of a module, without its docstrings and the pieces of its f-strings."""
    skip: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node


def literal_uses(folders: Tuple[str, ...] = SCANNED) -> List[Tuple[str, int, str]]:
    """(file, line, word) of each string literal equal to a shared name outside core/names.py."""
    values = shared_values()
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "core/names.py":
                continue
            for node in string_literals(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
                if node.value in values and (rel, node.value) not in HOMONYMS:
                    found.append((rel, node.lineno, node.value))
    return sorted(found)


def test_no_shared_name_is_written_out() -> None:
    """Intents, actions, entities, slots, levels, payload keys and environment variables are imported from
    core/names.py, never written as a quoted literal (an exact match: longer text and docstrings are fine)."""
    values = shared_values()
    uses = [f"{rel}:{line}: {word!r} (core.names.{values[word]})" for rel, line, word in literal_uses()]
    assert not uses, "import these names from core/names.py:\n" + "\n".join(uses)


def test_the_scan_finds_a_literal() -> None:
    """The scan sees a literal in code and not in a docstring or inside longer text."""
    tree = ast.parse(
        '"""emergency"""\n'
        "def f(level):\n"
        '    """urgent"""\n'
        '    return level == "emergency" or f"{level}urgent" or "see_doctor today"\n'
    )
    assert sorted((n.lineno, n.value) for n in string_literals(tree)) == [(4, "emergency"), (4, "see_doctor today")]
    assert [n.value for n in string_literals(tree) if n.value in shared_values()] == ["emergency"]


def test_the_allowed_literals_are_still_there() -> None:
    """An entry of HOMONYMS that no longer matches anything is removed, so the lists stay short."""
    present = set()
    for rel, _word in HOMONYMS:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        present |= {(rel, n.value) for n in string_literals(tree)}
    gone = HOMONYMS - present
    assert not gone, sorted(gone)


def test_the_static_reply_intents_are_those_the_rules_answer_with_responses_alone() -> None:
    """The Rasa-side check compares by meaning only the messages of these intents, because no custom action
    (which would compare them) answers them; a rule that gives one of them an action, or a new intent answered
    by a response alone, must show here."""
    actions_after: dict = {}
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
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
