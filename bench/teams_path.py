"""Latency through the real Teams path: activities POSTed to `/api/messages` of the real server, the real engine on
the bundled example knowledge base, replies out through botbuilder's connector client to a local Bot Connector.

Prints, for one message at a time on an idle server (the next is sent after the previous reply arrived):
ack latency (what the Bot Framework waits for, p50/p99), end-to-end latency (activity sent → reply posted,
p50/p99), and replies received (none may be lost). With --auth, the ack of `conversationUpdate` activities carrying
a signed token checked against a local OpenID metadata + key set (the cost of validation in its worker thread).

    .venv/bin/python -m bench.teams_path [--messages 200] [--auth]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.server import build_web_app
from bench.http_path import QUESTIONS, percentile
from bot.bootstrap import bootstrap, open_store
from bot.settings import Settings, load_config
from tests.adapters.teams.conftest import AGENTS, APP_ID, OUR_TENANT, installed, message
from tests.adapters.teams.fake_connector import FakeConnector

ROOT = Path(__file__).resolve().parents[1]


async def keys_server() -> tuple[TestServer, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": "k1", "endorsements": ["msteams"]}
    app = web.Application()

    async def metadata(request: web.Request) -> web.Response:
        return web.json_response({"issuer": "https://api.botframework.com", "jwks_uri": str(request.url.with_path("/keys"))})

    async def keys(_: web.Request) -> web.Response:
        return web.json_response({"keys": [jwk]})

    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", keys)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server, key


async def run(messages: int, auth: bool) -> dict[str, Any]:
    fake = FakeConnector()
    await fake.start()
    keys, key = await keys_server() if auth else (None, None)
    with tempfile.TemporaryDirectory() as data_dir:
        extra: dict[str, Any] = {}
        if keys is not None:
            extra = {"teams_app_id": APP_ID, "teams_app_password": "x", "teams_app_tenant_id": OUR_TENANT,
                     "teams_openid_metadata_url": str(keys.make_url("/openid")),
                     "teams_token_issuer": "https://api.botframework.com"}
        settings = Settings(kb_dir=ROOT / "examples" / "kb", data_dir=Path(data_dir), database_url="",
                            teams_tenant_id=OUR_TENANT, teams_agents_channel=AGENTS, **extra)
        base = load_config(ROOT / "examples" / "frontdesk.toml")
        config = base.model_copy(update={"routing": base.routing.model_copy(update={"approval_days": 0}),
                                          "server": base.server.model_copy(update={"playground": False})})
        app = await bootstrap(settings, config=config, store=await open_store(settings, config))
        client = TestClient(TestServer(build_web_app(app, maintenance_interval=0), host="127.0.0.1"))
        await client.start_server()
        if key is None:  # the agents channel, for the handoffs among the answers
            await client.post("/api/messages", json=installed(AGENTS, fake.url))
        acks: list[float] = []
        ends: list[float] = []
        for i in range(messages):
            if key is not None:
                activity = installed(f"19:bench{i}@thread.tacv2", fake.url)
                now = int(time.time())
                claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": fake.url,
                          "nbf": now - 60, "exp": now + 3600}
                headers = {"Authorization": "Bearer " + jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})}
            else:
                activity, headers = message(QUESTIONS[i % len(QUESTIONS)], fake.url), {}
            before = len(fake.posts())
            start = time.perf_counter()
            response = await client.post("/api/messages", json=activity, headers=headers)
            await response.read()
            acks.append(time.perf_counter() - start)
            assert response.status in (200, 201), response.status
            if key is None:
                deadline = start + 30
                while len(fake.posts()) == before and time.perf_counter() < deadline:
                    await asyncio.sleep(0.0005)
                if len(fake.posts()) > before:
                    ends.append(time.perf_counter() - start)
        await client.close()
        await fake.stop()
        if keys is not None:
            await keys.close()
    result: dict[str, Any] = {"messages": messages, "auth": auth,
                              "ack_p50_ms": 1000 * statistics.median(acks), "ack_p99_ms": 1000 * percentile(acks, 0.99)}
    if not auth:
        result |= {"end_to_end_p50_ms": 1000 * statistics.median(ends), "end_to_end_p99_ms": 1000 * percentile(ends, 0.99),
                   "replies": len(ends)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--auth", action="store_true", help="signed conversationUpdates: the cost of token checks")
    args = parser.parse_args()
    for name, value in asyncio.run(run(args.messages, args.auth)).items():
        print(f"{name:>20}: {value:.1f}" if isinstance(value, float) else f"{name:>20}: {value}")


if __name__ == "__main__":
    main()
