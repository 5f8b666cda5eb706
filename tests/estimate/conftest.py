"""Shared fixtures of the estimation tests: the test pipeline, its meters and a synthetic day."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
