"""A refusal in the browser editor offers the box tool: drawing a box and sending "remove this"
completes the edit the named thing could not be found for (headless Chromium)."""

from __future__ import annotations

from PIL import Image

from graph import Editor, Settings
from graph.server import create_app
from tests.scenes import found, scene
from tests.test_browser import CHROMIUM, SCREENSHOTS, _send, playwright_api, pytestmark  # noqa: F401
from tests.test_http_api import running_server

RED, BLUE = (30, 90, 100, 160), (200, 90, 270, 160)


def test_not_found_offers_the_box_and_the_box_completes_the_edit(tmp_path):
    image_path = tmp_path / "scene.png"
    Image.fromarray(scene(("circle", "red", RED), ("square", "blue", BLUE))).save(image_path)
    with Editor(Settings.load(store="memory://")) as editor, running_server(create_app(editor)) as base, \
            playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base + "/")
        page.set_input_files("#file-input", str(image_path))
        page.wait_for_selector("#thumbs li", timeout=15_000)

        page.fill("#message", "remove the cup")
        page.click("#send")
        page.wait_for_selector("[data-offer=box]", timeout=30_000)
        assert "cup" in page.locator("#log li.error").last.inner_text()
        assert "cup" in page.locator("[data-offer=box]").inner_text()
        page.click("[data-offer=box]")
        assert page.locator("[data-tool=box]").get_attribute("class") == "active"
        assert page.input_value("#message") == "remove this"

        rect = page.locator("#image").bounding_box()
        scale = rect["width"] / 320
        page.mouse.move(rect["x"] + 190 * scale, rect["y"] + 80 * scale)
        page.mouse.down()
        page.mouse.move(rect["x"] + 280 * scale, rect["y"] + 170 * scale, steps=5)
        page.mouse.up()
        page.click("#send")
        page.wait_for_function("document.querySelectorAll('#log li.bot').length >= 2", timeout=30_000)
        session_id = page.evaluate("location.hash.slice(1)")
        head = editor.session(session_id).image
        assert not found(head, "square") and found(head, "circle", "red")
        if SCREENSHOTS:
            page.screenshot(path=str(SCREENSHOTS / "editor-refusal-box.png"), full_page=True)
        browser.close()
