"""Without a token, the dashboard cannot be reached through a proxy that adds no forwarding header (issue 18, req. 8).

nginx's default `proxy_pass` and `ssh -L` deliver requests from 127.0.0.1 with no X-Forwarded-For: to the server they
look exactly like a browser on this machine. So once Slack or Teams credentials are set, or the server listens
beyond loopback, the token-less dashboard answers only on a listener of its own bound to 127.0.0.1, and the main
port (the one a proxy forwards) refuses it, saying where it is. Real sockets, real requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from adapters.server import build_web_app, open_dashboard_listener
from tests.adapters.web.test_dashboard import TOKEN, history  # noqa: F401 - the fixture
from tests.history import History

PATHS = ("/dashboard", "/api/dashboard")


async def start(h: History, listen_host: str) -> tuple[web.AppRunner, str, str]:
    """The server as `frontdesk serve` starts it: the main listener, then the dashboard's own when it needs one."""
    web_app = build_web_app(h.app, maintenance_interval=0, pipeline=None, listen_host=listen_host)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, listen_host, 0).start()
    main = f"http://127.0.0.1:{runner.addresses[0][1]}"
    own = await open_dashboard_listener(runner, web_app, 0)
    return runner, main, own


async def get(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http, http.get(url, headers=headers) as response:
        return response.status, await response.text()


@pytest.fixture(params=["credentials", "wildcard"])
async def exposed(request: pytest.FixtureRequest, history: History) -> AsyncIterator[tuple[web.AppRunner, str, str]]:  # noqa: F811
    """A server real customers can reach: Slack/Teams credentials set (behind a proxy on loopback), or bound to 0.0.0.0."""
    if request.param == "credentials":
        history.app.settings.teams_app_password = SecretStr("app-password")  # a platform is configured
        runner, main, own = await start(history, "127.0.0.1")
    else:
        runner, main, own = await start(history, "0.0.0.0")
    yield runner, main, own
    await runner.cleanup()


async def test_a_headerless_proxy_to_the_main_port_is_refused(exposed: tuple[web.AppRunner, str, str]) -> None:
    _, main, own = exposed
    assert own.startswith("http://127.0.0.1:") and own.endswith("/dashboard")
    for path in PATHS:
        status, text = await get(main + path)  # exactly what nginx's default proxy_pass or ssh -L deliver
        assert status == 403, path
        assert own in text and "FRONTDESK_DASHBOARD_TOKEN" in text  # where it is, and how to open it up
    assert (await get(main + "/healthz"))[0] == 200  # the rest of the server is unaffected


async def test_the_dashboards_own_listener_is_loopback_only_and_still_refuses_forwarded_requests(
    exposed: tuple[web.AppRunner, str, str],
) -> None:
    runner, _, own = exposed
    port = int(own.rsplit(":", 1)[1].split("/")[0])
    hosts = {address[0] for address in runner.addresses if address[1] == port}
    assert hosts == {"127.0.0.1"}, "bound to loopback only, never a wider address"
    for path in PATHS:
        assert (await get(own.removesuffix("/dashboard") + path))[0] == 200
        assert (await get(own.removesuffix("/dashboard") + path, **{"X-Forwarded-For": "203.0.113.9"}))[0] == 403


async def test_a_token_opens_the_main_port_and_needs_no_listener_of_its_own(history: History) -> None:  # noqa: F811
    history.app.settings.dashboard_token = SecretStr(TOKEN)
    history.app.settings.teams_app_password = SecretStr("app-password")
    runner, main, own = await start(history, "0.0.0.0")
    try:
        assert own == ""
        assert (await get(main + "/api/dashboard"))[0] == 401
        assert (await get(main + "/api/dashboard", Authorization=f"Bearer {TOKEN}"))[0] == 200
    finally:
        await runner.cleanup()


async def test_a_busy_dashboard_port_leaves_the_dashboard_off_not_the_server(history: History) -> None:  # noqa: F811
    history.app.settings.teams_app_password = SecretStr("app-password")
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    taken = blocker.sockets[0].getsockname()[1]
    web_app = build_web_app(history.app, maintenance_interval=0, pipeline=None, listen_host="127.0.0.1")
    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        assert await open_dashboard_listener(runner, web_app, taken) == ""
        main = f"http://127.0.0.1:{runner.addresses[0][1]}"
        assert (await get(main + "/dashboard"))[0] == 403 and (await get(main + "/healthz"))[0] == 200
    finally:
        await runner.cleanup()
        blocker.close()
        await blocker.wait_closed()




def test_serve_prints_the_dashboards_own_address() -> None:
    from bot.cli.main import running_line

    line = running_line("0.0.0.0", 8080, dashboard=True, dashboard_url="http://127.0.0.1:8090/dashboard")
    assert "leads' dashboard: http://127.0.0.1:8090/dashboard (this machine only)" in line
