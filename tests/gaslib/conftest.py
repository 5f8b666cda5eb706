"""Fixture: the shared GasLib folder, or a clean skip when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from gaslib_cases import gaslib_dir


@pytest.fixture
def gaslib() -> Path:
    p = gaslib_dir()
    if p is None:
        pytest.skip("shared GasLib folder not found (set LINEPACK_SHARED to the folder holding refcases/gaslib)")
    return p
