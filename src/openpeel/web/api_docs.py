"""The API reference at /docs, from Swagger UI files installed with openpeel (swagger-ui-bundle-v2).

FastAPI's own /docs page loads Swagger UI from a CDN (blank without internet) and starts it with
an inline script (which the Content-Security-Policy forbids). This page needs neither.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/assets"
PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>openpeel API reference</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"><noscript>The reference needs JavaScript; the API's description is at
<a href="/openapi.json">/openapi.json</a>.</noscript></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve /docs, its initialiser and the Swagger UI files (call with FastAPI(docs_url=None))."""
    init = Path(str(resources.files("openpeel.web").joinpath("static", "swagger-init.js")))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> FileResponse:
        return FileResponse(init, media_type="text/javascript")

    app.mount(ASSETS, StaticFiles(directory=Path(str(swagger_ui_path))), name="swagger-ui")
