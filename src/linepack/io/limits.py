"""Limits on what linepack reads: file size and type, nesting depth, values built, YAML aliases.

Every reader of user files goes through :func:`read_input_bytes` / :func:`read_input_text` (a regular
file, at most ``max_file_bytes``, read without ever following a device or a pipe) and, for structured
documents, through :func:`check_document` or the YAML loader of :mod:`linepack.io.native`, which count
values as they are built. A limit that is hit raises :class:`~linepack.errors.InputError` naming the file,
the limit and how to raise it; nothing is read or built beyond the limit first.

The limits (``docs/security.md`` explains the choices):

=========================  ===============  ======================================================
limit                      default          override
=========================  ===============  ======================================================
``max_file_bytes``         64 MB            ``LINEPACK_MAX_INPUT_MB`` (environment), ``InputLimits``
``max_depth``              64 levels        ``LINEPACK_MAX_INPUT_DEPTH``
``max_values``             10,000,000       ``LINEPACK_MAX_INPUT_VALUES``
``max_alias_values``       100,000          ``LINEPACK_MAX_ALIAS_VALUES``
=========================  ===============  ======================================================

``max_values`` counts every mapping, sequence, key and scalar of a document once it is expanded (an alias
counts as a copy of what it points to); ``max_alias_values`` bounds the values that aliases add, which is
what a "billion laughs" document multiplies.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError

MB = 1024 * 1024
ENV_FILE_MB = "LINEPACK_MAX_INPUT_MB"
ENV_DEPTH = "LINEPACK_MAX_INPUT_DEPTH"
ENV_VALUES = "LINEPACK_MAX_INPUT_VALUES"
ENV_ALIAS = "LINEPACK_MAX_ALIAS_VALUES"


@dataclass(frozen=True)
class InputLimits:
    """Bounds on one input document (see the module docstring for the defaults and their overrides)."""

    max_file_bytes: int = 64 * MB
    max_depth: int = 64
    max_values: int = 10_000_000
    max_alias_values: int = 100_000

    @staticmethod
    def from_env(**overrides: int) -> InputLimits:
        """The defaults, with the ``LINEPACK_MAX_*`` environment variables applied, then ``overrides``."""
        lim = InputLimits()
        env: dict[str, int] = {}
        for var, field, scale in (
            (ENV_FILE_MB, "max_file_bytes", MB),
            (ENV_DEPTH, "max_depth", 1),
            (ENV_VALUES, "max_values", 1),
            (ENV_ALIAS, "max_alias_values", 1),
        ):
            raw = os.environ.get(var)
            if raw is None or raw.strip() == "":
                continue
            try:
                value = float(raw)
            except ValueError:
                raise InputError(f"environment {var}={raw[:40]!r}: give a positive number") from None
            if not value > 0 or value != value or value == float("inf"):
                raise InputError(f"environment {var}={raw[:40]!r}: give a positive number")
            env[field] = int(value * scale)
        return replace(lim, **{**env, **overrides})


def _limits(limits: InputLimits | None) -> InputLimits:
    return limits if limits is not None else InputLimits.from_env()


def _mb(n: int) -> str:
    return f"{n / MB:.3g} MB" if n >= MB else f"{n} bytes"


def read_input_bytes(path: str | Path, what: str = "input", limits: InputLimits | None = None) -> bytes:
    """The bytes of the regular file ``path``, refused when it is missing, not a regular file (a folder, a
    device such as /dev/zero, a pipe or a socket) or larger than ``max_file_bytes``.

    The file is opened without blocking and checked on the open descriptor (no race between the check and
    the read); at most ``max_file_bytes + 1`` bytes are ever read, so a file that grows while it is read
    is refused too.
    """
    lim = _limits(limits)
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise InputError(f"{p}: file not found; give the path of the {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder; give the path of the {what} file") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied; make the {what} file readable") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot open ({exc.strerror}); give the path of the {what} file") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{p}: is a folder; give the path of the {what} file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                f"{p}: is not a regular file (a device, pipe or socket); linepack reads {what} files only "
                "from regular files; save the data to a file first"
            )
        if st.st_size > lim.max_file_bytes:
            raise InputError(
                f"{p}: file is {_mb(st.st_size)}, above the limit of {_mb(lim.max_file_bytes)} for input files; "
                f"if the file is genuine, raise the limit with {ENV_FILE_MB}=<megabytes>"
            )
        chunks: list[bytes] = []
        size = 0
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            while True:
                chunk = fh.read(min(MB, lim.max_file_bytes + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                chunks.append(chunk)
                if size > lim.max_file_bytes:
                    raise InputError(
                        f"{p}: file grew above the limit of {_mb(lim.max_file_bytes)} while it was read; "
                        f"raise the limit with {ENV_FILE_MB}=<megabytes> if it is genuine"
                    )
        return b"".join(chunks)
    finally:
        if fd >= 0:
            os.close(fd)


def read_input_text(path: str | Path, what: str = "input", limits: InputLimits | None = None) -> str:
    """:func:`read_input_bytes` decoded as UTF-8 (a byte-order mark is dropped)."""
    data = read_input_bytes(path, what, limits)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{Path(path)}: not a UTF-8 text file (byte {exc.start}); save the {what} as UTF-8"
        ) from None


def check_text_size(text: str, source: str, limits: InputLimits | None = None) -> None:
    """Refuse text (an upload, a string given to the API) longer than the file-size limit."""
    lim = _limits(limits)
    if len(text) > lim.max_file_bytes:
        raise InputError(
            f"{source}: {_mb(len(text))} of text, above the limit of {_mb(lim.max_file_bytes)} for input documents; "
            f"raise the limit with {ENV_FILE_MB}=<megabytes> if it is genuine"
        )


def depth_error(source: str, limits: InputLimits, where: str = "") -> InputError:
    return InputError(
        f"{source}{where}: nested more than {limits.max_depth} levels deep; network documents need a few "
        f"levels; flatten the document (or raise {ENV_DEPTH} if it is genuine)"
    )


def values_error(source: str, limits: InputLimits, aliases: bool = False) -> InputError:
    if aliases:
        return InputError(
            f"{source}: YAML aliases (*name) expand to more than {limits.max_alias_values:,} values; this looks "
            f"like an alias bomb; write the repeated parts out or use fewer aliases (or raise {ENV_ALIAS})"
        )
    return InputError(
        f"{source}: more than {limits.max_values:,} values in one document; split the network "
        f"(or raise {ENV_VALUES} if it is genuine)"
    )


def check_document(doc: Any, source: str, limits: InputLimits | None = None) -> None:
    """Refuse a parsed document (JSON, or any nested lists and dicts) deeper than ``max_depth`` or with more
    than ``max_values`` values. Iterative: no recursion, whatever the depth; a structure that refers to
    itself is refused as too deep."""
    lim = _limits(limits)
    stack: list[tuple[Any, int]] = [(doc, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > lim.max_values:
            raise values_error(source, lim)
        if isinstance(node, dict | list | tuple):
            if depth > lim.max_depth:
                raise depth_error(source, lim)
            items = node.values() if isinstance(node, dict) else node
            count += len(node) if isinstance(node, dict) else 0  # the keys
            stack.extend((child, depth + 1) for child in items)
