"""Retouch as an MCP server (``retouch mcp``, stdio): tools to open a session, send instructions,
undo, and fetch the image, for MCP clients such as desktop assistants and IDEs.

Images go in as base64 (or a file path the server can read) and come back as MCP image content
(PNG), next to a JSON summary of the turn. Failures are tool errors that start with the same
stable code the HTTP API uses (``session_not_found: …``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image

from state.errors import RetouchError
from state.images import load_image

from .api import Editor, TurnResult
from .settings import Settings

INSTRUCTIONS = (
    "Edit images by conversation. Call open_session (no id = a new session), then send_instruction with "
    "the first message and the image (base64 PNG/JPEG or a path), then more instructions in plain words "
    "('remove the red circle', 'make it bigger', 'undo'). get_image returns the current image. "
    "With confirm_plan=true an instruction stops before its plan runs (needs_approval, pending_plan): "
    "call decide_plan to approve it, or to reject it with feedback for a new plan."
)


def build_server(editor: Editor) -> MCPServer:
    """The MCP server over one editor (tests connect to it in-process or over stdio)."""
    server = MCPServer(name="retouch", instructions=INSTRUCTIONS)
    max_pixels = editor.settings.max_pixels

    def guarded(call):
        try:
            return call()
        except RetouchError as exc:
            raise ToolError(f"{exc.code}: {exc}") from exc

    def summary(result: TurnResult) -> dict[str, Any]:
        return {"session_id": result.session_id, "turn": result.turn_index, "kind": str(result.kind),
                "reply": result.reply, "version_id": result.version_id, "score": result.score,
                "passed": result.passed, "needs_answer": result.needs_answer,
                "needs_approval": result.needs_approval,
                "pending_plan": result.pending_plan.as_json() if result.pending_plan else None}

    def with_image(result: TurnResult) -> list:
        content: list = [json.dumps(summary(result))]
        if result.version_id is not None:  # by version id: right for history turns too
            ref = editor.store.version(result.session_id, result.version_id).image_ref
            content.append(Image(data=editor.store.images.blobs.get(ref), format="png"))
        return content

    @server.tool()
    def open_session(session_id: str | None = None) -> dict[str, Any]:
        """Start a new editing session, or reopen one by id. Returns its id, whether it has an image, and
        a plan waiting for decide_plan if one does."""

        def run() -> dict[str, Any]:
            session = editor.session(session_id or None)
            meta, head = session.meta, session.head
            pending = session.pending_plan
            return {"session_id": session.id, "turns": meta.turn_count, "has_image": head is not None,
                    "size": [head.width, head.height] if head else None,
                    "pending_plan": pending.as_json() if pending else None}

        return guarded(run)

    @server.tool()
    def send_instruction(session_id: str, text: str, image_base64: str | None = None,
                         image_path: str | None = None, confirm_plan: bool = False) -> list:
        """Send one instruction ('remove the red circle'). Attach image_base64 or image_path on the first
        turn (or to replace the image). Returns the reply as JSON and the edited image. confirm_plan=true
        stops before the plan runs and returns it (pending_plan) for decide_plan."""

        def run() -> list:
            session = editor.session(session_id)
            image = None
            if image_base64:
                data = base64.b64decode(image_base64.split(",", 1)[-1] if image_base64.startswith("data:")
                                        else image_base64)
                image = load_image(data, max_pixels=max_pixels)
            elif image_path:
                image = load_image(image_path, max_pixels=max_pixels)
            return with_image(session.send(text, image=image, confirm_plan=confirm_plan or None))

        return guarded(run)

    @server.tool()
    def decide_plan(session_id: str, approve: bool, feedback: str = "") -> list:
        """Approve the plan that waits (it runs; returns the reply and the edited image), or reject it
        with feedback: the planner makes another plan, which waits again (pending_plan)."""
        def run() -> list:
            session = editor.session(session_id)
            return with_image(session.approve() if approve else session.reject(feedback))

        return guarded(run)

    @server.tool()
    def undo(session_id: str) -> list:
        """Undo the last change in the session. Returns the reply and the image after undoing."""
        return guarded(lambda: with_image(editor.session(session_id).undo()))

    @server.tool()
    def get_image(session_id: str) -> list:
        """The session's current image (PNG), with its size and version id."""

        def run() -> list:
            session = editor.session(session_id)
            head = session.head
            if head is None:
                raise ToolError("missing_image: this session has no image yet; send one with send_instruction")
            info = {"session_id": session_id, "version_id": head.id, "size": [head.width, head.height]}
            return [json.dumps(info), Image(data=editor.store.images.blobs.get(head.image_ref), format="png")]

        return guarded(run)

    return server


def run_stdio(store: str | None = None, engines: str | None = None) -> None:
    """Serve over stdin/stdout until the client disconnects."""
    with Editor(Settings.load(store=store, engines=engines)) as editor:
        build_server(editor).run("stdio")


if __name__ == "__main__":  # python -m graph.mcp_server
    run_stdio()
