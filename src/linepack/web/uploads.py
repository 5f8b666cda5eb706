"""Uploaded networks: file-name checks, size limits, parsing and validation.

Nothing the client sends is used as a path: a file name only selects the format by its suffix, and must be
a plain name (no folder parts). Native files are parsed from memory; GasLib files are written under
server-chosen names into a fresh folder inside the server's temporary folder, read, and deleted at once.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, LinepackError
from ..model.network import Network

NATIVE_SUFFIXES = (".yaml", ".yml", ".json")
GASLIB_SUFFIXES = (".net", ".scn", ".cs", ".cdf")
MAX_FILES = 4
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()+-]{0,119}$")


@dataclass(frozen=True)
class UploadedFile:
    name: str
    text: str


@dataclass(frozen=True)
class ParsedUpload:
    label: str
    network: Network
    warnings: tuple[str, ...]


def check_name(name: Any) -> str:
    """The lower-case suffix of an acceptable plain file name; :class:`InputError` otherwise."""
    if not isinstance(name, str) or not name:
        raise InputError("upload: every file needs a name (for example network.yaml)")
    shown = name[:80].encode("unicode_escape").decode("ascii")
    if any(c in name for c in "/\\\0:") or name in (".", "..") or ".." in name or not _NAME.match(name):
        raise InputError(
            f"upload: file name '{shown}' is not a plain file name; use letters, digits, '.', '_' or '-' "
            "and no folder parts (for example network.yaml)"
        )
    suffix = Path(name).suffix.lower()
    if suffix not in NATIVE_SUFFIXES + GASLIB_SUFFIXES:
        raise InputError(
            f"upload: file '{shown}' has type '{suffix or 'none'}'; upload a native .yaml/.yml/.json network, "
            "or a GasLib .net (with its .scn nomination, .cs station data and .cdf decisions if any)"
        )
    return suffix


def parse_files(doc: Any) -> list[UploadedFile]:
    """Files from the upload request document ``{"files": [{"name": ..., "text": ...}, ...]}``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list) or not doc["files"]:
        raise InputError('upload: send {"files": [{"name": "network.yaml", "text": "..."}]}')
    files = doc["files"]
    if len(files) > MAX_FILES:
        raise InputError(
            f"upload: at most {MAX_FILES} files at once (a GasLib .net, .scn, .cs and .cdf); got {len(files)}"
        )
    out = []
    for f in files:
        if not isinstance(f, dict) or not isinstance(f.get("text"), str):
            raise InputError("upload: each file needs a name and its text content")
        check_name(f.get("name"))
        out.append(UploadedFile(f["name"], f["text"]))
    return out


def load_upload(files: list[UploadedFile], tmp_root: Path) -> ParsedUpload:
    """Parse and validate uploaded files into a Network (every scenario compiled once to check it)."""
    suffixes = [check_name(f.name) for f in files]
    native = [f for f, s in zip(files, suffixes, strict=True) if s in NATIVE_SUFFIXES]
    if native:
        if len(files) != 1:
            raise InputError("upload: a native network is one .yaml/.yml/.json file; upload it alone")
        net = _load_native(native[0])
        warnings: tuple[str, ...] = ()
    else:
        net, warnings = _load_gaslib(files, suffixes, tmp_root)
    _check_compiles(net)
    return ParsedUpload(files[0].name if native else _net_file(files, suffixes).name, net, warnings)


def _load_native(f: UploadedFile) -> Network:
    from ..io.native import parse_document

    doc = parse_document(f.text, f.name)
    if not isinstance(doc, dict):
        raise InputError(f"{f.name}: the file must hold a network document (a mapping with nodes, pipes, ...)")
    return Network.from_dict(doc, source=f.name)


def _net_file(files: list[UploadedFile], suffixes: list[str]) -> UploadedFile:
    nets = [f for f, s in zip(files, suffixes, strict=True) if s == ".net"]
    if len(nets) != 1:
        raise InputError("upload: a GasLib upload needs exactly one .net file (plus an optional .scn, .cs and .cdf)")
    return nets[0]


def _load_gaslib(files: list[UploadedFile], suffixes: list[str], tmp_root: Path) -> tuple[Network, tuple[str, ...]]:
    from ..io.gaslib import apply_decision, operating_decisions, read_gaslib, require_nomination

    _net_file(files, suffixes)
    if len(set(suffixes)) != len(suffixes):
        raise InputError("upload: at most one file of each type (.net, .scn, .cs, .cdf)")
    fixed = {".net": "network.net", ".scn": "nomination.scn", ".cs": "stations.cs", ".cdf": "decisions.cdf"}
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=tmp_root))
    try:
        paths: dict[str, Path] = {}
        for f, s in zip(files, suffixes, strict=True):
            paths[s] = folder / fixed[s]
            paths[s].write_text(f.text, encoding="utf-8")
        try:
            case = read_gaslib(
                paths[".net"], paths.get(".scn"), paths.get(".cdf"), paths.get(".cs"), fixed_loss="resistor"
            )
            require_nomination(case, files[suffixes.index(".net")].name, "upload its .scn with it")
            # with decisions, the first one is applied (as `linepack run --decisions` does)
            net = apply_decision(case, operating_decisions(case)) if ".cdf" in paths else case.network
        except LinepackError as exc:
            raise _renamed(exc, folder, files, suffixes, fixed) from None
        return net, tuple(case.warnings)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _renamed(
    exc: LinepackError, folder: Path, files: list[UploadedFile], suffixes: list[str], fixed: dict[str, str]
) -> LinepackError:
    """The same error with the server's temporary paths replaced by the client's file names."""
    problems = list(getattr(exc, "problems", [str(exc)]))
    for f, s in zip(files, suffixes, strict=True):
        problems = [p.replace(str(folder / fixed[s]), f.name) for p in problems]
        plain = re.compile(r"(?<![\w./])" + re.escape(fixed[s]) + r"(?![\w])")
        problems = [plain.sub(f.name.replace("\\", "\\\\"), p) for p in problems]
    problems = [p.replace(str(folder), "upload") for p in problems]
    return type(exc)(problems) if type(exc) is InputError else InputError(problems)


def _check_compiles(net: Network) -> None:
    from ..compile import compile_network

    net.validate()
    names: list[str | None] = [*net.scenarios] or [None]
    for name in names:
        compile_network(net, name, use_default=False)


TEMP_PREFIX = "linepack-web-"


def new_temp_root() -> Path:
    """The server's own temporary folder (removed when the server stops), named with the process id; the
    folders of earlier servers of this user whose process is gone (killed) are removed first."""
    remove_stale_temp_roots()
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))


def remove_stale_temp_roots(parent: str | Path | None = None) -> list[Path]:
    """Remove ``linepack-web-<pid>-*`` folders of this user under ``parent`` (the system's temporary folder)
    whose server process no longer runs."""
    from ..io.atomic import pid_alive

    base = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(base.glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return removed
    for folder in entries:
        pid_text = folder.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        try:
            st = folder.lstat()
        except OSError:
            continue
        if not pid_text.isdigit() or not folder.is_dir() or folder.is_symlink():
            continue
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            continue
        if pid_alive(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
