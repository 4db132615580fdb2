"""manifest.json: valid against Slack's manifest schema, and declaring every event, scope and command the code uses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT.parent / "shared" / "fixtures" / "manifest"
ADAPTER = ROOT / "adapters" / "slack"
SCHEMA_BASE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"

# Web API method -> bot scope it needs ("" = none). A method missing here fails the test: add it and its scope.
METHOD_SCOPES = {
    "auth.test": "",
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.getPermalink": "",
    "views.open": "",
    "users.info": "users:read",
    "team.info": "team:read",
    # The outbox's look-up of its own earlier posts (by message metadata) before a retry.
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    # Who is an agent: the members of the agents channels.
    "conversations.members": "channels:read",
}
# bolt event -> manifest bot events (and their scopes) it needs.
EVENT_SUBSCRIPTIONS = {
    "message": {
        "message.channels": "channels:history",
        "message.groups": "groups:history",
        "message.im": "im:history",
        "message.mpim": "mpim:history",
    }
}


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    return data


def code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(ADAPTER.glob("*.py")))


def used_methods() -> set[str]:
    """`client.chat_postMessage(` -> chat.postMessage, using slack_sdk's own method names."""
    from slack_sdk.web.async_client import AsyncWebClient

    found = set()
    for name in re.findall(r"\bclient\.([a-z]+_[A-Za-z_]+)\(", code()):
        assert hasattr(AsyncWebClient, name), f"{name} is not a slack_sdk Web API method"
        family, _, rest = name.partition("_")
        found.add(f"{family}.{rest.replace('_', '.')}")
    return found


def test_manifest_is_valid_against_slacks_schema() -> None:
    if not SCHEMAS.is_dir():
        pytest.skip("../shared/fixtures/manifest is not present")
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    resources = [
        (SCHEMA_BASE + name, Resource.from_contents(json.loads((SCHEMAS / name).read_text())))
        for name in ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json")
    ]
    top = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    validator = Draft7Validator(top, registry=Registry().with_resources(resources))
    errors = sorted(validator.iter_errors(manifest()), key=str)
    assert not errors, "\n".join(str(e.message) for e in errors[:5])
    broken = {**manifest(), "settings": {**manifest()["settings"], "unknown_setting": True}}
    assert list(validator.iter_errors(broken)), "the schema check must be able to fail"


def test_every_web_api_method_the_code_calls_has_its_scope() -> None:
    methods = used_methods()
    assert {"chat.postMessage", "chat.update", "views.open", "users.info"} <= methods
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"add these methods (and their scopes) to METHOD_SCOPES and manifest.json: {unknown}"
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    missing = {METHOD_SCOPES[m] for m in methods} - scopes - {""}
    assert not missing, f"manifest.json lacks bot scopes {missing}"


def test_every_event_and_command_the_code_listens_to_is_declared() -> None:
    source = code()
    events = set(re.findall(r'\.event\("([a-z_]+)"\)', source))
    assert events == set(EVENT_SUBSCRIPTIONS), f"map new events to manifest subscriptions here: {events}"
    declared = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    for event in events:
        assert set(EVENT_SUBSCRIPTIONS[event]) <= declared
        assert set(EVENT_SUBSCRIPTIONS[event].values()) <= scopes

    commands = set(re.findall(r'\.command\("(/[a-z-]+)"\)', source))
    declared_commands = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert commands == {"/frontdesk"} and commands <= declared_commands
    assert "commands" in scopes
    assert all(c.get("should_escape") for c in manifest()["features"]["slash_commands"])  # #channel arrives as <#C…>

    uses_interactivity = ".action(" in source or ".view_submission(" in source
    assert uses_interactivity and manifest()["settings"]["interactivity"]["is_enabled"]


def test_socket_mode_manifest_needs_no_public_url() -> None:
    settings = manifest()["settings"]
    assert settings["socket_mode_enabled"] is True
    assert "request_url" not in settings["event_subscriptions"]
