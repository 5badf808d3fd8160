"""Unit tests: plain-text fallbacks of the connectors, the web chat's origin allow-list, the page config."""

from __future__ import annotations

import json

import pytest

from connectors.fallback_text import buttons_as_text, custom_as_text
from connectors.webchat import allowed_origins, default_origins
from scripts.web_server import ROUTES, WEB, config_js


def test_an_emergency_payload_becomes_its_first_line_instruction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMERGENCY_NUMBER", "112")
    assert custom_as_text({"triage": "emergency"}) == "EMERGENCY: Call your local emergency number (112) now."


@pytest.mark.parametrize(
    "payload, expected",
    [
        ({"triage": "urgent"}, "URGENT: Please see a doctor today (within 24 hours)."),
        ({"triage": "see_doctor", "cause": "pinched_nerve"}, "Advice: Please book an appointment"),
    ],
)
def test_urgent_and_see_doctor_become_labelled_advice(payload: dict, expected: str) -> None:
    text = custom_as_text(payload)
    assert text is not None and text.startswith(expected)


@pytest.mark.parametrize(
    "payload", [{"triage": "self_care"}, {"cause": "muscle_strain"}, {"causes": ["a", "b"]}, {}, None, "x", []]
)
def test_payloads_for_machines_add_no_text(payload: object) -> None:
    assert custom_as_text(payload) is None


def test_buttons_become_titles_to_type_back() -> None:
    buttons = [{"title": "How is it treated?", "payload": "/ask_treatment"}, {"title": " ", "payload": "/x"}]
    assert buttons_as_text("Stress can cause spasms.", buttons) == (
        "Stress can cause spasms.\n\nYou can reply: How is it treated?"
    )
    assert buttons_as_text("Just text.", []) == "Just text."


def test_socket_origins_default_to_the_page_only() -> None:
    assert default_origins({"WEB_PORT": "8081"}) == ["http://127.0.0.1:8081", "http://localhost:8081"]
    assert allowed_origins(None, {}) == ["http://127.0.0.1:8080", "http://localhost:8080"]
    assert default_origins({"WEB_HOST": "chat.example.org", "WEB_PORT": "80"}) == ["http://chat.example.org:80"]


def test_socket_origins_come_from_credentials_then_the_environment() -> None:
    env = {"WEB_ALLOWED_ORIGINS": "https://a.example, https://b.example/"}
    assert allowed_origins(None, env) == ["https://a.example", "https://b.example"]
    assert allowed_origins(["https://c.example"], env) == ["https://c.example"]
    assert allowed_origins("https://d.example", {}) == ["https://d.example"]


def test_the_page_config_names_the_socket_and_the_emergency_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMERGENCY_NUMBER", "000")
    monkeypatch.setenv("CRISIS_LINE", "call Lifeline on 13 11 14")
    js = config_js("http://127.0.0.1:5005").decode()
    assert js.startswith("window.NECK_CONFIG = ")
    config = json.loads(js.split("=", 1)[1].strip().rstrip(";"))
    assert config == {
        "socketUrl": "http://127.0.0.1:5005",
        "emergencyNumber": "000",
        "crisisLine": "call Lifeline on 13 11 14",
    }


def test_the_web_server_serves_existing_files_from_web_only() -> None:
    for file, _ in ROUTES.values():
        assert file.is_relative_to(WEB) and file.is_file(), file
