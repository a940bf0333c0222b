"""Domain errors that views turn into form messages or HTTP responses."""
from __future__ import annotations


class ValidationFailed(Exception):
    """A service refused input; ``reasons`` are (field name or None, message) pairs."""

    def __init__(self, reasons: list[tuple[str | None, str]]):
        super().__init__("; ".join(msg for _, msg in reasons))
        self.reasons = reasons


class StaleData(Exception):
    """Someone else saved the same record since this copy was loaded."""

    def __init__(self, what: list[str] | None = None):
        super().__init__(", ".join(what or []))
        self.what = what or []
