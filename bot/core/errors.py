"""Errors a user can act on. The CLI prints their message and exits non-zero; it never shows a traceback."""

from __future__ import annotations


class FrontdeskError(Exception):
    """Base for errors caused by input or configuration; the message says what to fix."""


class ConfigError(FrontdeskError):
    """The configuration file or environment is invalid (the message names the file and key)."""


class KnowledgeError(FrontdeskError):
    """A knowledge-base file is invalid (the message names the file and field)."""


class NotFound(FrontdeskError):
    """A referenced object (handoff, conversation, draft) does not exist."""


class Conflict(FrontdeskError):
    """The action no longer applies (e.g. a handoff already claimed by someone else)."""


def handoff_not_found(ticket_id: str) -> NotFound:
    """The one wording for a missing handoff, whichever adapter, desk action or store notices it."""
    return NotFound(f"no handoff with id {ticket_id!r}")


class DeliveryError(FrontdeskError):
    """A platform refused or failed a send. `retry_after` (seconds) is the platform's own wait (HTTP Retry-After);
    `permanent` means retrying the same request cannot help (a channel that does not exist, a bad request)."""

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class StoreUnavailable(FrontdeskError):
    """The database cannot be written (down, read-only, locked for too long): the caller should answer 503."""
