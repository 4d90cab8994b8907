"""Storage: the only package that writes SQL (aiosqlite over one SQLite file)."""

from storage.store import Repositories, Storage

__all__ = ["Repositories", "Storage"]
