"""Typed errors of the dialogue-state layer.

Every failure a user can cause or meet has its own class, so callers can react to it
(retry a conflict, report a missing session) instead of parsing messages.
"""

from __future__ import annotations


class RetouchError(Exception):
    """Base class of every error Retouch raises on purpose."""

    code = "retouch_error"


class SessionNotFound(RetouchError):
    """No session with that id exists in the store."""

    code = "session_not_found"


class VersionNotFound(RetouchError):
    """The session has no image version with that id."""

    code = "version_not_found"


class SessionConflict(RetouchError):
    """Another writer committed to the session first; the turn was not written."""

    code = "session_conflict"

    def __init__(self, session_id: str, expected: int, actual: int | None):
        self.session_id = session_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"session {session_id} changed while this turn ran (expected revision {expected}, "
            f"found {actual}); nothing was written - send the message again"
        )


class StoreUnavailable(RetouchError):
    """The session store cannot be reached (a Redis that went away, a locked file)."""

    code = "store_unavailable"


class HistoryError(RetouchError):
    """An undo/redo/revert that has nothing to act on (nothing to undo, no such turn)."""

    code = "history_error"


class ImageError(RetouchError):
    """An image that cannot be used: missing, corrupt, unsupported or too large."""

    code = "image_error"


class MissingImage(ImageError):
    """The turn needs an image and the session has none."""

    code = "missing_image"


class CorruptImage(ImageError):
    """The bytes given are not a decodable image."""

    code = "corrupt_image"


class ImageTooLarge(ImageError):
    """The image has more pixels than the configured limit."""

    code = "image_too_large"
