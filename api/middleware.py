"""Security headers on every answer, in one place.

The pages load only their own scripts and styles; MapLibre needs ``blob:`` workers and
``data:``/``blob:`` images, and the optional raster basemap its own origin. The interactive API
documentation (``/docs``, ``/redoc``) is served from the package, but Swagger UI starts with an
inline script: it gets a policy of its own rather than loosening every page's.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
TILE_PATH = re.compile(r"/teselas/[^/]+/\d+/\d+/\d+\.pbf")
"""A map tile: never a document, asked for by the hundred, a few hundred bytes at high zoom."""
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
"""A URL template's placeholder (``{s}`` of ``{s}.tile.example.org``): a wildcard in CSP."""


def content_security_policy(basemap_url: str | None) -> str:
    """The pages' policy; the basemap's origin (placeholders as wildcards) may serve images."""
    extra = ""
    if basemap_url:
        parts = urlsplit(basemap_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            host = _PLACEHOLDER.sub("*", parts.netloc)
            extra = f" {parts.scheme}://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{extra}; connect-src 'self'{extra}; "
        "worker-src 'self' blob:; child-src blob:; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""The API documentation's policy: ReDoc searches in a worker it makes from a blob. Images come
from here only: ReDoc's bundle shows its maker's logo from a CDN, which would tell a third party
of every visit (and fails offline); refused, the bundle hides it."""


class SecurityHeaders:
    """Pure ASGI middleware (no buffering of bodies): adds CSP, ``X-Frame-Options: DENY``,
    ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` to every HTTP answer.

    Map tiles get only ``nosniff``: the others rule what a document may load, frame or link to,
    and a tile is never rendered as one; on a small tile they were more than its own bytes.
    """

    def __init__(self, app: ASGIApp, basemap_url: str | None = None) -> None:
        self.app = app
        document = {
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }
        self.page = document | {"Content-Security-Policy": content_security_policy(basemap_url)}
        self.docs = document | {"Content-Security-Policy": DOCS_POLICY}
        self.tile = {"X-Content-Type-Options": "nosniff"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers the answer does not set itself."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        added = (
            self.docs
            if path in DOCS_PATHS
            else self.tile
            if TILE_PATH.fullmatch(path)
            else self.page
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
