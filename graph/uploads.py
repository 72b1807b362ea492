"""An image the user sent, kept as the session's head on its own: an upload without words, or the
image that came with a message that failed (so the next message can edit it)."""

from __future__ import annotations

from state import SessionStore
from state.errors import SessionConflict
from state.models import Turn, TurnKind, Version, new_id


def commit_upload(store: SessionStore, session_id: str, image_ref: str, *, message: str = "(image upload)",
                  reply: str = "") -> Turn:
    """Make the stored image ``image_ref`` the session's head as an ``upload`` turn (undo goes back
    to the previous head), with one optimistic commit like every other turn."""
    snapshot = store.load(session_id, recent=0)
    meta = snapshot.meta.model_copy(deep=True)
    index = meta.turn_count + 1
    head = snapshot.head
    width, height = store.images.get_image(image_ref).size
    version = Version(id=new_id(), parent=meta.head, image_ref=image_ref, width=width, height=height,
                      turn=index, note="uploaded", next_entity=head.next_entity if head else 1)
    turn = Turn(index=index, message=message, kind=TurnKind.UPLOAD, base_version=meta.head,
                version_id=version.id, reply=reply or f"Image uploaded ({width}x{height}).")
    meta.head, meta.redo, meta.pending, meta.turn_count = version.id, [], None, index
    if not meta.title and message != "(image upload)":
        meta.title = message[:60]
    store.commit(meta, snapshot.meta.revision, turn, [version])
    return turn


def keep_sent_image(store: SessionStore, session_id: str, image_ref: str, message: str, error: Exception) -> None:
    """After a failed message, keep the image that came with it (unless it is already the head)."""
    try:
        if not store.exists(session_id):
            return
        head = store.load(session_id, recent=0).head
        if head is not None and head.image_ref == image_ref:
            return
        code = getattr(error, "code", type(error).__name__)
        commit_upload(store, session_id, image_ref, message=message or "(image upload)",
                      reply=f"Image kept; the message was not carried out ({code}): {error}")
    except SessionConflict:
        pass  # another writer moved the session on; its state wins, and this image stays in the blob store
