"""Database URLs: accept what people paste (``postgres://``, ``sqlite:///``) and turn it into the async drivers.

Both the store and the migrations go through `async_url`, so a URL that works for one works for the other, and a
wrong one fails with a message that says what to write instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.core.errors import ConfigError

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg_async": "postgresql+psycopg",
}

EXAMPLES = "sqlite+aiosqlite:///var/frontdesk.db or postgresql+psycopg://user:pass@host:5432/dbname"
# user:password@ in the authority (the password may itself hold '@' or ':'), and password=… in a query string
_USERINFO_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^/\s]*@")
_QUERY_PASSWORD = re.compile(r"((?:password|passwd|pwd)=)[^&\s]*", re.IGNORECASE)


def redact(url: str) -> str:
    """`url` with any password replaced by `***`, for messages and logs; works on text that does not even parse."""
    return _QUERY_PASSWORD.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1***@", url))


def async_url(url: str) -> URL:
    """Parse `url`, switch it to an async driver, and create the parent directory of a SQLite file."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"database URL {redact(url)!r} is not a valid URL; use e.g. {EXAMPLES}") from None
    except ValueError:  # the port is not a number; the parser's own message may quote part of the password
        raise ConfigError(
            f"database URL {redact(url)!r} is not a valid URL: the port must be a number, and '@', ':' or '/' in "
            f"the password must be percent-encoded (%40, %3A, %2F); use e.g. {EXAMPLES}"
        ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ConfigError(f"database URL scheme {parsed.drivername!r} is not supported; use e.g. {EXAMPLES}")
    parsed = parsed.set(drivername=driver)
    if driver.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create {folder} for the SQLite database: {exc.strerror}") from None
    return parsed


def sync_url(url: str) -> str:
    """The same database for a synchronous SQLAlchemy engine (APScheduler's job store is synchronous)."""
    parsed = async_url(url)
    driver = "sqlite" if parsed.drivername.startswith("sqlite") else "postgresql+psycopg"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The SQLite file behind `url`, or None for PostgreSQL and in-memory SQLite."""
    parsed = async_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser().resolve()
