"""Jinja2 environment for the web app's own pages (reports use the publish templates)."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("openpeel.web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(
    template: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    context.setdefault("user", None)
    context.setdefault("csrf_token", "")
    text = environment().get_template(template).render(**context)
    if context["csrf_token"] or context.get("login_csrf"):
        # A page holding a form token is one person's: no browser or proxy may keep a copy.
        headers = {**(headers or {}), "Cache-Control": "no-store"}
    return HTMLResponse(text, status_code=status_code, headers=headers)
