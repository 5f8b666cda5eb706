"""Terminal tables that stay readable at 80 columns and when piped: ids are never cut.

An id column is kept whole (never wrapped or truncated) and sized to its longest id; headers are short
with their unit on a second line; numbers never wrap; only free text (a mode, a category) may fold.
When even that does not fit the console (a narrow terminal), the table is printed as one line per row
(``id: header value; ...``), which wraps between fields and never inside an id. Piped output is sized
by rich at 80 columns, so it reads like an 80-column terminal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text


class CompactTable:
    """A table with an id column kept whole, then columns of (header, kind).

    ``kind`` is ``num`` (right-aligned, never wrapped), ``id`` or ``id:N`` (kept whole, at least N wide) or
    ``text`` (left-aligned, may fold).
    """

    def __init__(self, title: str, ids_header: str, columns: Sequence[tuple[str, str]]) -> None:
        self.title, self.ids_header, self.columns = title, ids_header, list(columns)
        self.rows: list[tuple[list[Any], str | None]] = []
        self.section_before: set[int] = set()

    def add_row(self, *cells: Any, style: str | None = None) -> None:
        self.rows.append((list(cells), style))

    def add_section(self) -> None:
        self.section_before.add(len(self.rows))

    def table(self) -> Table:
        t = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        width = max([len(self.ids_header), *(len(str(r[0])) for r, _ in self.rows)])
        t.add_column(self.ids_header, no_wrap=True, min_width=width, overflow="ignore")
        for c, (header, kind) in enumerate(self.columns, start=1):
            if kind == "num":
                t.add_column(header, justify="right", no_wrap=True)
            elif kind.startswith("id"):
                n = max([int(kind.partition(":")[2] or 0), *(len(str(r[c])) for r, _ in self.rows)])
                t.add_column(header, no_wrap=True, min_width=max(n, len(header)), overflow="ignore")
            else:
                t.add_column(header, justify="left", overflow="fold")
        for i, (cells, style) in enumerate(self.rows):
            if i in self.section_before:
                t.add_section()
            t.add_row(*cells, style=style)
        return t

    def lines(self) -> Iterator[Text]:
        """The narrow layout: the title, then one line per row."""
        yield Text(self.title, style="bold")
        heads = [h.replace("\n", " ") for h, _ in self.columns]
        for cells, style in self.rows:
            parts = [f"{h} {c}" for h, c in zip(heads, cells[1:], strict=False) if str(c) not in ("", "-")]
            yield Text(f"  {cells[0]}: " + "; ".join(parts), style=style or "")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t = self.table()
        need = Measurement.get(console, options.update(width=10_000), t).minimum
        if need <= options.max_width:
            yield t
        else:
            yield from self.lines()


def compact_table(title: str, ids_header: str, columns: Sequence[tuple[str, str]]) -> CompactTable:
    """A :class:`CompactTable` (see there)."""
    return CompactTable(title, ids_header, columns)
