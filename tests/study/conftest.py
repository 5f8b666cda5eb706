"""Helpers for study tests: a PSGP study context and an exact, NaN-aware comparison of stored tables."""

from __future__ import annotations

import math
from typing import Any

import pytest


def assert_tables_identical(a: Any, b: Any, ignore: tuple[str, ...] = ("wall_ms", "cpu_ms")) -> None:
    """Two pyarrow tables hold exactly the same values (NaN equals NaN), column by column."""
    da = a.drop([c for c in ignore if c in a.column_names]).to_pydict()
    db = b.drop([c for c in ignore if c in b.column_names]).to_pydict()
    assert list(da) == list(db)
    for col in da:
        assert len(da[col]) == len(db[col]), col
        for i, (x, y) in enumerate(zip(da[col], db[col], strict=True)):
            same = x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
            assert same, f"column {col}, row {i}: {x!r} != {y!r}"


@pytest.fixture
def identical() -> Any:
    """The comparison above, as a fixture (test folders are not packages)."""
    return assert_tables_identical
