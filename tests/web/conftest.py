"""Fixtures of the web tests: a server on loopback, and headless Chromium (Debian packages chromium and
chromium-driver) driven by selenium.

Browser tests FAIL when Chromium or its driver is missing; set LINEPACK_SKIP_BROWSER=1 to skip them instead
(for a machine where the browser cannot be installed). Likewise every web test fails without the extra
(pip install 'linepack[web]') unless LINEPACK_SKIP_WEB=1.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError:
    if os.environ.get("LINEPACK_SKIP_WEB"):
        pytest.skip("web extra not installed (LINEPACK_SKIP_WEB set)", allow_module_level=True)
    raise ImportError("the web tests need the extra: pip install -e '.[web]' (or set LINEPACK_SKIP_WEB=1)") from None

from browser_helpers import BrowserMissingError, launch_browser

from linepack.web.app import create_app
from linepack.web.server import BackgroundServer


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    app = create_app(max_upload_bytes=256 * 1024)
    with BackgroundServer(app) as srv:
        srv.app_tmp = app.state.tmp_root  # type: ignore[attr-defined]
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        drv, profile = launch_browser()
    except BrowserMissingError as exc:
        if os.environ.get("LINEPACK_SKIP_BROWSER"):
            pytest.skip(str(exc))
        pytest.fail(str(exc))
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


