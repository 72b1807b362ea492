"""The MCP server through the SDK's own client, over stdio (a real subprocess)."""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from pathlib import Path

import anyio
import numpy as np
import pytest
from PIL import Image

pytest.importorskip("mcp")
from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

from tests.scenes import found, scene  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


def _png_b64(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _parts(result):
    texts = [c.text for c in result.content if c.type == "text"]
    images = [Image.open(io.BytesIO(base64.b64decode(c.data))).convert("RGB")
              for c in result.content if c.type == "image"]
    return texts, images


async def _conversation(tmp_path: Path) -> None:
    env = {**os.environ, "RETOUCH_STORE": f"sqlite:///{tmp_path / 'mcp.db'}", "PYTHONPATH": str(ROOT)}
    params = StdioServerParameters(command=sys.executable, args=["-m", "graph.mcp_server"], env=env, cwd=str(ROOT))
    async with Client(params, read_timeout_seconds=60) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"open_session", "send_instruction", "undo", "get_image", "decide_plan"} <= names

        opened = await client.call_tool("open_session", {})
        session_id = json.loads(opened.content[0].text)["session_id"]
        assert len(session_id) == 32

        result = await client.call_tool("send_instruction", {"session_id": session_id, "text": "remove the red circle",
                                                              "image_base64": _png_b64(SCENE)})
        texts, images = _parts(result)
        assert not result.is_error and json.loads(texts[0])["passed"] is True
        assert not found(images[0], "circle", "red") and found(images[0], "square", "blue")

        result = await client.call_tool("send_instruction", {"session_id": session_id,
                                                              "text": "make the square green"})
        _, images = _parts(result)
        assert found(images[0], "square", "green")

        result = await client.call_tool("undo", {"session_id": session_id})
        _, images = _parts(result)
        assert found(images[0], "square", "blue") and not found(images[0], "circle", "red")

        texts, images = _parts(await client.call_tool("get_image", {"session_id": session_id}))
        assert json.loads(texts[0])["size"] == [320, 240]
        assert found(images[0], "square", "blue")

        # a plan that waits for approval: shown, refused while it waits, rejected, then approved
        result = await client.call_tool("send_instruction", {"session_id": session_id, "confirm_plan": True,
                                                              "text": "make the square yellow"})
        texts, _ = _parts(result)
        waiting = json.loads(texts[0])
        assert waiting["needs_approval"] and waiting["pending_plan"]["plan"]["operations"][0]["kind"] == "recolor"
        reopened = json.loads((await client.call_tool("open_session", {"session_id": session_id})).content[0].text)
        assert reopened["pending_plan"]["turn"] == waiting["turn"]
        busy = await client.call_tool("send_instruction", {"session_id": session_id, "text": "undo"})
        assert busy.is_error and "plan_pending" in busy.content[0].text
        texts, _ = _parts(await client.call_tool("decide_plan", {"session_id": session_id, "approve": False,
                                                                 "feedback": "a deeper yellow"}))
        assert json.loads(texts[0])["pending_plan"]["round"] == 2
        texts, images = _parts(await client.call_tool("decide_plan", {"session_id": session_id, "approve": True}))
        assert json.loads(texts[0])["passed"] is True and found(images[0], "square", "yellow")
        none = await client.call_tool("decide_plan", {"session_id": session_id, "approve": True})
        assert none.is_error and "no_pending_plan" in none.content[0].text

        missing = await client.call_tool("undo", {"session_id": "0" * 32})
        assert missing.is_error and "session_not_found" in missing.content[0].text
        bad = await client.call_tool("send_instruction", {"session_id": session_id, "text": "flibber the gronk"})
        assert bad.is_error and "unparseable_instruction" in bad.content[0].text


def test_mcp_conversation_over_stdio(tmp_path):
    anyio.run(_conversation, tmp_path)
