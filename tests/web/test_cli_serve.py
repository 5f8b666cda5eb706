"""``linepack serve`` from the command line: prints the address, serves the page, refuses bad options."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner
from webclient import get, post

from linepack.cli import app
from linepack.web.server import bind, is_loopback

runner = CliRunner()


def test_serve_prints_its_address_and_answers(tmp_path: Path):
    exe = Path(sys.executable).with_name("linepack")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from linepack.cli import app; app()"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert m, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        url = m.group(1)
        deadline = time.monotonic() + 60
        while True:
            try:
                page = get(url, "/")
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer"
                time.sleep(0.1)
        assert page.status == 200 and b"leaflet.js" in page.body
        solved = post(url, "/api/solve", {})
        assert solved.status == 200 and solved.json()["scenario"] == "psgp_base"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_refuses_bad_options():
    r = runner.invoke(app, ["serve", "--port", "70000"])
    assert r.exit_code == 1 and "--port 70000" in r.output
    r = runner.invoke(app, ["serve", "--max-upload-mb", "0"])
    assert r.exit_code == 1 and "--max-upload-mb" in r.output
    r = runner.invoke(app, ["serve", "--workers", "0"])
    assert r.exit_code == 1 and "--workers" in r.output
    r = runner.invoke(app, ["serve", "--tiles", "ftp://x/{z}"])
    assert r.exit_code == 1 and "--tiles" in r.output


def test_port_in_use_is_a_clear_error():
    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port)])
        assert r.exit_code == 1 and "choose another --port" in " ".join(r.output.split())
    finally:
        sock.close()


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_serve_a_file_shows_it_first(tmp_path: Path):
    import linepack as lp
    from linepack.web.app import create_app
    from linepack.web.server import BackgroundServer

    doc_net = lp.load_default_network()
    with BackgroundServer(create_app(networks=[("mine.yaml", doc_net)])) as srv:
        token = get(srv.url, "/api/config").json()["initial_network"]
        nets = {n["token"]: n for n in get(srv.url, "/api/networks").json()["networks"]}
        assert token != "psgp" and nets[token]["label"] == "mine.yaml" and nets[token]["origin"] == "file"
        assert "psgp" in nets
        assert post(srv.url, "/api/solve", {"network": token}).json()["converged"]


def test_serve_a_missing_file_is_a_clear_error(tmp_path: Path):
    r = runner.invoke(app, ["serve", str(tmp_path / "nope.yaml")])
    assert r.exit_code == 1 and "file not found" in r.output
