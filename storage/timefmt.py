"""Timestamps are stored as ISO 8601 UTC text, which sorts like time."""

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)  # reads the trailing Z as UTC (Python ≥ 3.11)


def from_db_optional(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
