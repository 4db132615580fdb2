"""/api/messages with MICROSOFT_APP_ID set: botbuilder validates the Bot Framework token against OpenID metadata and
a key set served on loopback (a locally generated RSA key, endorsements ["msteams"]). Every failure is a 401, never a
500; a valid token is accepted. The metadata server runs on the test's own event loop, so these tests also show that
botbuilder's blocking `requests.get` of the metadata runs off the loop (on the loop it would wait for itself)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.adapters.teams.conftest import APP_ID, OUR_TENANT, Teams, installed, make_config, make_settings, start_teams
from tests.adapters.teams.fake_connector import FakeConnector

ISSUER = "https://api.botframework.com"
KID = "local-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Keys:
    key: rsa.RSAPrivateKey
    server: TestServer
    fetches: int = 0

    @property
    def metadata_url(self) -> str:
        return str(self.server.make_url("/v1/.well-known/openidconfiguration"))

    def token(self, service_url: str, *, key: rsa.RSAPrivateKey | None = None, kid: str = KID, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 60, "exp": now + 3600, **claims}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
async def keys() -> AsyncIterator[Keys]:
    key = new_key()
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    state: dict[str, Keys] = {}

    async def metadata(request: web.Request) -> web.Response:
        state["keys"].fetches += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": str(request.url.with_path("/v1/keys")),
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def jwks(_: web.Request) -> web.Response:
        return web.json_response({"keys": [{**jwk, "kid": KID, "use": "sig", "endorsements": ["msteams"]}]})

    app = web.Application()
    app.router.add_get("/v1/.well-known/openidconfiguration", metadata)
    app.router.add_get("/v1/keys", jwks)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state["keys"] = Keys(key, server)
    yield state["keys"]
    await server.close()


@pytest.fixture
async def secured(fake: FakeConnector, keys: Keys, tmp_path: Any) -> AsyncIterator[Teams]:
    settings = make_settings(
        tmp_path,
        teams_app_id=APP_ID,
        teams_app_password="not-a-real-secret",
        teams_app_tenant_id=OUR_TENANT,
        teams_openid_metadata_url=keys.metadata_url,
        teams_token_issuer=ISSUER,
    )
    # No installation activities first: they would need a token too (each test sends its own).
    harness, client = await start_teams(fake, settings, make_config(), install=False)
    yield harness
    await client.close()


async def test_a_valid_token_is_accepted_and_the_keys_were_warmed_at_start(secured: Teams, keys: Keys) -> None:
    assert keys.fetches == 1  # fetched when the server started, not by the first customer's message
    activity = installed("19:general@thread.tacv2", secured.fake.url)
    response = await secured.post(activity, {"Authorization": f"Bearer {keys.token(secured.fake.url)}"})
    assert response.status == 201
    assert await secured.runtime.references.get("19:general@thread.tacv2") is not None
    assert keys.fetches == 1


@pytest.mark.parametrize(
    "case",
    ["no header", "not bearer", "garbage", "unknown key", "wrong signature", "wrong audience", "expired",
     "other serviceurl", "wrong issuer"],
)
async def test_every_bad_token_is_a_401_and_changes_nothing(secured: Teams, keys: Keys, case: str) -> None:
    url = secured.fake.url
    headers = {
        "no header": {},
        "not bearer": {"Authorization": f"Basic {keys.token(url)}"},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "unknown key": {"Authorization": f"Bearer {keys.token(url, key=new_key(), kid='someone-else')}"},
        "wrong signature": {"Authorization": f"Bearer {keys.token(url, key=new_key())}"},
        "wrong audience": {"Authorization": f"Bearer {keys.token(url, aud='another-bot')}"},
        "expired": {"Authorization": f"Bearer {keys.token(url, exp=int(time.time()) - 600)}"},
        "other serviceurl": {"Authorization": f"Bearer {keys.token('https://smba.trafficmanager.net/emea/x/')}"},
        "wrong issuer": {"Authorization": f"Bearer {keys.token(url, iss='https://evil.example.com')}"},
    }[case]
    response = await secured.post(installed("19:general@thread.tacv2", url), headers)
    assert response.status == 401, await response.text()
    assert await response.json() == {"error": "unauthorized"}
    assert await secured.runtime.references.get("19:general@thread.tacv2") is None
    assert not secured.fake.calls


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [("<html><body>hi</body></html>", "text/html", 415), ("", "application/json", 400), ("{not json", "application/json", 400),
     ("[1, 2]", "application/json", 400), ('{"text": "no type"}', "application/json", 400)],
)
async def test_what_is_not_an_activity_is_refused_plainly(secured: Teams, body: str, content_type: str, status: int) -> None:
    response = await secured.http.post("/api/messages", data=body.encode(), headers={"Content-Type": content_type})
    assert response.status == status and "error" in await response.json()


async def test_no_content_type_header_is_a_415_not_a_500(secured: Teams) -> None:
    response = await secured.http.post("/api/messages", data=b"{}", skip_auto_headers={"Content-Type"})
    assert response.status == 415
