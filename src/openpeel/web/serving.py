"""Running the app under uvicorn: the address it listens on, a ready line, then requests.

`openpeel serve` binds the socket itself, so `--port 0` (any free port) can say which port it got
before the app starts; the app's lifespan says when it is ready to answer (openpeel.web.app).
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from openpeel.core.errors import OpenpeelError
from openpeel.core.settings import Settings


def announce(address: str, *, workers: int = 1) -> None:
    more = f" with {workers} worker processes" if workers > 1 else ""
    sys.stderr.write(f"openpeel: listening on {address}{more}\n")
    sys.stderr.flush()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening from here on: a request that arrives while the app is still starting waits in
        # the backlog instead of being refused, so "ready" is never followed by a refusal.
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise OpenpeelError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port (0: any free port)"
        ) from None
    return sock


def serve_one(settings: Settings, options: dict[str, Any], *, access_log: bool = True) -> None:
    """Serve the app in this process on the settings' host and port (0: any free one)."""
    import uvicorn

    from openpeel.web.app import create_app

    sock = _bind(settings.host, settings.port)
    bound = sock.getsockname()[1]
    chosen = settings.model_copy(update={"port": bound, "access_log": access_log})
    announce(chosen.public_base_url)
    config = uvicorn.Config(create_app(chosen), **{**options, "host": settings.host, "port": bound})
    uvicorn.Server(config).run(sockets=[sock])
