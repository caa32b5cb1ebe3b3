"""One exception tree, so callers can catch everything of ours with ``AuditorError``.

Messages say what was expected and what was seen, and name the file, rule or photo concerned.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.types import RejectedPhoto


class AuditorError(Exception):
    """Base of every error the auditor raises on purpose."""


class ManualError(AuditorError):
    """The standardization manual is unreadable or invalid."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{file}: the manual is invalid ({len(problems)} problem(s)):\n{listing}")


class PhotoReadError(AuditorError):
    """A photo cannot be read or is unsuitable (not an image, truncated, too large).

    The reason is a key of the translation table with its parameters (``reason`` is its English text)."""

    def __init__(self, photo: str, key: str, **params: str | int | float):
        from auditor.i18n import t  # i18n imports the core types; imported here to keep this module a leaf

        self.photo = photo
        self.key = key
        self.params = params
        self.reason = t(key, "en", **params)
        super().__init__(f"{photo}: {self.reason}")

    def rejected(self) -> RejectedPhoto:
        from auditor.types import RejectedPhoto

        return RejectedPhoto(photo=self.photo, reason=self.reason, key=self.key, params=self.params)


class DetectorConfigError(AuditorError):
    """The detector configuration under models/ is invalid or names weights that cannot be loaded."""


class StoreError(AuditorError):
    """The audit store cannot be opened, or a requested audit, hall or round does not exist."""


class ConflictError(StoreError):
    """Someone else changed the same thing since it was read (two inspectors overriding one verdict at once).

    ``by``, ``at`` (UTC), ``verdict`` and ``comment`` describe the other change when it is known, so a screen
    can say it in the reader's language and time zone."""

    def __init__(self, message: str, by: str | None = None, at: datetime | None = None, verdict: str | None = None,
                 comment: str | None = None):
        super().__init__(message)
        self.by, self.at, self.verdict, self.comment = by, at, verdict, comment
