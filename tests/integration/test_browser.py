"""The Studio chat page in headless Chromium (Debian's package, driven by Playwright; no browser download).

The gateway runs for real on loopback with an API key, the packaged embedding model and a real index; only the chat
model is a fake, so answers are predictable. The page must stream an answer, render its Markdown and sources,
rename and delete a session, and draw a generated workflow, with no request leaving the machine.
"""

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from pydantic import SecretStr

from api.app import create_app
from bench.fake_upstream import serving_in_thread
from llm.embeddings import OnnxSentenceEmbeddings
from tests.fakes import fake_chat, fake_models
from tests.rag_fixtures import corpus_settings, index_service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
pytestmark = pytest.mark.skipif(
    not HAVE_CHROMIUM and not os.environ.get("SAGE_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (`apt-get install chromium`); CI sets SAGE_REQUIRE_BROWSER=1",
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLIENT_KEY, ADMIN_KEY = "sk-browser", "sk-browser-admin"
ANSWER = "To **build** the index, call `POST /admin/index/build` [1].\n\n- poll the status route\n- then ask away"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    settings = corpus_settings(root).model_copy(
        update={"api_keys": [SecretStr(CLIENT_KEY)], "admin_keys": [SecretStr(ADMIN_KEY)]}
    )
    embeddings = OnnxSentenceEmbeddings.packaged()
    models = fake_models(fake_chat(ANSWER), index=index_service(settings, embeddings))
    with serving_in_thread(create_app(settings, models=models)) as base_url:
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        httpx.post(f"{base_url}/admin/index/build", json={"source_dir": "corpus"}, headers=admin).raise_for_status()
        while httpx.get(f"{base_url}/admin/index/status", headers=admin).json()["status"] == "building":
            pass
        yield base_url


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the run saves its screenshots: `SAGE_SCREENSHOT_DIR` (e.g. docs/img) or the test's temp dir."""
    folder = Path(os.environ.get("SAGE_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(gateway: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
        page = context.new_page()
        page.problems = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and not expected_401(m) and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
        local = (gateway, "blob:", "data:")
        page.on("request", lambda r: r.url.startswith(local) or page.problems.append(f"external: {r.url}"))
        try:
            yield page
        finally:
            browser.close()


def expected_401(message: Any) -> bool:
    """The page's first calls go out without a key and get 401: that is how it learns to ask for one."""
    return "status of 401" in message.text


def sessions(gateway: str) -> list[dict[str, Any]]:
    return httpx.get(f"{gateway}/sessions", headers={"Authorization": f"Bearer {CLIENT_KEY}"}).json()["sessions"]


def send(page: Any, text: str) -> Any:
    """Type a message, send it, and wait for the streamed answer to finish; returns the answer's element."""
    before = page.locator(".message.assistant.done").count()
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")
    answer = page.locator(".message.assistant.done").nth(before)
    answer.wait_for(timeout=60_000)
    return answer


def test_chat_page_streams_answers_manages_sessions_and_draws_workflows(
    page: Any, gateway: str, screenshots: Path, report_figure: Any
) -> None:
    page.goto(f"{gateway}/ui/")
    page.wait_for_selector("#notice:not([hidden])")  # no key yet: the page asks for one
    assert "API key" in page.inner_text("#notice")
    page.fill("#api-key", CLIENT_KEY)
    page.press("#api-key", "Tab")
    page.wait_for_selector("#model-name:has-text('fake-model')")

    # Count how often the answer's text changes while it arrives: a streamed answer grows in several steps.
    page.evaluate(
        """() => {
        window.answerUpdates = 0;
        new MutationObserver(() => { window.answerUpdates += 1; })
          .observe(document.querySelector('#messages'), {subtree: true, childList: true, characterData: true});
    }"""
    )
    answer = send(page, "How do I build the document index?")
    assert page.evaluate("window.answerUpdates") > 5
    assert answer.locator(".content strong").inner_text() == "build"  # Markdown rendered
    assert answer.locator(".content li").count() == 2
    assert answer.locator(".route-badge").inner_text() == "RAG"
    assert "retrieve" in answer.locator(".steps").inner_text()
    source_texts = answer.locator(".sources li").all_inner_texts()
    assert source_texts and any("rag-index.md" in text for text in source_texts)
    page.screenshot(path=str(screenshots / "chat-streamed-answer-with-sources.png"))

    item = page.locator(".session-item").first
    assert item.locator(".title").inner_text() == "How do I build the document index?"
    item.hover()
    item.locator("button.rename").click()
    page.fill(".rename-input", "Index questions")
    page.press(".rename-input", "Enter")
    page.wait_for_selector(".session-item .title:has-text('Index questions')")
    assert [s["title"] for s in sessions(gateway)] == ["Index questions"]

    workflow_answer = send(page, "Build a RAG pipeline that answers questions over PDF files")
    assert workflow_answer.locator(".route-badge").inner_text() == "workflow"
    nodes = workflow_answer.locator("svg .wf-node")
    edges = workflow_answer.locator("svg .wf-edge")
    assert nodes.count() >= 4 and edges.count() >= nodes.count() - 1
    with page.expect_download() as download_info:
        workflow_answer.locator("button.download-workflow").click()
    pipeline = json.loads(Path(download_info.value.path()).read_text())
    assert len(pipeline["nodes"]) == nodes.count() and len(pipeline["connections"]) == edges.count()
    workflow_answer.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "chat-workflow-drawn.png"))

    session_id = page.locator(".session-item").first.get_attribute("data-session-id")
    page.locator(".session-item").first.hover()
    page.locator(".session-item").first.locator("button.delete").click()
    expect(page.locator(".session-item")).to_have_count(0)
    assert sessions(gateway) == []
    gone = httpx.get(f"{gateway}/sessions/{session_id}", headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert gone.status_code == 404
    assert page.problems == []  # type: ignore[attr-defined]
    report_figure(f"browser: screenshots in {screenshots}")
