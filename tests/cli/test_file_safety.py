"""Files linepack writes (issue 20, item 10): the user's umask, never over an input, and no hidden temporary
file left behind by an interrupted write."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import linepack as lp
from linepack.cli import app
from linepack.io.atomic import atomic_write_text, remove_stale_temporaries

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return res.exit_code, res.output


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_files_are_written_with_the_users_umask(tmp_path: Path, mask: int) -> None:
    old = os.umask(mask)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
        lp.save_network(lp.load_default_network(), tmp_path / "net.json")
    finally:
        os.umask(old)
    for name in ("a.txt", "net.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    f = tmp_path / "keep.txt"
    f.write_text("old")
    f.chmod(0o640)
    atomic_write_text(f, "new")
    assert stat.S_IMODE(f.stat().st_mode) == 0o640 and f.read_text() == "new"


def test_convert_and_run_refuse_to_overwrite_their_input(tmp_path: Path) -> None:
    src = tmp_path / "a.yaml"
    lp.save_network(lp.load_default_network(), src)
    before = src.read_bytes()
    code, out = cli("convert", str(src), str(src))
    assert code == 1 and "would overwrite the input" in out
    (tmp_path / "link.yaml").symlink_to(src)
    code, out = cli("convert", str(tmp_path / "link.yaml"), str(tmp_path / "." / "a.yaml"))
    assert code == 1 and "would overwrite the input" in out
    code, out = cli("run", str(src), "-o", str(src.with_suffix(".yaml")))
    assert code == 1
    assert src.read_bytes() == before


def test_temporaries_of_a_killed_write_are_removed_by_the_next_write(tmp_path: Path) -> None:
    # a child process starts a write and is killed (SIGKILL) before it renames: its temporary file stays
    code = (
        "import os, signal, tempfile\n"
        "fd, p = tempfile.mkstemp(prefix='.net.json.' + str(os.getpid()) + '.', suffix='.tmp', "
        f"dir={str(tmp_path)!r})\n"
        "os.write(fd, b'half')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False)
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".net.json.")]
    assert len(left) == 1
    mine = tmp_path / f".other.{os.getpid()}.abc_123.tmp"  # a live process's temporary file is kept
    mine.write_text("in progress")
    lp.save_network(lp.load_default_network(), tmp_path / "net.json")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["net.json", mine.name])
    assert remove_stale_temporaries(tmp_path) == []
