"""Persistence: the `Store` implementations (memory and SQLAlchemy), their models and Alembic migrations.

SQLAlchemy is imported only inside this package (ARCHITECTURE.md). `bot.store.sql.SqlStore` is imported from its
module so that code needing only the memory store does not load SQLAlchemy.
"""

from bot.store.defaults import ChannelDefaults
from bot.store.memory import MemoryStore

__all__ = ["ChannelDefaults", "MemoryStore"]
