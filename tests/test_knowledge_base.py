"""The knowledge base: every id of design.md, a strict schema, clear errors, alias resolution."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from core.kb_loader import GENERAL_PATH, KB_PATH, cause_ids, get_kb, load, load_general, most_common_causes
from core.knowledge_base import KnowledgeBase, KnowledgeBaseError

DESIGN = pathlib.Path(__file__).resolve().parents[2] / "shared" / "design.md"
# design.md section 2: the cause ids clients and tests rely on, in the source text's order. The
# knowledge base file is their one source in the code; this list only checks it against the contract.
CONTRACT_IDS = [
    "muscle_strain",
    "neck_injury",
    "cervical_dystonia",
    "degenerative_disc_disease",
    "herniated_disc",
    "cervical_spondylosis",
    "pinched_nerve",
    "poor_posture",
    "stress_anxiety",
    "other_medical_conditions",
    "infections",
    "tumors",
    "spinal_stenosis",
    "osteoporosis",
    "autoimmune_disorders",
    "nutritional_deficiencies",
    "referred_pain",
    "medication_side_effects",
    "nerve_damage",
    "poor_ergonomics",
    "dehydration",
]


def test_every_contract_id_present_once_in_source_order(kb: KnowledgeBase) -> None:
    assert [c.id for c in kb.causes] == CONTRACT_IDS == list(cause_ids())


@pytest.mark.skipif(not DESIGN.exists(), reason="../shared/design.md is not beside the checkout")
def test_ids_match_design_contract() -> None:
    table = DESIGN.read_text(encoding="utf-8").split("## 2.")[1].split("## 3.")[0]
    ids = re.findall(r"^\| ([a-z_]+) \|", table, flags=re.M)
    assert ids[1:] == list(cause_ids()) == CONTRACT_IDS  # the first row is the header


def test_loaded_once_per_process() -> None:
    assert get_kb() is get_kb()


def test_source_items_cover_both_sections(kb: KnowledgeBase) -> None:
    refs = [(c.section, c.item) for c in kb.causes]
    assert refs == [("Causes of Neck Spasms", i) for i in range(1, 11)] + [
        ("More Informations", i) for i in range(1, 12)
    ]


@pytest.mark.parametrize("cause_id", CONTRACT_IDS)
def test_entry_is_complete(kb: KnowledgeBase, cause_id: str) -> None:
    cause = kb.get(cause_id)
    assert len(cause.aliases) >= 3
    assert cause.what_it_is and cause.how_it_causes_spasms and cause.see_doctor
    assert cause.symptoms and cause.triggers and cause.treatment and cause.prevention and cause.cues
    assert cause.group in {g.id for g in kb.groups}


@pytest.mark.parametrize("cause_id", CONTRACT_IDS)
def test_name_and_every_alias_resolve_to_their_cause(kb: KnowledgeBase, cause_id: str) -> None:
    cause = kb.get(cause_id)
    for name in (cause.name, cause_id, *cause.aliases):
        assert kb.resolve(name) == cause_id, name
        assert kb.find_in_text(f"can {name} cause neck spasms?")[:1] == [cause_id], name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what is cervical distonya?", "cervical_dystonia"),
        ("is fibromyalga a cause", "other_medical_conditions"),
        ("herniatted disc", "herniated_disc"),
        ("osteoporossis", "osteoporosis"),
        ("Can my STATINS do this?", "medication_side_effects"),
        ("what about lupus", "autoimmune_disorders"),
        ("meningitis", "infections"),
        ("low magnesium", "nutritional_deficiencies"),
    ],
)
def test_misspellings_and_named_conditions(kb: KnowledgeBase, text: str, expected: str) -> None:
    assert kb.resolve(text) == expected


@pytest.mark.parametrize("text", ["", "hello there", "my knee hurts", "what is the weather"])
def test_nothing_resolves_from_unrelated_text(kb: KnowledgeBase, text: str) -> None:
    assert kb.resolve(text) is None


def test_two_causes_in_one_message_in_order(kb: KnowledgeBase) -> None:
    assert kb.find_in_text("is it dehydration or a pinched nerve?") == ["dehydration", "pinched_nerve"]


@pytest.mark.parametrize(
    ("text", "expected_first"),
    [
        ("my neck cramps after a day at my desk", {"muscle_strain", "poor_posture", "poor_ergonomics"}),
        ("stiff after sleeping awkwardly", {"muscle_strain"}),
        ("my head keeps pulling to one side on its own", {"cervical_dystonia"}),
        ("it started after I began taking a statin", {"medication_side_effects"}),
        ("I've been so stressed and anxious at work", {"stress_anxiety"}),
        ("hot day, sweating a lot and not drinking much water", {"dehydration"}),
    ],
)
def test_suggest_ranks_likely_causes_with_reasons(kb: KnowledgeBase, text: str, expected_first: set) -> None:
    found = kb.suggest(text)
    assert found, text
    assert found[0].cause.id in expected_first
    assert all(s.reasons for s in found)
    assert all(s.matched or s.reasons[0].startswith("You mentioned") for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_suggest_finds_nothing_in_a_bare_complaint(kb: KnowledgeBase) -> None:
    assert kb.suggest("it hurts") == []


def test_general_advice_loads() -> None:
    general = load_general()
    assert "diagnose" in general.disclaimer
    assert general.treatment.steps and general.prevention.steps and general.see_doctor.steps


def test_the_most_common_causes_are_causes_of_the_knowledge_base() -> None:
    """general.yml names them by id; their names come from causes.yml."""
    causes = most_common_causes()
    assert [c.id for c in causes] == list(load_general().most_common) and len(causes) >= 2
    assert all(c.id in cause_ids() for c in causes)


@pytest.mark.parametrize("value", [None, [], ["Muscle strain"]])
def test_most_common_must_list_cause_ids(tmp_path: pathlib.Path, value: object) -> None:
    data = yaml.safe_load(GENERAL_PATH.read_text(encoding="utf-8"))
    data["most_common"] = value
    path = tmp_path / "general.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"general\.yml: top level: field 'most_common'"):
        load_general(path)


# -- malformed files: the error names the file, the entry and the field ------------------------
def _write(tmp_path: pathlib.Path, data: object) -> pathlib.Path:
    path = tmp_path / "causes.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _kb_data() -> dict:
    return yaml.safe_load(KB_PATH.read_text(encoding="utf-8"))


def _set(data: dict, index: int, field: str, value: object) -> dict:
    if value is _DELETE:
        del data["causes"][index][field]
    else:
        data["causes"][index][field] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("index", "field", "value", "entry", "message"),
    [
        (0, "what_it_is", _DELETE, "cause 'muscle_strain'", "field 'what_it_is'"),
        (1, "aliases", "whiplash", "cause 'neck_injury'", "field 'aliases'"),
        (2, "group", "nowhere", "cause 'cervical_dystonia'", "field 'group'"),
        (3, "typical_level", "emergency", "cause 'degenerative_disc_disease'", "field 'typical_level'"),
        (4, "id", "Slipped thing", "cause 'Slipped thing'", "field 'id'"),
        (5, "treatment", [], "cause 'cervical_spondylosis'", "field 'treatment'"),
        (6, "source", {"section": "Elsewhere", "item": 1}, "cause 'pinched_nerve'", "field 'source.section'"),
        (7, "cues", [{"words": ["desk"]}], "cause 'poor_posture' cues[0]", "field 'reason'"),
        (8, "colour", "blue", "cause 'stress_anxiety'", "field 'colour'"),
    ],
)
def test_malformed_entry_names_file_entry_and_field(
    tmp_path: pathlib.Path, index: int, field: str, value: object, entry: str, message: str
) -> None:
    path = _write(tmp_path, _set(_kb_data(), index, field, value))
    with pytest.raises(KnowledgeBaseError) as err:
        load(path)
    text = str(err.value)
    assert str(path) in text
    assert entry in text
    assert message in text


def test_duplicate_alias_across_causes_is_rejected(tmp_path: pathlib.Path) -> None:
    data = _kb_data()
    data["causes"][1]["aliases"].append(data["causes"][0]["aliases"][0].upper())
    with pytest.raises(KnowledgeBaseError, match=r"cause 'neck_injury'.*already an alias of 'muscle_strain'"):
        load(_write(tmp_path, data))


def test_a_cause_id_must_be_lower_snake_case(tmp_path: pathlib.Path) -> None:
    data = _kb_data()
    data["causes"][0]["id"] = "Muscle strain"
    with pytest.raises(KnowledgeBaseError, match=r"cause 'Muscle strain'.*lower_snake_case"):
        load(_write(tmp_path, data))


def test_a_new_cause_needs_only_the_file(tmp_path: pathlib.Path) -> None:
    """Adding a cause is an edit of causes.yml alone: no list of ids elsewhere in the code."""
    data = _kb_data()
    extra = dict(data["causes"][-1])
    extra.update(id="whiplash_test", name="Test cause", aliases=["zzz test alias"])
    data["causes"].append(extra)
    kb = load(_write(tmp_path, data))
    assert kb.causes[-1].id == "whiplash_test" and kb.get("whiplash_test").name == "Test cause"


def test_invalid_yaml_names_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "causes.yml"
    path.write_text("causes: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=re.escape(str(path)) + ".*not valid YAML"):
        load(path)


def test_missing_file_is_a_clear_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="cannot read the knowledge base"):
        load(tmp_path / "nope.yml")
