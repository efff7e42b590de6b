"""The room's controls when it is opened beyond this machine: every control needs the
facilitator's token, the projector view and the live state stay open and read-only; on
loopback no token is needed, but only JSON controls naming this machine are taken."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import warnings

import httpx
import pytest

with warnings.catch_warnings():
    # Starlette's test client asks for httpx2 in its newest versions; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from room.control import Room
from room.server import create_app, needs_token
from sim.core.loading import load_drill
from tests.conftest import ROOT


def _app(tmp_path, host: str, token: str = "the-facilitators-token"):
    room = Room(load_drill("gate-blockade"), 1, tmp_path / "out", "en", ["md"])
    return room, create_app(room, host, token, seconds_per_minute=0.0)


def test_only_loopback_names_go_without_a_token():
    assert not needs_token("127.0.0.1") and not needs_token("localhost")
    assert not needs_token("::1")
    assert needs_token("0.0.0.0") and needs_token("192.0.2.10") and needs_token("127.0.0.2")


def test_a_control_without_the_token_is_refused_when_open_beyond_loopback(tmp_path):
    room, app = _app(tmp_path, "0.0.0.0")
    with TestClient(app, base_url="http://192.0.2.10:8765") as client:
        for path, body in (("/api/control", {"action": "start"}),
                           ("/api/decide", {"keys": ["s"]}),
                           ("/api/note", {"text": "a note"})):
            refused = client.post(path, json=body)
            assert refused.status_code == 403, path
            wrong = client.post(path, json=body, headers={"X-Room-Token": "guess"})
            assert wrong.status_code == 403, path
        assert room.state == "ready" and not room.session.decisions and not room.session.notes
        # the projector view and the state are open, and offer no control
        page = client.get("/")
        assert page.status_code == 200 and "<button" not in page.text
        assert client.get("/api/state").json()["state"] == "ready"
        ok = client.post("/api/decide", json={"keys": ["s"]},
                         headers={"X-Room-Token": "the-facilitators-token"})
        assert ok.status_code == 200, ok.text
        assert [d.action for d in room.session.decisions] == ["statement"]


def test_on_loopback_controls_need_no_token_but_must_be_json_for_this_host(tmp_path):
    room, app = _app(tmp_path, "127.0.0.1")
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert client.post("/api/note", json={"text": "seen at the gate"}).status_code == 200
        # a form post (what another site's page can send without asking) is refused
        form = client.post("/api/note", data={"text": "forged"})
        assert form.status_code == 409
        # a note decisions.yaml could not hold is refused, not saved
        bad = client.post("/api/note", json={"text": "bell\x07"})
        assert bad.status_code == 409 and "not allowed" in bad.json()["error"]
        assert [n["text"] for n in room.session.notes] == ["seen at the gate"]
    with TestClient(app, base_url="http://attacker.example:8765") as client:
        assert client.post("/api/note", json={"text": "rebound"}).status_code == 400
    assert len(room.session.notes) == 1


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def test_the_room_command_opened_beyond_127_0_0_1_prints_a_token_and_requires_it(tmp_path):
    host = "127.0.0.2"   # a loopback address other than 127.0.0.1: nothing leaves the machine
    try:
        port = _free_port(host)
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_drill.py"), "room", "gate-blockade",
                             "--host", host, "--port", str(port), "--lang", "en",
                             "--out", str(tmp_path / "out")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
        found = re.search(r"token (\S+) ", "".join(lines))
        assert found, lines
        token = found.group(1)
        base = f"http://{host}:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(100):
                try:
                    client.get("/api/state")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert client.post("/api/control", json={"action": "start"}).status_code == 403
            assert client.get("/api/state").json()["state"] == "ready"
            assert client.get("/").status_code == 200
            answer = client.post("/api/control", json={"action": "pause"},
                                 headers={"X-Room-Token": token})
            assert answer.status_code == 200, answer.text
            assert f"/console?token={token}" in "".join(lines)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_folder_that_cannot_be_written_at_the_end_is_told_as_bad_input(tmp_path):
    """The command refuses such a folder before the drill; one taken while the drill is played
    is told without the error's class, and the decisions can be saved beside it."""
    import asyncio

    from room.server import Driver

    out = tmp_path / "out"
    room = Room(load_drill("gate-blockade"), 1, out, "en", ["md"])
    room.session.run_to_end()
    out.write_text("someone else's file\n", encoding="utf-8")
    asyncio.run(Driver(room, 0.0)._finish())
    assert room.state == "failed" and room.bad_input
    assert "exists and is not a folder" in room.error and "InputError" not in room.error
    saved = room.save_partial(beside=True)
    assert saved == tmp_path / "out-unwritten-decisions.yaml" and saved.is_file()
    assert out.read_text(encoding="utf-8") == "someone else's file\n"
