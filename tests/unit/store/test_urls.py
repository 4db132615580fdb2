"""Database URLs in messages: every error names the database so it can be fixed, and never shows its password."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.store.migrate import current, upgrade
from bot.store.urls import async_url, redact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bob:hunter2@db:5432/fd", "postgresql://bob:***@db:5432/fd"),
        ("postgresql://bob:p@ss:w0rd@db/fd", "postgresql://bob:***@db/fd"),  # unencoded '@' and ':' in it
        ("postgresql://db/fd?user=bob&password=hunter2&sslmode=require",
         "postgresql://db/fd?user=bob&password=***&sslmode=require"),
        ("postgresql://bob@db/fd", "postgresql://bob@db/fd"),
        ("sqlite+aiosqlite:///var/frontdesk.db", "sqlite+aiosqlite:///var/frontdesk.db"),
        ("not a url", "not a url"),
    ],
)
def test_redact_hides_only_the_password(url: str, shown: str) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize(
    "url",
    ["postgresql://bob:hunter2@db:port/fd", "postgresql://bob:hun@ter:2@127.0.0.1/fd"],
)
def test_unparseable_url_is_named_without_its_password(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        async_url(url)
    message = str(caught.value)
    assert "hunter2" not in message and "ter:2" not in message and "hun" not in message
    assert "is not a valid URL: the port must be a number" in message
    assert "\n" not in message


@pytest.mark.parametrize("operation", [upgrade, current])
async def test_unreachable_database_is_a_config_error_without_the_password(operation: object) -> None:
    # 127.0.0.1:1 refuses at once (loopback only; nothing listens on port 1).
    with pytest.raises(ConfigError) as caught:
        await operation("postgresql+psycopg://frontdesk:hunter2@127.0.0.1:1/fd")  # type: ignore[operator]
    message = str(caught.value)
    assert message.startswith("cannot connect to the database at postgresql+psycopg://frontdesk:***@127.0.0.1:1/fd: ")
    assert "hunter2" not in message and "\n" not in message


def test_sqlite_folder_that_cannot_be_created_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot create .*file/sub for the SQLite database"):
        async_url(f"sqlite+aiosqlite:///{blocker}/sub/fd.db")
