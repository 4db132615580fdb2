"""Settings: environment names, database URL defaults, and strict config validation that names file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.settings import Config, Settings, load_config

ROOT = Path(__file__).resolve().parents[3]


def test_environment_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")
    monkeypatch.setenv("FRONTDESK_KB", "some/kb")
    settings = Settings()
    assert settings.kb_dir == Path("some/kb")
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'frontdesk.db'}"
    assert "xoxb-secret-value" not in repr(settings)  # secrets are never printed
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-secret-value"


def test_plain_postgres_url_is_made_async(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    assert Settings().resolved_database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text("[escalation]\nthreshhold = 0.5\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and "unknown key 'escalation.threshhold'" in str(info.value)


def test_bad_value_and_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "frontdesk.toml"
    path.write_text("[escalation]\nthreshold = 2\n")
    with pytest.raises(ConfigError, match="'escalation.threshold'"):
        load_config(path)
    path.write_text("[escalation\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_missing_config_file_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FRONTDESK_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        Settings().load_config()


def test_example_config_is_valid() -> None:
    config = load_config(ROOT / "examples" / "frontdesk.toml")
    assert isinstance(config, Config)
    assert config.escalation.threshold == pytest.approx(0.70)
