"""A message's fields from a JSON or a multipart body, and their images decoded for the editor."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from . import errors, uploads
from .config import ServerConfig
from .schemas import MessageRequest


class Fields:
    """A message's fields, whichever encoding they came in; images still as bytes."""

    def __init__(self, text: str, image: bytes | None, mask: bytes | None, box: list[int] | None,
                 references: list[bytes], confirm_plan: bool | None = None) -> None:
        self.text, self.image, self.mask, self.box, self.references = text, image, mask, box, references
        self.confirm_plan = confirm_plan


async def message_fields(request: Request, config: ServerConfig) -> Fields:
    limit = config.max_upload_bytes
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=8, max_fields=16)
        box_text = form.get("box")
        try:
            box = json.loads(box_text) if isinstance(box_text, str) and box_text.strip() else None
            confirm = form.get("confirm_plan")
            body = MessageRequest(text=str(form.get("text") or ""), box=box,
                                  confirm_plan=str(confirm).strip().lower() in ("1", "true", "yes", "on")
                                  if isinstance(confirm, str) and confirm.strip() else None)
        except (ValueError, ValidationError) as exc:
            raise errors.ApiError("invalid_request", f"bad message fields: {exc}") from exc

        async def read(item: Any, name: str) -> bytes | None:
            if item is None or isinstance(item, str):
                return uploads.decode_base64(item, name, limit) if item else None
            return uploads.check_size(await item.read(), name, limit)

        references = [await read(r, "reference_images") for r in form.getlist("reference_images")]
        return Fields(body.text, await read(form.get("image"), "image"), await read(form.get("mask"), "mask"),
                      body.box, [r for r in references if r], body.confirm_plan)
    if content_type and not content_type.startswith("application/json"):
        raise errors.ApiError("unsupported_media_type", "send application/json or multipart/form-data", 415)
    try:
        body = MessageRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise errors.ApiError("invalid_request", details) from exc
    decode = uploads.decode_base64
    return Fields(body.text, decode(body.image, "image", limit) if body.image else None,
                  decode(body.mask, "mask", limit) if body.mask else None, body.box,
                  [decode(r, "reference_images", limit) for r in body.reference_images], body.confirm_plan)


def decode_fields(fields: Fields, max_pixels: int, config: ServerConfig) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if fields.image is not None:
        kwargs["image"] = uploads.decode(fields.image, max_pixels)
    if fields.mask is not None:
        kwargs["mask"] = uploads.decode(fields.mask, max_pixels)
    if fields.box is not None:
        kwargs["box"] = fields.box
    if fields.references:
        kwargs["reference_images"] = [uploads.reference_image(r, max_pixels) for r in fields.references]
    return kwargs
