"""The Bot API stand-in served over real HTTP on 127.0.0.1, for tests that run the bot as a
separate process (polling against TELEGRAM_API_BASE_URL) or hit it from several workers."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.telegram.standin import BotApiStandIn

_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "entities"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_app(api: BotApiStandIn, token: str) -> Starlette:
    async def endpoint(request: Request) -> JSONResponse:
        if request.path_params["token"] != token:
            return JSONResponse({"ok": False, "error_code": 401,
                                 "description": "Unauthorized"}, status_code=401)
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        params: dict[str, Any]
        if "json" in content_type:
            params = json.loads(body or b"{}")
        else:
            params = dict(parse_qsl(body.decode()))
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        status, payload = await api.handle(request.path_params["method"], params, {})
        return JSONResponse(payload, status_code=status)

    return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["GET", "POST"])])


class HttpStandIn:
    """`async with HttpStandIn(api, token) as url:` serves the stand-in until the block ends."""

    def __init__(self, api: BotApiStandIn, token: str) -> None:
        self.port = free_port()
        config = uvicorn.Config(make_app(api, token), host="127.0.0.1", port=self.port,
                                log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> str:
        self._task = asyncio.create_task(self.server.serve())
        # uvicorn exposes only a flag for "listening"; yield to its task until it flips, and
        # fail (not hang) if it never does, e.g. when another process took the port.
        async with asyncio.timeout(10):
            while not self.server.started:
                if self._task.done():
                    raise RuntimeError(f"the stand-in could not listen on port {self.port}")
                await asyncio.sleep(0)
        return f"http://127.0.0.1:{self.port}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
