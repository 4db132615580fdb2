"""Who may open the leads' dashboard: it shows customers' questions, so it is never open to the world.

- With `FRONTDESK_DASHBOARD_TOKEN` set, every request must carry it: the browser asks for it (HTTP Basic, any user
  name, the token as password) and scripts send `Authorization: Bearer <token>`; compared in constant time.
- Without a token, only requests from this machine are served: a loopback peer and no proxy header. Behind a
  reverse proxy every request looks local, so a forwarded request (X-Forwarded-For, Forwarded, X-Real-IP) is refused
  and the answer says to set the token.

The playground needs no such gate: it only holds what the person at the keyboard typed. The agents' desk lives in
Slack, whose own membership decides who sees a handoff; nothing there can sign a browser in, hence a token.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress

from aiohttp import web

FORWARDED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
REALM = 'Basic realm="Frontdesk dashboard", charset="UTF-8"'
NO_TOKEN = (
    "The dashboard shows customers' questions, so without FRONTDESK_DASHBOARD_TOKEN it only answers on this machine "
    "(http://127.0.0.1). Set FRONTDESK_DASHBOARD_TOKEN on the server and sign in with it as the password."
)


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
    if _local(request):
        return None
    return web.Response(status=403, text=NO_TOKEN, headers={"Cache-Control": "no-store"})
