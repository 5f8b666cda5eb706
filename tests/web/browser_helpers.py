"""Headless Chromium for the web tests (Debian packages chromium and chromium-driver, driven by selenium),
limited to loopback, and the checks on what it requested."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def _first(paths: tuple[str, ...], env: str) -> str | None:
    given = os.environ.get(env)
    if given:
        return given if Path(given).exists() else None
    return next((p for p in paths if Path(p).exists()), None)


class BrowserMissingError(Exception):
    pass


def launch_browser() -> tuple[Any, str]:
    """Headless Chromium that can only reach loopback; its network log is checked by :func:`requests_made`."""
    binary = _first(CHROMIUM_CANDIDATES, "LINEPACK_CHROMIUM")
    driver_path = _first(DRIVER_CANDIDATES, "LINEPACK_CHROMEDRIVER")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        binary = None
    if binary is None or driver_path is None:
        msg = (
            "headless Chromium not available: apt-get install -y chromium chromium-driver, and pip install selenium "
            "(or set LINEPACK_SKIP_BROWSER=1 to skip the browser tests)"
        )
        raise BrowserMissingError(msg)
    profile = tempfile.mkdtemp(prefix="linepack-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        "--metrics-recording-only",
        f"--user-data-dir={profile}",
        "--window-size=1600,1000",
        # names other than loopback resolve to nothing: no request can leave the machine
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>;127.0.0.1;localhost",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(options=opts, service=Service(executable_path=driver_path))
    drv.set_page_load_timeout(30)
    return drv, profile


def requests_made(drv: Any) -> list[str]:
    """URLs the page asked for since the last call (from Chromium's performance log)."""
    urls = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def non_loopback(urls: list[str]) -> list[str]:
    bad = []
    for u in urls:
        parts = urlsplit(u)
        if parts.scheme in ("data", "blob", "about", "chrome", "chrome-untrusted", "devtools"):
            continue
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            bad.append(u)
    return bad
