"""The ``linepack`` command line: a thin layer over the public API, one module per command group.

``common`` holds what the commands share (consoles, the error guard, network loading, options); each
command module imports from it and never from another command module; ``app`` registers them all.
"""

from __future__ import annotations

from .app import app, main

__all__ = ["app", "main"]
