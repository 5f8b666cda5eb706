"""Numba-compiled kernels loaded only once a process has work enough to repay numba's import.

Some small numerical loops (the Chebyshev series of a mixture's Z, evaluated on a few points) cost more in numpy's
per-call overhead than in arithmetic; compiled by numba (optional extra ``kernel``) they do the same arithmetic,
in the same order, to the same result bit for bit. Importing numba and loading the cached machine code costs
about 0.3 s of CPU, more than a single steady solve of the PSGP system gains, so a :class:`LazyKernel` keeps the
numpy path for the first ``warm_calls`` calls of a process (set per kernel to about ten solves' worth: the
calls that save what the import costs) and switches to the compiled code after (a study, a sweep, an
optimisation), or at once when numba is already imported. The results do not depend on
which path ran.

``LINEPACK_KERNEL``: ``numpy`` never compiles; ``numba`` compiles at the first call; ``auto`` (default) as above.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

ENV = "LINEPACK_KERNEL"


class LazyKernel:
    """The compiled form of a kernel, built by ``build(numba)`` once it is worth it (see the module docstring)."""

    def __init__(self, build: Callable[[Any], Callable[..., Any]], warm_calls: int = 200) -> None:
        self.build = build
        self.warm_calls = warm_calls
        self.calls = 0
        self._fn: Callable[..., Any] | None = None
        self._missing = False

    def __call__(self) -> Callable[..., Any] | None:
        """The compiled kernel, or None: use the numpy path this time."""
        if self._fn is not None or self._missing:
            return self._fn if os.environ.get(ENV, "auto").strip().lower() != "numpy" else None
        how = os.environ.get(ENV, "auto").strip().lower()
        if how == "numpy":
            return None
        self.calls += 1
        if how != "numba" and self.calls <= self.warm_calls and "numba" not in sys.modules:
            return None
        try:
            import numba
        except ImportError:
            self._missing = True
            return None
        self._fn = self.build(numba)
        return self._fn
