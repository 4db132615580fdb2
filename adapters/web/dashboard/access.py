"""Who may open the leads' dashboard: it shows customers' questions, so it is never open to the world.

- With `FRONTDESK_DASHBOARD_TOKEN` set, every request must carry it: the browser asks for it (HTTP Basic, any user
  name, the token as password) and scripts send `Authorization: Bearer <token>`; compared in constant time.
- Without a token, only requests from this machine are served: a loopback peer and no proxy header. Behind a
  reverse proxy every request looks local, so a forwarded request (X-Forwarded-For, Forwarded, X-Real-IP) is refused
  and the answer says to set the token.
- A proxy that adds no header (nginx's default `proxy_pass`, `ssh -L`) is indistinguishable from a browser on this
  machine, so without a token the dashboard is also tied to a *listener*: it answers only on a socket bound to a
  loopback address that no proxy was pointed at (`Listeners`). Once Slack or Teams credentials are set, or the
  server listens beyond loopback, that is a listener of its own (127.0.0.1, `[server] dashboard_port`); the main
  port, the one a proxy forwards for Slack, refuses it. Only a playground-only server on loopback (`make run`)
  serves it on its main port.

The playground needs no such gate: it only holds what the person at the keyboard typed. The agents' desk lives in
Slack, whose own membership decides who sees a handoff; nothing there can sign a browser in, hence a token.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from dataclasses import dataclass, field

from aiohttp import web

FORWARDED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
REALM = 'Basic realm="Frontdesk dashboard", charset="UTF-8"'
NO_TOKEN = (
    "The dashboard shows customers' questions, so without FRONTDESK_DASHBOARD_TOKEN it only answers on this machine "
    "(http://127.0.0.1). Set FRONTDESK_DASHBOARD_TOKEN on the server and sign in with it as the password."
)


@dataclass(slots=True)
class Listeners:
    """Which of the server's sockets may serve the dashboard without a token (identified by their local port)."""

    shared: bool = False  # the main listener may: it is bound to loopback and no platform is configured
    ports: set[int] = field(default_factory=set)  # the dashboard's own loopback listeners (`serve` opens one)

    def url(self) -> str:
        return f"http://127.0.0.1:{min(self.ports)}/dashboard" if self.ports else ""


LISTENERS: web.AppKey[Listeners] = web.AppKey("frontdesk.dashboard.listeners", Listeners)


def _given(header: str) -> str:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def _local(request: web.Request) -> bool:
    if any(name in request.headers for name in FORWARDED):
        return False
    try:
        return request.remote is not None and ipaddress.ip_address(request.remote).is_loopback
    except ValueError:  # a Unix socket peer has no IP address
        return False


def _loopback(address: object) -> bool:
    try:
        return isinstance(address, str) and ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _dashboard_listener(request: web.Request) -> bool:
    """The connection came in on a loopback-bound socket allowed to serve the dashboard without a token."""
    listeners = request.app.get(LISTENERS)
    transport = request.transport
    local = transport.get_extra_info("sockname") if transport is not None else None
    if listeners is None or not isinstance(local, tuple) or len(local) < 2 or not _loopback(local[0]):
        return False
    return listeners.shared or local[1] in listeners.ports


def has_token(request: web.Request, token: str) -> bool:
    """The request carries `token` (Bearer, or Basic with any user name), compared in constant time."""
    given = _given(request.headers.get("Authorization", ""))
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def refusal(request: web.Request, token: str | None) -> web.Response | None:
    """None when the request may see the dashboard; otherwise the 401/403 response to send."""
    if token:
        given = _given(request.headers.get("Authorization", ""))
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return None
        return web.Response(status=401, text="Sign in with the dashboard token (FRONTDESK_DASHBOARD_TOKEN) as the "
                            "password.", headers={"WWW-Authenticate": REALM, "Cache-Control": "no-store"})
    if _local(request) and _dashboard_listener(request):
        return None
    listeners = request.app.get(LISTENERS)
    elsewhere = listeners.url() if listeners is not None else ""
    text = NO_TOKEN if not elsewhere else NO_TOKEN.replace("(http://127.0.0.1)", f"({elsewhere}, not this port)")
    return web.Response(status=403, text=text, headers={"Cache-Control": "no-store"})
