"""The chat page in headless Chromium against the real servers: what a visitor sees and does.

Needs Debian's ``chromium`` (``apt-get install chromium``) and Playwright for Python (requirements-dev.txt).
Without a browser these tests skip, saying so; with ``REQUIRE_BROWSER=1`` (set by .ci/run) they fail instead.
Screenshots go to reports/screenshots/.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from typing import Any, Iterator

import pytest
import requests

from tests.live_servers import ROOT

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "reports" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BOT = ".rw-from-response .rw-message-text"
USER = ".rw-from-client .rw-message-text"
INPUT = "textarea.rw-new-message"
WAIT_MS = 90_000  # upper bound for a reply to appear (the page polls; this is not a speed check)


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH", ""), shutil.which("chromium") or "", "/usr/bin/chromium"):
        if candidate and pathlib.Path(candidate).exists():
            return candidate
    return ""


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (make install)")
    path = chromium_path()
    if not path:
        _unavailable("no Chromium found: `apt-get install chromium` or set CHROMIUM_PATH")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_stack: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(live_stack.web)
    expect(page.locator(BOT).first).to_be_visible()  # the greeting: the socket is connected
    yield page
    context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def send(page: Any, text: str) -> None:
    """Type a message and press Enter, then wait until the bot has answered it."""
    before = page.locator(BOT).count()
    page.locator(INPUT).fill(text)
    page.locator(INPUT).press("Enter")
    expect(page.locator(USER).last).to_have_text(text)
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[BOT, before], timeout=WAIT_MS
    )


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_the_page_greets_shows_the_note_and_labels_the_controls(page: Any) -> None:
    expect(page.locator("#not-a-diagnosis")).to_contain_text("Not a diagnosis")
    expect(page.locator(BOT).first).to_contain_text("explains what can cause neck spasms")
    expect(page.locator(INPUT)).to_have_attribute("aria-label", "Your message to the assistant")
    expect(page.locator("button.rw-send")).to_have_attribute("aria-label", "Send")
    expect(page.locator(".rw-messages-container")).to_have_attribute("role", "log")
    # Keyboard only: Tab from the top of the page reaches the conversation, the quick replies and the input.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")
        )
        if reached[-1] == "Your message to the assistant":
            break
    assert reached[-1] == "Your message to the assistant", reached
    assert "Conversation" in reached and "What causes neck spasms?" in reached, reached
    shot(page, "01-first-visit")


def test_greet_then_ask_about_a_cause_then_use_a_quick_reply_by_keyboard(page: Any) -> None:
    send(page, "hello")
    send(page, "can stress cause neck spasms?")
    expect(page.locator(BOT).filter(has_text="Stress and anxiety can cause neck spasms")).to_have_count(1)
    reply = page.locator("[role=button].rw-reply", has_text="How is it treated?").last
    expect(reply).to_be_visible()
    shot(page, "02-cause-answer-with-quick-replies")
    before = page.locator(BOT).count()
    reply.focus()
    page.keyboard.press("Enter")
    expect(page.locator(USER).last).to_have_text("How is it treated?")
    expect(page.locator(BOT).filter(has_text="What usually helps with stress and anxiety")).to_have_count(1)
    assert page.locator(BOT).count() > before
    expect(page.locator(INPUT)).to_be_focused()
    shot(page, "03-after-quick-reply")


def test_a_red_flag_shows_the_emergency_alert_and_a_reload_keeps_the_conversation(page: Any) -> None:
    send(page, "what is a slipped disc?")
    send(page, "I have a fever and my neck is very stiff")
    alert = page.locator("[role=alert].triage-emergency")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Call your local emergency number")
    assert page.locator("[role=alert] a[href^='tel:']").count() >= 1
    expect(page.locator(BOT).filter(has_text="Call your local emergency number")).to_have_count(1)
    shot(page, "04-emergency-alert")

    page.reload()
    expect(page.locator(USER).filter(has_text="what is a slipped disc?")).to_have_count(1)
    expect(page.locator("[role=alert].triage-emergency")).to_be_visible()
    # The server kept the conversation too: "it" is still the slipped disc.
    send(page, "how is it treated?")
    expect(page.locator(BOT).filter(has_text="What usually helps with herniated disc")).to_have_count(1)
    shot(page, "05-after-reload")


def test_it_fits_a_390px_phone_screen(browser: Any, live_stack: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(live_stack.web)
        expect(page.locator(BOT).first).to_be_visible()
        send(page, "my neck is stiff and I have a high fever")
        expect(page.locator("[role=alert].triage-emergency")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
        for selector in (INPUT, "[role=alert].triage-emergency", "#not-a-diagnosis"):
            box = page.locator(selector).last.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
        shot(page, "06-phone-390px")
    finally:
        context.close()


def test_urgent_advice_is_styled_but_not_an_emergency(page: Any) -> None:
    send(page, "my hands have become clumsy and I keep dropping things")
    card = page.locator(".triage-urgent")
    expect(card).to_be_visible()
    expect(card).to_contain_text("See a doctor today")
    assert page.locator("[role=alert]").count() == 0
    shot(page, "07-urgent-advice")


def test_socket_io_refuses_other_origins(live_stack: Any) -> None:
    url = f"{live_stack.rasa}/socket.io/?EIO=4&transport=polling"
    assert requests.get(url, headers={"Origin": live_stack.web}, timeout=10).status_code == 200
    refused = requests.get(url, headers={"Origin": "https://evil.example"}, timeout=10)
    assert refused.status_code == 400, refused.text


def test_the_web_server_serves_only_the_page_and_its_widget_files(live_stack: Any) -> None:
    for path in ("/", "/chat.js", "/chat.css", "/config.js", "/vendor/rasa-webchat.js"):
        response = requests.get(live_stack.web + path, timeout=10)
        assert response.status_code == 200, path
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    for path in ("/package.json", "/node_modules/rasa-webchat/package.json", "/../README.md", "/web/chat.js"):
        assert requests.get(live_stack.web + path, timeout=10).status_code == 404, path


def test_without_a_browser_the_tests_skip_with_the_reason_unless_it_is_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        _unavailable("no Chromium found: `apt-get install chromium` or set CHROMIUM_PATH")
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but no Chromium found"):
        _unavailable("no Chromium found: `apt-get install chromium` or set CHROMIUM_PATH")


def test_a_crisis_statement_shows_the_crisis_alert_first(page: Any) -> None:
    send(page, "I don't want to be here anymore, I want to end my life")
    alert = page.locator("[role=alert].triage-crisis")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("You don't have to face this alone")
    expect(alert).to_contain_text("988")
    assert page.locator("[role=alert].triage-crisis a[href^='tel:']").count() >= 1
    expect(page.locator(BOT).filter(has_text="I'm really sorry you're feeling like this")).to_have_count(1)
    shot(page, "07-crisis-alert")
