"""reStructuredText (Sphinx docs) to light Markdown (`knowledge.light`), with docutils' parser.

Sphinx pages use directives and roles docutils alone does not know (`.. tab::`, `.. include::`, `:doc:`, `:kbd:`,
`|icon|` substitutions defined in another file). They are registered here so that their readable content is kept
and the rest dropped: a tab keeps its content under its label ("Web/Desktop:"), a note or version note keeps its
text, an include, image, table of contents or raw block goes (nothing is ever read from disk or run), a cross
reference keeps its title, and an icon substitution disappears. A directive still unknown keeps its body text.

A page's metadata is a field list at its very top (`:id:`, `:audience:`, `:updated:`, `:tags: a, b`, ...), as
Sphinx reads file-wide metadata; its title is its first section title.
"""

from __future__ import annotations

import re
import textwrap
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, Parser, directives, roles

from knowledge import light


@dataclass(slots=True)
class RstPage:
    meta: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    body: str = ""


class _Drop(Directive):  # type: ignore[misc]
    """include, image, toctree, raw, ...: nothing a reader of a chat answer needs (and nothing is read from disk)."""

    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = None

    def run(self) -> list[nodes.Node]:
        return []


class _Keep(Directive):  # type: ignore[misc]
    """tab, only, versionadded, seealso, ...: the content, parsed; a tab's label (its argument) introduces it."""

    has_content = True
    optional_arguments = 99
    final_argument_whitespace = True
    option_spec = None
    label = False

    def run(self) -> list[nodes.Node]:
        box = nodes.container()
        if self.label and self.arguments:
            box += nodes.paragraph(text=light.words(" ".join(self.arguments)).rstrip(":") + ":")
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class _Tab(_Keep):
    label = True


class _Code(Directive):  # type: ignore[misc]
    """code-block / sourcecode: a code fence (left out of replies, kept in the article)."""

    has_content = True
    optional_arguments = 1
    option_spec = None

    def run(self) -> list[nodes.Node]:
        return [nodes.literal_block(text="\n".join(self.content))]


_DROP = (
    "include", "literalinclude", "image", "figure", "toctree", "raw", "youtube", "vimeo", "video", "thumbnail",
    "contents", "sectnum", "index", "highlight", "meta", "csv-table", "mermaid", "graphviz", "uml", "iframe",
    "automodule", "autoclass", "autofunction", "spelling", "default-role", "role", "title", "currentmodule",
)  # fmt: skip
_KEEP = (
    "only", "seealso", "versionadded", "versionchanged", "deprecated", "centered", "hlist", "tabs", "tab-set",
    "grid", "grid-item", "grid-item-card", "card", "dropdown", "glossary", "container", "tip", "note", "important",
    "warning", "caution", "attention", "hint", "danger", "error", "admonition", "topic", "sidebar", "rst-class",
    "cssclass", "div", "compound", "epigraph", "highlights", "pull-quote", "versionremoved",
)  # fmt: skip
_TABS = ("tab", "group-tab", "code-tab", "tab-item", "rubric")
_CODE = ("code-block", "sourcecode", "code", "parsed-literal", "prompt")
_ROLES = (
    "doc", "ref", "kbd", "guilabel", "menuselection", "term", "abbr", "command", "file", "program", "option",
    "envvar", "samp", "download", "numref", "any", "mimetype", "dfn", "makevar", "manpage", "regexp", "keyword",
    "class", "func", "meth", "mod", "attr", "data", "const", "exc", "obj", "py:func", "py:class", "badge", "icon",
    "fa", "octicon", "material-regular", "sup", "sub",
)  # fmt: skip
_SUBS: ContextVar[dict[str, str]] = ContextVar("rst_substitutions", default={})  # noqa: B039 (read-only)
_TARGET = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def _role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None):  # type: ignore[no-untyped-def]
    """A Sphinx role as the words a reader sees: `Title <target>` keeps the title, a bare `:doc:` target its last
    part, `A --> B` menu paths read `A > B`."""
    m = _TARGET.match(text)
    if m and m.group("title"):
        text = m.group("title")
    elif m or name.split(":")[-1] in ("doc", "ref", "numref", "download"):
        target = m.group("target") if m else text
        text = target.rstrip("/").rsplit("/", 1)[-1].split(":")[-1].replace("-", " ")
    text = text.replace("-->", ">").replace("~", "")
    return [nodes.Text(text)], []


@lru_cache(maxsize=1)
def _register() -> None:
    """Once per process: docutils keeps its directive and role registries in module state."""
    for name in _DROP:
        directives.register_directive(name, _Drop)
    for name in _KEEP:
        directives.register_directive(name, _Keep)
    for name in _TABS:
        directives.register_directive(name, _Tab)
    for name in _CODE:
        directives.register_directive(name, _Code)
    for name in _ROLES:
        roles.register_local_role(name, _role)


def read_rst(source: str, where: str = "") -> RstPage:
    """A reStructuredText page: metadata, title and body as light Markdown."""
    from docutils.frontend import get_default_settings
    from docutils.utils import new_document

    _register()
    settings = get_default_settings(Parser)
    settings.report_level = 5  # problems become nodes we read, never printed
    settings.halt_level = 5
    settings.warning_stream = False
    settings.file_insertion_enabled = False
    settings.raw_enabled = False
    settings.character_level_inline_markup = False
    document = new_document(where or "<page>", settings)
    Parser().parse(source, document)
    subs = {
        d.get("names", [""])[0]: light.words(d.astext())
        for d in document.findall(nodes.substitution_definition)
        if d.get("names") and not any(isinstance(c, nodes.image) for c in d.findall())
    }
    token = _SUBS.set(subs)
    try:
        return _page(document)
    finally:
        _SUBS.reset(token)


def _page(document: nodes.document) -> RstPage:
    page = RstPage()
    writer = _Writer()
    for child in document.children:
        if not page.meta and not writer.blocks and isinstance(child, nodes.field_list):
            page.meta = _fields(child)
            continue
        writer.block(child, 1)
    page.title = writer.first_title
    page.body = light.join(writer.blocks)
    return page


def _fields(field_list: nodes.field_list) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for f in field_list.children:
        if isinstance(f, nodes.field) and len(f.children) == 2:
            meta[f.children[0].astext().strip().lower()] = f.children[1].astext().strip()
    return meta


_INVISIBLE = (
    nodes.comment, nodes.substitution_definition, nodes.target, nodes.image, nodes.figure, nodes.raw,
    nodes.pending, nodes.footnote, nodes.citation, nodes.decoration,
)  # fmt: skip


class _Writer:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.first_title = ""

    def block(self, node: nodes.Node, depth: int) -> None:
        if isinstance(node, _INVISIBLE):
            return
        if isinstance(node, nodes.system_message):
            self._unknown_directive(node, depth)
        elif isinstance(node, nodes.section):
            for child in node.children:
                self.block(child, depth + 1 if not isinstance(child, nodes.title) else depth)
        elif isinstance(node, nodes.title):
            text = inline(node)
            self.first_title = self.first_title or text
            self.blocks.append(light.heading(depth, text))
        elif isinstance(node, nodes.paragraph | nodes.line_block | nodes.rubric):
            self.blocks.append(light.paragraph(inline(node)))
        elif isinstance(node, nodes.bullet_list | nodes.enumerated_list):
            light.add_list(self.blocks, _list(node))
        elif isinstance(node, nodes.literal_block | nodes.doctest_block):
            self.blocks.append(light.code(node.astext()))
        elif isinstance(node, nodes.table):
            self.blocks.append(light.table(_rows(node)))
        elif isinstance(node, nodes.definition_list):
            for item in node.children:
                term = " ".join(inline(c) for c in item.children if isinstance(c, nodes.term))
                self.blocks.append(light.paragraph(term if term.endswith(":") else term + ":"))
                for c in item.children:
                    if isinstance(c, nodes.definition):
                        for d in c.children:
                            self.block(d, depth)
        elif isinstance(node, nodes.field_list):
            for f in node.children:
                if len(f.children) == 2:
                    self.blocks.append(light.paragraph(f"{inline(f.children[0])}: {inline(f.children[1])}"))
        elif isinstance(node, nodes.Element):
            for child in node.children:  # admonitions, containers, block quotes, topics: their content
                self.block(child, depth)

    def _unknown_directive(self, message: nodes.system_message, depth: int) -> None:
        """docutils keeps an unknown directive's source in its error message: parse the body and keep its text."""
        source = next((c.astext() for c in message.children if isinstance(c, nodes.literal_block)), "")
        if not source.startswith(".."):
            return
        lines = source.split("\n")[1:]
        body = [ln for ln in lines if not re.match(r"^\s+:[\w-]+:", ln)]
        text = textwrap.dedent("\n".join(body)).strip()
        if text:
            sub = read_rst(text)
            self.blocks.extend(b for b in sub.body.split("\n\n") if b)


def inline(node: nodes.Node) -> str:
    """An element's text on one line: references keep their text, a text substitution (`|product|` defined by
    `replace::`) its text; icon and undefined substitutions go, and so does an unknown role's markup (not its
    text)."""
    parts: list[str] = []
    for child in node.children if isinstance(node, nodes.Element) else [node]:
        if isinstance(child, nodes.substitution_reference):
            parts.append(_SUBS.get().get(child.get("refname", ""), ""))
        elif isinstance(child, (*_INVISIBLE, nodes.system_message, nodes.footnote_reference)):
            continue
        elif isinstance(child, nodes.problematic):
            raw = child.astext()
            role = re.match(r"^:[\w:.-]+:`(.*)`_?$", raw, re.DOTALL)
            if role:
                parts.append(_role("", raw, role.group(1), 0, None)[0][0].astext())
            elif not re.fullmatch(r"\|[^|]+\|_?_?", raw):
                parts.append(raw)
        elif isinstance(child, nodes.literal):
            parts.append(light.code_span(child.astext()))
        elif isinstance(child, nodes.title_reference):  # `text <target>` with no role: Sphinx shows the text
            parts.append(_role("", "", child.astext(), 0, None)[0][0].astext())
        elif isinstance(child, nodes.Text):
            parts.append(child.astext())
        elif isinstance(child, nodes.Element):
            parts.append(inline(child))
    return light.words("".join(parts))


def _list(node: nodes.Element) -> light.ListBlock:
    block = light.ListBlock(ordered=isinstance(node, nodes.enumerated_list), start=int(node.get("start", 1)))
    for li in node.children:
        if not isinstance(li, nodes.list_item):
            continue
        text = []
        item = light.Item("")
        for c in li.children:
            if isinstance(c, nodes.bullet_list | nodes.enumerated_list):
                item.children.append(_list(c))
            elif isinstance(c, nodes.Element) and not isinstance(c, (*_INVISIBLE, nodes.literal_block, nodes.table)):
                text.append(inline(c))  # paragraphs, line blocks, notes inside a step: their text
        item.text = " ".join(t for t in text if t)
        block.items.append(item)
    return block


def _rows(table: nodes.table) -> list[list[str]]:
    return [[_cell(entry) for entry in row.children] for row in table.findall(nodes.row)]


def _cell(entry: nodes.Node) -> str:
    """A table cell's text; a cell holding only an icon (`|checkmark|`) says what the icon stands for."""
    text = " ".join(inline(p) for p in entry.children) if isinstance(entry, nodes.Element) else ""
    if text or not isinstance(entry, nodes.Element):
        return text
    icons = [s.get("refname", "") for s in entry.findall(nodes.substitution_reference)]
    return " ".join(i.replace("-", " ").replace("_", " ") for i in icons if i)
