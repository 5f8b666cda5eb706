"""Hardened XML reading with line numbers, and deterministic XML writing, for the GasLib files.

Reading goes through :class:`defusedxml.ElementTree.DefusedXMLParser` with DTDs, entity declarations and
external references forbidden: a billion-laughs file or an XXE file is refused before any entity is
expanded or fetched. The tree is built by our own target so that every element keeps the line it starts
on (for error messages), its namespace, its attributes in file order, and the namespace prefixes and
top-level comments of the document (the GasLib licence header), which the writer puts back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ...errors import InputError

GAS_NS = "http://gaslib.zib.de/Gas"
FRAMEWORK_NS = "http://gaslib.zib.de/Framework"
CS_NS = "http://gaslib.zib.de/CompressorStations"
CDF_NS = "http://gaslib.zib.de/CombinedDecisions"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True, slots=True)
class XmlItem:
    """One XML element kept verbatim: local tag, namespace URI, attributes in file order, children, text.

    Namespaced attribute names are written ``{uri}name``. ``line`` is where the element starts in the
    file it was read from; it takes no part in comparisons.
    """

    tag: str
    ns: str = ""
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[XmlItem, ...] = ()
    text: str = ""
    line: int = field(default=0, compare=False)

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return default

    def label(self) -> str:
        """``<pipe id="P1">`` style label for messages."""
        ident = self.get("id")
        return f'<{self.tag} id="{ident}">' if ident is not None else f"<{self.tag}>"

    def with_attr(self, name: str, value: str | None) -> XmlItem:
        """A copy with attribute ``name`` set (appended when new) or removed (``value`` None)."""
        attrs = [(k, v) for k, v in self.attrs if k != name or value is not None]
        if value is not None:
            for i, (k, _) in enumerate(attrs):
                if k == name:
                    attrs[i] = (k, value)
                    break
            else:
                attrs.append((name, value))
        return XmlItem(self.tag, self.ns, tuple(attrs), self.children, self.text, self.line)

    def with_children(self, children: tuple[XmlItem, ...]) -> XmlItem:
        return XmlItem(self.tag, self.ns, self.attrs, children, self.text, self.line)


@dataclass(frozen=True)
class XmlDocument:
    """A parsed file: the root element, the namespace prefixes it declares and the comments before it."""

    root: XmlItem
    prefixes: tuple[tuple[str, str], ...] = ()  # (prefix, uri) in declaration order; "" is the default
    comments: tuple[str, ...] = ()


def split_tag(tag: str) -> tuple[str, str]:
    """``{uri}local`` -> (uri, local)."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


class _Builder:
    """Target for the defused parser: builds :class:`XmlItem` trees with line numbers."""

    def __init__(self) -> None:
        self.parser: Any = None
        self.stack: list[tuple[str, str, tuple[tuple[str, str], ...], list[XmlItem], list[str], int]] = []
        self.root: XmlItem | None = None
        self.prefixes: list[tuple[str, str]] = []
        self.comments: list[str] = []

    def line(self) -> int:
        return int(self.parser.parser.CurrentLineNumber) if self.parser is not None else 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        uri, local = split_tag(tag)
        self.stack.append((local, uri, tuple(attrib.items()), [], [], self.line()))

    def start_ns(self, prefix: str, uri: str) -> None:
        if not self.stack and self.root is None:
            self.prefixes.append((prefix or "", uri))

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1][4].append(text)

    def comment(self, text: str) -> None:
        if not self.stack and self.root is None:
            self.comments.append(text)

    def end(self, tag: str) -> None:
        local, uri, attrs, children, texts, line = self.stack.pop()
        item = XmlItem(local, uri, attrs, tuple(children), "".join(texts).strip(), line)
        if self.stack:
            self.stack[-1][3].append(item)
        else:
            self.root = item

    def close(self) -> XmlItem | None:
        return self.root

    def open_element(self) -> str:
        """The innermost element open at the current position, for error messages."""
        if not self.stack:
            return ""
        local, _, attrs, _, _, line = self.stack[-1]
        ident = dict(attrs).get("id")
        label = f'<{local} id="{ident}">' if ident is not None else f"<{local}>"
        return f" inside {label} opened at line {line}"


def read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes within the input limits (a regular file, at most the size limit)."""
    from ..limits import read_input_bytes

    return read_input_bytes(path, f"GasLib {what}")


def parse_xml(path: Path, what: str) -> XmlDocument:
    """Parse ``path`` safely; every failure is an :class:`InputError` naming the file, line and element."""
    data = read_bytes(path, what)
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise InputError(
            f"{path.name}: line {builder.line()}: the file declares a DTD (<!DOCTYPE ...>); GasLib files have "
            "none, and linepack refuses DTDs because their entities can expand without bound (billion laughs) "
            "or read other files (XXE); remove the DOCTYPE declaration"
        ) from None
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise InputError(
            f"{path.name}: line {builder.line()}{builder.open_element()}: entity declaration or external "
            f"reference refused ({type(exc).__name__}); GasLib files use none; remove it"
        ) from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (builder.line(), 0))
        msg = str(exc).split(":")[0]
        raise InputError(
            f"{path.name}: line {line}, column {col + 1}{builder.open_element()}: malformed XML ({msg}); "
            "fix the syntax (every element closed, attribute values quoted, one root element)"
        ) from None
    if root is None:
        raise InputError(f"{path.name}: no XML element found; give a GasLib {what} file")
    return XmlDocument(root, tuple(builder.prefixes), tuple(builder.comments))


# --- writing ---------------------------------------------------------------------------------------

_STANDARD_PREFIXES = {
    XSI_NS: "xsi",
    FRAMEWORK_NS: "framework",
    GAS_NS: "gas",
}


class XmlWriter:
    """Serialises :class:`XmlItem` trees with two-space indentation and stable namespace prefixes."""

    def __init__(self, root: XmlItem, prefixes: tuple[tuple[str, str], ...] = ()) -> None:
        self.prefix: dict[str, str] = {}
        declared: list[tuple[str, str]] = []
        for pfx, uri in prefixes:  # every declaration is kept (a .cs declares its own namespace twice)
            if (pfx, uri) in declared:
                continue
            if uri not in self.prefix:
                self.prefix[uri] = pfx
            declared.append((pfx, uri))
        if root.ns and root.ns not in self.prefix:
            self.prefix[root.ns] = "" if "" not in self.prefix.values() else self._new_prefix(root.ns)
            declared.append((self.prefix[root.ns], root.ns))
        for uri in sorted(self._uris(root)):
            if uri not in self.prefix:
                self.prefix[uri] = self._new_prefix(uri)
                declared.append((self.prefix[uri], uri))
        self.declared = declared

    def _new_prefix(self, uri: str) -> str:
        want = _STANDARD_PREFIXES.get(uri) or ("xsi" if uri.endswith("XMLSchema-instance") else "ns")
        used = set(self.prefix.values())
        if want not in used:
            return want
        i = 0
        while f"{want}{i}" in used:
            i += 1
        return f"{want}{i}"

    @staticmethod
    def _uris(root: XmlItem) -> set[str]:
        found: set[str] = set()
        todo = [root]
        while todo:
            it = todo.pop()
            if it.ns:
                found.add(it.ns)
            for k, _ in it.attrs:
                if k.startswith("{"):
                    found.add(split_tag(k)[0])
            todo.extend(it.children)
        return found

    def _name(self, uri: str, local: str) -> str:
        pfx = self.prefix.get(uri, "") if uri else ""
        return f"{pfx}:{local}" if pfx else local

    def render(self, root: XmlItem, comments: tuple[str, ...] = ()) -> str:
        out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        for c in comments:
            out.append(f"<!--{c}-->\n")
        if comments:
            out.append("\n")
        self._item(root, 0, out, top=True)
        return "".join(out)

    def _item(self, it: XmlItem, depth: int, out: list[str], top: bool = False) -> None:
        pad = "  " * depth
        name = self._name(it.ns, it.tag)
        parts = [f"{pad}<{name}"]
        if top:
            for pfx, uri in self.declared:
                parts.append(f" xmlns:{pfx}={quoteattr(uri)}" if pfx else f" xmlns={quoteattr(uri)}")
        for key, value in it.attrs:
            if key.startswith("{"):
                uri, local = split_tag(key)
                key = self._name(uri, local)
            parts.append(f" {key}={quoteattr(value)}")
        out.append("".join(parts))
        if not it.children and not it.text:
            out.append("/>\n")
            return
        if not it.children:
            out.append(f">{escape(it.text)}</{name}>\n")
            return
        out.append(">\n")
        if it.text:
            out.append(f"{pad}  {escape(it.text)}\n")
        for child in it.children:
            self._item(child, depth + 1, out)
        out.append(f"{pad}</{name}>\n")
