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
