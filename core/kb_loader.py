"""Loading and validating the knowledge-base files, once per process.

A malformed file fails with a ``KnowledgeBaseError`` that names the file, the entry and the field.
"""

from __future__ import annotations

import functools
import pathlib
import re
from typing import Any, Dict, Iterable, Mapping, Tuple

import yaml

from core.knowledge_base import (
    SECTIONS,
    Advice,
    Cause,
    Cue,
    GeneralAdvice,
    Group,
    KnowledgeBase,
    KnowledgeBaseError,
)
from core.names import LEVELS
from core.text import normalise

KB_PATH = pathlib.Path(__file__).parent / "kb" / "causes.yml"
_ID = re.compile(r"[a-z][a-z0-9_]*")
GENERAL_PATH = pathlib.Path(__file__).parent / "kb" / "general.yml"

_TEXT_FIELDS = ("name", "what_it_is", "how_it_causes_spasms", "see_doctor")
_LIST_FIELDS = ("aliases", "symptoms", "triggers", "treatment", "prevention")


class Checker:
    """Reads one YAML data file and reports problems as ``<file>: <entry>: field '<field>': <problem>``.

    Shared by the loaders of the knowledge base, the general advice and the red-flag rules.
    """

    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)

    def read(self, what: str, top_keys: str) -> Dict[str, Any]:
        """The file's top-level mapping, which must say ``version: 1``."""
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise KnowledgeBaseError(f"{self.path}: cannot read {what}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(f"{self.path}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise self.fail("top level", "-", f"must be a mapping with 'version', {top_keys}")
        if data.get("version") != 1:
            raise self.fail("top level", "version", "must be 1")
        return data

    def fail(self, where: str, field: str, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{self.path}: {where}: field '{field}': {problem}")

    def text(self, entry: Mapping[str, Any], field: str, where: str) -> str:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, field, "must be a non-empty string")
        return value.strip()

    def text_list(self, entry: Mapping[str, Any], field: str, where: str) -> Tuple[str, ...]:
        value = entry.get(field)
        if not isinstance(value, list) or not value:
            raise self.fail(where, field, "must be a non-empty list of strings")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(where, field, f"item {item!r} is not a non-empty string")
        return tuple(str(v).strip() for v in value)


def _parse_cause(raw: Any, index: int, groups: Iterable[str], check: Checker) -> Cause:
    where = f"causes[{index}]"
    if not isinstance(raw, dict):
        raise check.fail(where, "-", "each cause must be a mapping")
    cause_id = check.text(raw, "id", where)
    where = f"cause '{cause_id}'"
    if not _ID.fullmatch(cause_id):
        raise check.fail(where, "id", "must be lower_snake_case (clients and tests use the id)")
    allowed = set(Cause.__dataclass_fields__) - {"section", "item"} | {"source"}
    unknown = set(raw) - allowed
    if unknown:
        raise check.fail(where, sorted(unknown)[0], "unknown field")
    fields = {f: check.text(raw, f, where) for f in _TEXT_FIELDS}
    lists = {f: check.text_list(raw, f, where) for f in _LIST_FIELDS}
    group = check.text(raw, "group", where)
    if group not in groups:
        raise check.fail(where, "group", f"'{group}' is not one of the groups: {', '.join(groups)}")
    level = check.text(raw, "typical_level", where)
    if level not in LEVELS[:3]:
        raise check.fail(where, "typical_level", f"'{level}' must be one of {', '.join(LEVELS[:3])}")
    source = raw.get("source")
    if not isinstance(source, dict):
        raise check.fail(where, "source", "must be a mapping with 'section' and 'item'")
    section = check.text(source, "section", where + ".source")
    if section not in SECTIONS:
        raise check.fail(where, "source.section", f"must be one of {SECTIONS}")
    item = source.get("item")
    if not isinstance(item, int) or item < 1:
        raise check.fail(where, "source.item", "must be a positive item number")
    cues_raw = raw.get("cues")
    if not isinstance(cues_raw, list) or not cues_raw:
        raise check.fail(where, "cues", "must be a non-empty list of {words, reason}")
    cues = []
    for j, cue in enumerate(cues_raw):
        if not isinstance(cue, dict):
            raise check.fail(where, f"cues[{j}]", "must be a mapping with 'words' and 'reason'")
        cue_words = check.text_list(cue, "words", f"{where} cues[{j}]")
        cues.append(Cue(tuple(w.lower() for w in cue_words), check.text(cue, "reason", f"{where} cues[{j}]")))
    return Cause(
        id=cause_id,
        name=fields["name"],
        group=group,
        section=section,
        item=item,
        aliases=lists["aliases"],
        what_it_is=fields["what_it_is"],
        how_it_causes_spasms=fields["how_it_causes_spasms"],
        symptoms=lists["symptoms"],
        triggers=lists["triggers"],
        treatment=lists["treatment"],
        prevention=lists["prevention"],
        see_doctor=fields["see_doctor"],
        typical_level=level,
        cues=tuple(cues),
    )


def load(path: pathlib.Path = KB_PATH) -> KnowledgeBase:
    """Read and validate a knowledge-base file; raise ``KnowledgeBaseError`` naming what is wrong."""
    check = Checker(path)
    data = check.read("the knowledge base", "'groups' and 'causes'")
    groups_raw = data.get("groups")
    if not isinstance(groups_raw, list) or not groups_raw:
        raise check.fail("top level", "groups", "must be a non-empty list")
    groups = []
    for i, g in enumerate(groups_raw):
        if not isinstance(g, dict):
            raise check.fail(f"groups[{i}]", "-", "must be a mapping with 'id' and 'title'")
        groups.append(Group(check.text(g, "id", f"groups[{i}]"), check.text(g, "title", f"groups[{i}]")))
    group_ids = [g.id for g in groups]
    causes_raw = data.get("causes")
    if not isinstance(causes_raw, list):
        raise check.fail("top level", "causes", "must be a list")
    causes = [_parse_cause(raw, i, group_ids, check) for i, raw in enumerate(causes_raw)]

    seen: Dict[str, str] = {}
    for cause in causes:
        if cause.id in seen.values():
            raise check.fail(f"cause '{cause.id}'", "id", "appears twice")
        for alias in (cause.name, *cause.aliases):
            key = normalise(alias)
            if not key:
                raise check.fail(f"cause '{cause.id}'", "aliases", f"{alias!r} has no letters")
            owner = seen.get(key)
            if owner and owner != cause.id:
                raise check.fail(f"cause '{cause.id}'", "aliases", f"'{alias}' is already an alias of '{owner}'")
            seen[key] = cause.id
    empty = [g.id for g in groups if not any(c.group == g.id for c in causes)]
    if empty:
        raise check.fail("top level", "groups", f"group(s) with no cause: {', '.join(empty)}")
    return KnowledgeBase(groups, causes, check.path)


@functools.lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The process-wide knowledge base, loaded on first use."""
    return load(KB_PATH)


def cause_ids() -> Tuple[str, ...]:
    """The cause ids, in the knowledge base's order: the file is their one source."""
    return tuple(c.id for c in get_kb().causes)


# -- general advice (questions that name no cause) ---------------------------------------------


def load_general(path: pathlib.Path = GENERAL_PATH) -> GeneralAdvice:
    check = Checker(path)
    data = check.read("the general advice", "'disclaimer', 'treatment', 'prevention', 'see_doctor' and 'most_common'")
    sections = {}
    for name in ("treatment", "prevention", "see_doctor"):
        raw = data.get(name)
        if not isinstance(raw, dict):
            raise check.fail(name, "-", "must be a mapping with 'intro' and 'steps'")
        sections[name] = Advice(check.text(raw, "intro", name), check.text_list(raw, "steps", name))
    most_common = check.text_list(data, "most_common", "top level")
    for cause_id in most_common:
        if not _ID.fullmatch(cause_id):
            raise check.fail("top level", "most_common", f"'{cause_id}' is not a cause id (lower_snake_case)")
    return GeneralAdvice(disclaimer=check.text(data, "disclaimer", "top level"), most_common=most_common, **sections)


@functools.lru_cache(maxsize=1)
def get_general() -> GeneralAdvice:
    return load_general(GENERAL_PATH)


@functools.lru_cache(maxsize=1)
def most_common_causes() -> Tuple[Cause, ...]:
    """The most common causes (``most_common`` in general.yml), looked up in the knowledge base once."""
    kb, ids = get_kb(), get_general().most_common
    known = {c.id for c in kb.causes}
    for cause_id in ids:
        if cause_id not in known:
            raise Checker(GENERAL_PATH).fail("top level", "most_common", f"'{cause_id}' is not a cause of {KB_PATH}")
    return tuple(kb.get(cause_id) for cause_id in ids)
