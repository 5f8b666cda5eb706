"""Release metadata: one version everywhere, licence, citation, changelog; docs and notebooks are in place."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from typer.testing import CliRunner

import linepack
from linepack.cli import app

REPO = Path(__file__).resolve().parents[2]


def test_the_version_is_written_once_and_reported_everywhere() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert citation["version"] == linepack.__version__
    headings = re.findall(r"^## (\S+)", (REPO / "CHANGELOG.md").read_text(), re.MULTILINE)
    released = headings[1:] if headings[:1] == ["Unreleased"] else headings
    assert "Unreleased" not in released, "only the top section may be 'Unreleased'"
    assert released[0] == linepack.__version__, "the newest released section is the package version"
    out = CliRunner().invoke(app, ["--version"]).output
    assert out.strip() == f"linepack {linepack.__version__}"


def test_licence_and_citation_agree_with_the_package_metadata() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "BSD 3-Clause" in (REPO / "LICENSE").read_text() and project["license"] == "BSD-3-Clause"
    assert yaml.safe_load((REPO / "CITATION.cff").read_text())["license"] == "BSD-3-Clause"


def test_the_docs_site_lists_its_pages_and_generates_the_references() -> None:
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import docs_hooks
    finally:
        sys.path.pop(0)
    for _, page in docs_hooks.GUIDE:
        assert (REPO / "docs" / page).exists(), page
    cli = docs_hooks.cli_reference()
    for command in ("linepack run", "linepack validate", "linepack study n-1", "linepack optimize expand"):
        assert f"## `{command}`" in cli, command
    assert "`--scenario`" in cli and "2 usage error" in cli
    comps = docs_hooks.components_reference()
    assert "## pipe" in comps and "`inner_diameter_mm`" in comps and "| mm |" in comps
    mods = docs_hooks.public_modules()
    assert {"linepack.results", "linepack.io.geo", "linepack.io.matgas", "linepack.topology"} <= set(mods)


def test_every_notebook_is_listed_and_stored_without_outputs() -> None:
    import json

    listed = (REPO / "docs" / "notebooks.md").read_text()
    books = sorted((REPO / "examples").glob("*.ipynb"))
    assert len(books) >= 5
    for book in books:
        assert book.name in listed
        cells = json.loads(book.read_text())["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), book.name
