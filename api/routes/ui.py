"""`/ui`: the Studio chat page. Static files shipped inside the package, so it works offline (no CDN).

The page talks to the public HTTP API only, with the API key the user types in (kept in the browser's local
storage). Its responses carry a strict Content-Security-Policy: scripts and styles only from this origin, so a
model answer rendered as Markdown cannot load or run anything even if the sanitiser missed it.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

UI_DIR = Path(__file__).resolve().parents[1] / "ui"
UI_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class UIFiles(StaticFiles):
    """Static files with the page's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(UI_HEADERS)
        return response


def mount_ui(app: FastAPI) -> None:
    app.mount("/ui", UIFiles(directory=UI_DIR, html=True), name="ui")
