"""load_session: the stored session (or a new one), the images and regions that came with the message."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import numpy as np
from langgraph.runtime import Runtime

from agents.regions import box_mask
from state.errors import MissingImage
from state.images import load_image
from state.models import SessionMeta, Trace, Version, new_id

from ..state import Context, GraphState
from .common import emit, services


def _decode_input_image(value: str, max_pixels: int):
    """A path, a base64 string or a data URL → RGB image."""
    if value.startswith("data:"):
        value = value.split(",", 1)[1]
    if len(value) < 4096 and Path(value).exists():
        return load_image(value, max_pixels=max_pixels)
    try:
        data = base64.b64decode(value, validate=True)
    except Exception:
        return load_image(value, max_pixels=max_pixels)  # raises MissingImage naming the path
    return load_image(data, max_pixels=max_pixels)


def load_session(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    found = services(runtime)
    store, images = found.store, found.store.images
    trace = Trace(retries=state.get("conflict_retries") or 0)
    if trace.retries:
        trace.add("load", f"re-running the turn after {trace.retries} SessionConflict(s): another writer committed first")
    session_id = state.get("session_id") or ""
    if session_id and store.exists(session_id):
        snapshot = store.load(session_id, recent=found.settings.recent_turns)
    else:
        meta = SessionMeta(id=session_id or new_id())
        store.create(meta)
        snapshot = store.load(meta.id, recent=0)
    max_pixels = found.settings.max_pixels
    image_ref = state.get("image_ref")
    if state.get("image"):
        image_ref = images.put_image(_decode_input_image(state["image"], max_pixels))
    new_versions: list[Version] = []
    base = snapshot.head
    if image_ref:
        array = images.get_array(image_ref)
        upload = Version(id=new_id(), parent=snapshot.meta.head, image_ref=image_ref, width=array.shape[1],
                         height=array.shape[0], turn=snapshot.meta.turn_count + 1, note="uploaded",
                         next_entity=base.next_entity if base else 1)
        new_versions.append(upload)
        base = upload
    mask_ref = state.get("mask_ref")
    if state.get("mask"):
        mask_image = _decode_input_image(state["mask"], max_pixels)
        mask_ref = images.put_mask(np.asarray(mask_image.convert("L")) > 127)
    if state.get("box") and not mask_ref:
        if base is None:
            raise MissingImage("a box points at the image, but there is no image yet")
        mask_ref = images.put_mask(box_mask(tuple(state["box"]), (base.height, base.width)))
    reference_refs = list(state.get("reference_refs") or []) + [
        images.put_image(_decode_input_image(r, max_pixels)) for r in state.get("reference_images", [])]
    trace.add("load", f"session {snapshot.meta.id} at revision {snapshot.meta.revision}",
              (time.perf_counter() - started) * 1000)
    emit("load", "session loaded", session_id=snapshot.meta.id)
    return {
        "session_id": snapshot.meta.id, "snapshot": snapshot, "base": base, "new_versions": new_versions,
        "user_mask_ref": mask_ref, "references": reference_refs, "history_command": state.get("command"),
        "trace": trace, "round": 0,
        "plan": None, "critique": None, "execution": None, "clarification": None, "discovered": [],
        "attempts": None, "executions": None, "turn_index": snapshot.meta.turn_count + 1, "error": None,
        # Inputs are consumed here: on a thread that keeps its state (Studio, a checkpointer), the
        # next turn must not see this turn's image, mask or command again.
        "image": None, "image_ref": None, "mask": None, "mask_ref": None, "box": None, "reference_images": [],
        "reference_refs": [], "command": None, "conflict_retries": 0,
    }
