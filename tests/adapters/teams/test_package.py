"""`frontdesk teams package` through the CLI: a zip with a manifest that validates against the Teams manifest schema
shipped in this folder, the command list matching the commands the bot understands, and two icons of the sizes
Teams requires."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
from PIL import Image
from typer.testing import CliRunner

from adapters.teams.package import COMMANDS
from bot.cli.main import app
from bot.orchestration.commands import COMMANDS as UNDERSTOOD
from tests.adapters.teams.conftest import APP_ID

SCHEMA = json.loads((Path(__file__).parent / "teams_manifest.schema.json").read_text(encoding="utf-8"))
runner = CliRunner()


def test_package_writes_a_valid_app_package(tmp_path: Path) -> None:
    out = tmp_path / "frontdesk-teams.zip"
    result = runner.invoke(app, ["teams", "package", "--app-id", APP_ID, "--domain", "frontdesk.example.com", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png")))
    jsonschema.validate(manifest, SCHEMA)
    assert manifest["manifestVersion"] == "1.17" and manifest["id"] == APP_ID == manifest["bots"][0]["botId"]
    assert manifest["supportedChannelTypes"] == ["sharedChannels", "privateChannels"]
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in manifest["authorization"]["permissions"]["resourceSpecific"]
    assert manifest["validDomains"] == ["frontdesk.example.com"]
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert set(titles) <= set(UNDERSTOOD) and titles == [t for t, _ in COMMANDS]
    assert color.size == (192, 192) and outline.size == (32, 32)
    corners = [outline.getpixel((0, 0)), outline.getpixel((31, 31))]
    assert all(pixel[3] == 0 for pixel in corners)  # transparent outline background
    assert {outline.getpixel((x, y))[:3] for x in range(32) for y in range(32) if outline.getpixel((x, y))[3]} == {(255, 255, 255)}


def test_the_schema_refuses_what_teams_refuses() -> None:
    bad = {"manifestVersion": "1.17", "version": "1.0", "id": "not-a-guid"}
    errors = list(jsonschema.Draft7Validator(SCHEMA).iter_errors(bad))
    assert len(errors) >= 3  # missing fields, version pattern, id pattern


def test_bad_options_are_one_clear_error_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x.zip"
    result = runner.invoke(app, ["teams", "package", "--app-id", "frontdesk", "--domain", "https://x.example.com", "--out", str(out)])
    assert result.exit_code != 0 and "Microsoft App ID (a GUID)" in result.output and "without https://" in result.output
    assert not out.exists()
