"""MkDocs hooks: the generated reference pages and the navigation of the documentation site.

Generated at every build, so they never go stale and pick up what other changes add:

- ``reference/cli.md``: every command and sub-command of the ``linepack`` application with its arguments and
  options (walked from the Typer app, so a new command appears by itself);
- ``reference/components.md``: every component type's fields (type, unit, default, bounds, description),
  from the same schemas that validate files (``linepack describe``);
- ``reference/api/<module>.md``: one page per public module of ``linepack`` (mkdocstrings renders the
  docstrings), found by walking the package, so a new module appears by itself.

The navigation lists the user guide in a fixed order, then any other page of ``docs/`` (a new topic page
appears without editing ``mkdocs.yml``), then the references.
"""

from __future__ import annotations

import pkgutil
from pathlib import Path
from typing import Any

GUIDE = [
    ("Home", "index.md"),
    ("Getting started", "getting-started.md"),
    ("Diagnoses and messages", "diagnostics.md"),
    ("Python API and editing", "python-api.md"),
    ("Native format", "native-format.md"),
    ("GIS, MATGAS and GasLib files", "interchange.md"),
    ("GasLib", "gaslib.md"),
    ("Compressor stations: units and maps", "compressors.md"),
    ("Gas quality and hydrogen", "quality.md"),
    ("Transient simulation", "transient.md"),
    ("Optimisation and planning", "optimize.md"),
    ("Studies", "studies.md"),
    ("Supply chain: LNG, storage, LPG", "supply.md"),
    ("Web application", "web.md"),
    ("Validation", "validation.md"),
    ("Validation against STANET", "validation_stanet.md"),
    ("Performance and start-up", "performance.md"),
    ("Notebooks", "notebooks.md"),
    ("Release and citation", "release.md"),
]
SKIP_MODULES = ("linepack.__main__",)


def public_modules() -> list[str]:
    """Every importable module of the linepack package whose name has no leading underscore."""
    import linepack

    found = ["linepack"]
    for info in pkgutil.walk_packages(linepack.__path__, prefix="linepack."):
        if any(part.startswith("_") for part in info.name.split(".")) or info.name in SKIP_MODULES:
            continue
        found.append(info.name)
    return sorted(found)


def cli_reference() -> str:
    """Markdown of every command of the ``linepack`` application (arguments, options, help)."""
    import typer

    from linepack.cli import app
    from linepack.cli.common import EXIT_CODES

    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the application at every documentation build (`scripts/docs_hooks.py`).",
        "",
        EXIT_CODES,
        "",
    ]

    def walk(cmd: Any, path: list[str]) -> None:  # typer's (vendored) click commands: duck-typed
        name = " ".join(path)
        if path[1:]:
            lines.extend([f"## `{name}`", ""])
            lines.extend([(cmd.help or "").strip(), ""])
        ctx0 = cmd.make_context(path[-1], [], resilient_parsing=True)
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            lines.extend(["| argument or option | type | default | help |", "|---|---|---|---|"])
            for p in params:
                flags = ", ".join(f"`{o}`" for o in [*p.opts, *getattr(p, "secondary_opts", [])])
                if getattr(p, "param_type_name", "") == "argument":
                    flags = f"`{(p.name or '').upper()}`"
                default = "" if p.default is None or callable(p.default) else f"`{p.default}`"
                text = (getattr(p, "help", "") or "").replace("|", "\\|").replace("\n", " ")
                kind = _type_name(p, ctx0)
                lines.append(f"| {flags} | {kind} | {default} | {text} |")
            lines.append("")
        if hasattr(cmd, "list_commands"):
            ctx = cmd.make_context(path[-1], [], resilient_parsing=True)
            for sub in sorted(cmd.list_commands(ctx)):
                child = cmd.get_command(ctx, sub)
                if child is not None and not getattr(child, "hidden", False):
                    walk(child, [*path, sub])

    walk(root, ["linepack"])
    return "\n".join(lines) + "\n"


def _type_name(param: Any, ctx: Any) -> str:
    """The type of a command-line parameter as ``--help`` shows it (typer's own click, or click's)."""
    if getattr(param, "is_flag", False):
        return "flag"
    shown = getattr(param, "display_type", None)
    if callable(shown):
        try:
            return str(shown(ctx)).strip("<>")
        except Exception:  # a typer version without it
            pass
    return str(getattr(getattr(param, "type", None), "name", ""))


def components_reference() -> str:
    """Markdown of every component type's fields, from the schemas (``linepack describe``)."""
    from linepack.model.components import TYPES_BY_KIND
    from linepack.model.describe import field_table

    lines = [
        "# Component reference",
        "",
        "Generated from the component schemas at every documentation build: the same schemas validate network "
        "files, produce `docs/network.schema.json` (`linepack schema`) and `linepack describe KIND`.",
        "",
    ]
    for kind in [*TYPES_BY_KIND, "settings", "scenario"]:
        model_doc = ""
        if kind in TYPES_BY_KIND:
            model_doc = (TYPES_BY_KIND[kind].__doc__ or "").strip().splitlines()[0]
        lines.extend([f"## {kind}", "", model_doc, "", "| field | type | unit | default | bounds | description |"])
        lines.append("|---|---|---|---|---|---|")
        for row in field_table(kind):
            cells = [row[c].replace("|", "\\|") for c in ("field", "type", "unit", "default", "bounds", "description")]
            lines.append("| " + " | ".join(f"`{cells[0]}`" if i == 0 else c for i, c in enumerate(cells)) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def generated_pages() -> dict[str, str]:
    pages = {"reference/cli.md": cli_reference(), "reference/components.md": components_reference()}
    for mod in public_modules():
        pages[f"reference/api/{mod}.md"] = f"# `{mod}`\n\n::: {mod}\n"
    return pages


_PAGES: dict[str, str] = {}


def on_config(config: Any) -> Any:
    _PAGES.clear()
    _PAGES.update(generated_pages())
    docs = Path(config["docs_dir"])
    known = {path for _, path in GUIDE}
    others = sorted(p.relative_to(docs).as_posix() for p in docs.glob("*.md") if p.name not in known)
    guide = [{title: path} for title, path in GUIDE if (docs / path).exists()]
    guide += [{Path(p).stem.replace("-", " ").replace("_", " ").capitalize(): p} for p in others]
    api = [{mod: f"reference/api/{mod}.md"} for mod in public_modules()]
    config["nav"] = [
        *guide,
        {"Reference": [{"Command line": "reference/cli.md"}, {"Components": "reference/components.md"},
                       {"Python API": api}]},
    ]  # fmt: skip
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, text in _PAGES.items():
        files.append(File.generated(config, path, content=text))
    return files
