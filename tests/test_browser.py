"""The browser editor end to end in headless Chromium: upload, two chat turns, a revert by
clicking a version thumbnail, and the edited pixels checked in a screenshot."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from graph import Editor, Settings
from graph.server import create_app
from tests.scenes import found, scene
from tests.test_http_api import running_server

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no chromium (apt-get install chromium)")
SCREENSHOTS = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else None
RED, BLUE = (30, 90, 100, 160), (200, 90, 270, 160)


def _pixel(screenshot: bytes, page, box) -> tuple[int, int, int]:
    """The colour at the centre of ``box`` (image pixels) as the page shows it."""
    rect = page.locator("#image").bounding_box()
    scale = rect["width"] / 320
    x = rect["x"] + (box[0] + box[2]) / 2 * scale
    y = rect["y"] + (box[1] + box[3]) / 2 * scale
    shot = Image.open(io.BytesIO(screenshot)).convert("RGB")
    return shot.getpixel((round(x), round(y)))


def _send(page, text: str, turns: int) -> None:
    page.fill("#message", text)
    page.click("#send")
    page.wait_for_function(f"document.querySelectorAll('#log li.bot').length >= {turns}", timeout=30_000)
    page.wait_for_function("!document.querySelector('#send').disabled", timeout=30_000)


def test_editor_conversation_and_revert(tmp_path):
    image_path = tmp_path / "scene.png"
    Image.fromarray(scene(("circle", "red", RED), ("square", "blue", BLUE))).save(image_path)
    with Editor(Settings.load(store="memory://")) as editor, running_server(create_app(editor)) as base, \
            playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        progress: list[str] = []
        page.on("console", lambda m: progress.append(m.text) if m.type == "error" else None)
        page.goto(base + "/")
        page.set_input_files("#file-input", str(image_path))
        page.wait_for_selector("#thumbs li", timeout=15_000)

        _send(page, "make the red circle green", 2)
        _send(page, "make the blue square yellow", 3)
        page.wait_for_function("document.querySelectorAll('#thumbs li').length === 3")
        replies = page.locator("#log li.bot").all_inner_texts()
        assert "green" in replies[1] and "yellow" in replies[2]
        shot = page.screenshot(full_page=True)
        if SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (SCREENSHOTS / "editor-conversation.png").write_bytes(shot)
        circle, square = np.array(_pixel(shot, page, RED)), np.array(_pixel(shot, page, BLUE))
        assert circle[1] > 120 and circle[0] < 120, circle  # green where the red circle was
        assert square[0] > 180 and square[1] > 160 and square[2] < 120, square  # yellow square

        # back to the image after turn 2 by clicking its thumbnail: circle green, square blue again
        page.click("#thumbs li[data-turn='2'] button")
        page.wait_for_function("document.querySelectorAll('#log li.bot').length >= 4", timeout=15_000)
        page.wait_for_function("document.querySelector('#thumbs li.head')?.dataset.turn === '2'", timeout=15_000)
        page.wait_for_timeout(300)  # the head image's blob URL loads
        shot = page.screenshot(full_page=True)
        square = np.array(_pixel(shot, page, BLUE))
        assert square[2] > 150 and square[0] < 120, square
        session_id = page.evaluate("location.hash.slice(1)")
        head = editor.session(session_id).image
        assert found(head, "circle", "green") and found(head, "square", "blue")

        # point at the square with a box and remove it
        page.click("[data-tool=box]")
        rect = page.locator("#image").bounding_box()
        scale = rect["width"] / 320
        page.mouse.move(rect["x"] + 190 * scale, rect["y"] + 80 * scale)
        page.mouse.down()
        page.mouse.move(rect["x"] + 280 * scale, rect["y"] + 170 * scale, steps=5)
        page.mouse.up()
        _send(page, "remove this", 5)
        head = editor.session(session_id).image
        assert not found(head, "square") and found(head, "circle", "green")
        if SCREENSHOTS:
            page.screenshot(path=str(SCREENSHOTS / "editor-after-remove.png"), full_page=True)
        assert not progress, progress
        browser.close()


def test_editor_shows_the_plan_and_approves_it_after_a_rejection(tmp_path):
    """With 'Show each plan' ticked the plan waits in the chat; Reject with feedback brings a new
    plan, which a reload shows again (read from the server), and Approve runs it."""
    image_path = tmp_path / "scene.png"
    Image.fromarray(scene(("circle", "red", RED), ("square", "blue", BLUE))).save(image_path)
    with Editor(Settings.load(store="memory://")) as editor, running_server(create_app(editor)) as base, \
            playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/")
        page.set_input_files("#file-input", str(image_path))
        page.wait_for_selector("#thumbs li", timeout=15_000)
        session_id = page.evaluate("location.hash.slice(1)")

        page.check("#confirm-plan")
        page.fill("#message", "make the red circle green")
        page.click("#send")
        page.wait_for_selector("#log li.plan:not(.decided) #plan-approve", timeout=30_000)
        plan_text = page.locator("#log li.plan").inner_text()
        assert "green" in plan_text and "plan 1" in plan_text
        assert editor.session(session_id).pending_plan is not None
        assert found(editor.session(session_id).image, "circle", "red")  # nothing ran yet

        page.fill("#plan-feedback", "a darker green")
        page.click("#plan-reject")
        page.wait_for_function("[...document.querySelectorAll('#log li.plan:not(.decided)')]"
                               ".some((li) => li.innerText.includes('plan 2'))", timeout=30_000)
        page.wait_for_function("!document.querySelector('#send').disabled", timeout=30_000)

        page.reload()  # the waiting plan comes back from the server
        page.wait_for_selector("#log li.plan:not(.decided) #plan-approve", timeout=15_000)
        assert "plan 2" in page.locator("#log li.plan").inner_text()
        if SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "editor-plan-waiting.png"), full_page=True)
        page.click("#plan-approve")
        page.wait_for_function("[...document.querySelectorAll('#log li.bot')].some((li) => "
                               "li.innerText.startsWith('Done'))", timeout=30_000)
        page.wait_for_function("document.querySelectorAll('#thumbs li').length === 2", timeout=15_000)
        page.wait_for_timeout(300)  # the head image's blob URL loads
        shot = page.screenshot(full_page=True)
        if SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (SCREENSHOTS / "editor-plan-approved.png").write_bytes(shot)
        circle = np.array(_pixel(shot, page, RED))
        assert circle[1] > 120 and circle[0] < 120, circle
        session = editor.session(session_id)
        assert session.pending_plan is None and found(session.image, "circle", "green")
        edits = [turn for turn in session.history() if turn.kind == "edit"]
        assert len(edits) == 1
        assert [e.message for e in edits[0].trace.events if e.stage == "approve"] == [
            "round 1: plan rejected: a darker green", "round 2: plan approved"]
        assert not errors, errors
        browser.close()
