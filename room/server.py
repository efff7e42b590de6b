"""The room's web server (Starlette, served by uvicorn): the projector view, the facilitator
console, their live feed (server-sent events) and the controls.

Pages: ``/`` the projector view (read-only), ``/console`` the facilitator console. Data:
``/api/state`` (JSON) and ``/api/stream`` (server-sent events, a new state after every change).
Controls (POST, JSON bodies): ``/api/control`` {action: start|pause|resume|step},
``/api/decide`` {keys: [...], note}, ``/api/note`` {text, author}.

Bound to the loopback address (the default), controls need no token; bound to any other
address, every control needs the facilitator's token (``X-Room-Token`` header, or ``token``
in the console's address), printed when the server starts; the projector view and the
stream stay read-only and open. Controls take JSON only, so a page of another site cannot
send one without the browser asking first (and this server never says yes); requests naming
another host than the server's are refused (DNS rebinding).

Everything the pages use comes from this package and the installed font package: no
network is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from reports import chart_style
from reports.room_pages import console_page, projector_page
from reports.room_text import t
from room.control import ControlError, Room
from sim.core.errors import InputError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
"""Addresses that reach this machine only: bound to one of them, controls need no token."""
MAX_BODY = 16_384
"""Largest control request body, in bytes."""


def needs_token(host: str) -> bool:
    """Controls need the facilitator's token unless the server listens on loopback only."""
    return host not in LOCAL_HOSTS


class Driver:
    """Runs the room's clock on the event loop and tells every open page of each change."""

    def __init__(self, room: Room, seconds_per_minute: float):
        self.room = room
        self.speed = seconds_per_minute
        self.listeners: set[asyncio.Queue[str]] = set()
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.finishing: asyncio.Task | None = None

    def state_json(self) -> str:
        return json.dumps(self.room.status(), ensure_ascii=False, allow_nan=False)

    def publish(self) -> None:
        data = self.state_json()
        for queue in list(self.listeners):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()  # a slow page skips to the newest state
            queue.put_nowait(data)
        if self.room.state == "running":
            self.wake.set()
        if self.room.state == "ended" and self.finishing is None:
            self.finishing = asyncio.get_running_loop().create_task(self._finish())

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            if self.room.state != "running":
                self.wake.clear()
                continue
            try:
                self.room.tick()
            except Exception as exc:  # an internal error: shown on the console, clock stopped
                self.room.state, self.room.error = "failed", f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            self.publish()
            await asyncio.sleep(self.speed)

    async def _finish(self) -> None:
        self.room.state = "writing"
        self.publish()
        try:
            self.room.written = await asyncio.to_thread(self.room.write)
            self.room.state = "written"
            print(t("room_open", self.room.lang, n=len(self.room.written), out=self.room.out),
                  flush=True)
        except InputError as exc:   # the folder cannot be written now (taken, say)
            self.room.state, self.room.error, self.room.bad_input = "failed", str(exc), True
        except Exception as exc:  # shown on the console; the server stays up
            self.room.state, self.room.error = "failed", f"{type(exc).__name__}: {exc}"
        self.room.version += 1
        self.publish()


def create_app(room: Room, host: str = "127.0.0.1", token: str | None = None,
               seconds_per_minute: float = 1.0, allowed_hosts: list[str] | None = None
               ) -> Starlette:
    """The room's ASGI application. ``token``: the facilitator's (needed when ``host`` is
    not a loopback name; made up when not given)."""
    guarded = needs_token(host)
    secret = token or secrets.token_urlsafe(18)
    driver = Driver(room, seconds_per_minute)

    def authorised(request: Request) -> bool:
        if not guarded:
            return True
        given = request.headers.get("x-room-token") or ""
        return secrets.compare_digest(given.encode(), secret.encode())

    async def body(request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise ControlError("controls take a JSON body (Content-Type: application/json)")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise ControlError("request too large")
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise ControlError("the body is not JSON") from None
        if not isinstance(data, dict):
            raise ControlError("the body must be a JSON object")
        return data

    def guard(handler):
        async def wrapped(request: Request) -> Response:
            if not authorised(request):
                return JSONResponse({"error": "the facilitator's token is needed"},
                                    status_code=403)
            try:
                data = await body(request)
                answer = handler(data)
            except ControlError as exc:
                return JSONResponse({"error": str(exc)}, status_code=409)
            driver.publish()
            return JSONResponse({"ok": True, **(answer or {})})
        return wrapped

    def do_control(data: dict[str, Any]) -> None:
        action = data.get("action")
        if not isinstance(action, str):
            raise ControlError("action must be start, pause, resume or step")
        room.control(action)

    def do_decide(data: dict[str, Any]) -> dict[str, Any]:
        keys, note = data.get("keys"), data.get("note", "")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys) \
                or len(keys) > 50 or not isinstance(note, str):
            raise ControlError("keys must be a list of option keys, note a text")
        return {"applied": room.decide(keys, note)}

    def do_note(data: dict[str, Any]) -> dict[str, Any]:
        text, author = data.get("text", ""), data.get("author", "")
        if not isinstance(text, str) or not isinstance(author, str):
            raise ControlError("text and author must be texts")
        return {"note": room.note(text, author)}

    async def projector(request: Request) -> Response:
        return HTMLResponse(projector_page())

    async def console(request: Request) -> Response:
        return HTMLResponse(console_page(guarded))

    async def font(request: Request) -> Response:
        if chart_style.BUNDLED_FONT is None:
            return Response(status_code=404)
        return FileResponse(Path(chart_style.BUNDLED_FONT), media_type="font/otf",
                            headers={"Cache-Control": "max-age=86400"})

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)

    async def state(request: Request) -> Response:
        return Response(driver.state_json(), media_type="application/json")

    async def stream(request: Request) -> Response:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=4)
        queue.put_nowait(driver.state_json())
        driver.listeners.add(queue)

        closing = anyio.Event()   # set by sse-starlette when the server shuts down

        async def events() -> AsyncIterator[dict[str, str]]:
            try:
                while not closing.is_set():
                    data = None
                    with anyio.move_on_after(0.5):
                        data = await queue.get()
                    if data is not None:
                        yield {"event": "state", "data": data}
            finally:
                driver.listeners.discard(queue)

        return EventSourceResponse(events(), ping=15, shutdown_event=closing,
                                   shutdown_grace_period=1.0)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        driver.task = asyncio.get_running_loop().create_task(driver.run())
        try:
            yield
        finally:
            driver.task.cancel()

    hosts = allowed_hosts or ([*LOCAL_HOSTS, "[::1]"] if not guarded else ["*"])
    app = Starlette(
        routes=[Route("/", projector), Route("/console", console), Route("/font.otf", font),
                Route("/favicon.ico", no_icon),
                Route("/api/state", state), Route("/api/stream", stream),
                Route("/api/control", guard(do_control), methods=["POST"]),
                Route("/api/decide", guard(do_decide), methods=["POST"]),
                Route("/api/note", guard(do_note), methods=["POST"])],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        lifespan=lifespan)
    app.state.room, app.state.token, app.state.driver = room, secret, driver
    return app
