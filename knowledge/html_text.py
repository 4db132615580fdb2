"""HTML to light Markdown (`knowledge.light`), with BeautifulSoup: for `.html` pages and for the raw HTML inside
Markdown help centers (tabs, tables, notes), which reaches this module as markdown-it's HTML rendering.

What a reader sees is kept: headings, paragraphs, lists, tables, code. What a browser draws but nobody reads as
help is dropped: scripts, styles, navigation, images and media, form controls, and tab scaffolding — a tab strip's
buttons go, each tab panel keeps its content under its label ("macOS:"), so two platforms' steps stay apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Comment, NavigableString, Tag

from knowledge import light

# Never text a reader reads as help. (`header`/`footer` are site chrome on exported pages.)
_SKIP = {
    "script", "style", "nav", "footer", "header", "head", "noscript", "template", "svg", "img", "picture", "video",
    "audio", "source", "track", "iframe", "object", "embed", "canvas", "map", "button", "input", "select",
    "textarea", "form", "link", "meta", "title", "base",
}  # fmt: skip
_NOT_IN_ITEM = frozenset({"ul", "ol", "pre", "table"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {
    "p", "div", "section", "article", "main", "aside", "blockquote", "ul", "ol", "table", "pre", "dl", "dt", "dd",
    "figure", "figcaption", "details", "summary", "hr", "body", "html", "center", "fieldset", "address", "li",
    "tabs", "tabitem", "admonition", *_HEADINGS,
}  # fmt: skip
# Tab strips by role or by the class names of Bootstrap, Docusaurus, MkDocs Material, Hugo and Jekyll themes.
_TAB_STRIP = re.compile(r"(^|[-_ ])(nav-tabs|tablist|tabs__list|tabbed-labels|tab-labels|tabs-nav|tab-nav)($|[-_ ])")
_TAB_PANEL = re.compile(r"(^|[-_ ])(tab-pane|tabpanel|tabs__item|tabbed-block|tab-content-item)($|[-_ ])")


@dataclass(slots=True)
class HtmlPage:
    """A page's `<meta name=... content=...>` fields, its `<title>`, and its body as light Markdown."""

    meta: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    body: str = ""


def read_page(html: str) -> HtmlPage:
    """A whole `.html` page: metadata from `<meta name="...">` (a `frontdesk:` prefix is dropped) and `<title>`."""
    soup = BeautifulSoup(html, "lxml")
    page = HtmlPage()
    for tag in soup.find_all("meta"):
        name, content = tag.get("name"), tag.get("content")
        if isinstance(name, str) and name and isinstance(content, str):
            page.meta[name.removeprefix("frontdesk:")] = content
    if soup.title is not None:
        page.title = light.words(soup.title.get_text())
    page.body = _Converter(soup).text()
    return page


def html_to_text(html: str) -> str:
    """An HTML fragment (or markdown-it's rendering of a Markdown page) as light Markdown."""
    return _Converter(BeautifulSoup(html, "lxml")).text()


def add_html_blocks(html: str, blocks: list[str]) -> None:
    """Append an HTML fragment's blocks to `blocks` (a Markdown page's paragraph, list or table that holds inline
    HTML; `knowledge.markdown_tokens` writes the rest of the page)."""
    converter = _Converter(BeautifulSoup(html, "lxml"))
    converter._blocks(converter.soup, blocks)


def _classes(tag: Tag) -> str:
    value = tag.get("class")
    return " ".join(value) if isinstance(value, list) else str(value or "")


class _Converter:
    """One pass over the tree, writing blocks; inline runs between blocks become paragraphs."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.labels = self._tab_labels(soup)

    def text(self) -> str:
        blocks: list[str] = []
        self._blocks(self.soup, blocks)
        return light.join(blocks)

    # --- tabs --------------------------------------------------------------------------------------------------
    def _tab_labels(self, soup: BeautifulSoup) -> dict[str, str]:
        """Panel id -> its tab's label, from the strip's `aria-controls`, `href="#id"` or `data-*target`, and from a
        panel's `aria-labelledby`."""
        labels: dict[str, str] = {}
        tags = [t for t in soup.find_all(True) if isinstance(t, Tag)]
        for tab in tags:
            for attr in ("aria-controls", "href", "data-bs-target", "data-target"):
                value = tab.get(attr)
                is_tab = tab.get("role") == "tab" or attr.startswith("data-")
                if is_tab and isinstance(value, str) and value.strip().lstrip("#"):
                    labels.setdefault(value.strip().lstrip("#"), light.words(tab.get_text(" ")))
        for panel in tags:
            ref, pid = panel.get("aria-labelledby"), panel.get("id")
            by = soup.find(id=ref) if isinstance(ref, str) else None
            if isinstance(by, Tag) and isinstance(pid, str):
                labels.setdefault(pid, light.words(by.get_text(" ")))
        return labels

    def _is_tab_strip(self, tag: Tag) -> bool:
        return tag.get("role") == "tablist" or bool(_TAB_STRIP.search(_classes(tag)))

    def _panel_label(self, tag: Tag) -> str:
        """The label a tab panel is shown under: the strip's label for its id, a Docusaurus `<TabItem label=...>`,
        or an MkDocs / sphinx-tabs panel's own `data-tab` / `title`."""
        pid = tag.get("id")
        if isinstance(pid, str) and pid in self.labels:
            return self.labels[pid]
        if tag.get("role") == "tabpanel" or _TAB_PANEL.search(_classes(tag)) or tag.name == "tabitem":
            for attr in ("label", "data-label", "data-tab", "title", "value"):
                value = tag.get(attr)
                if isinstance(value, str) and value.strip():
                    return light.words(value)
        return ""

    # --- blocks ------------------------------------------------------------------------------------------------
    def _blocks(self, node: Tag, out: list[str]) -> None:
        run: list[str] = []

        def flush() -> None:
            if run:
                text = light.words("".join(run))
                if text:
                    out.append(light.paragraph(text))
                run.clear()

        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                run.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP or self._is_tab_strip(child):
                continue
            name = child.name
            if name == "br":
                run.append(" ")
            elif name in _BLOCKS:
                flush()
                self._block(child, out)
            elif name in ("code", "kbd", "samp"):
                run.append(light.code_span(child.get_text()))
            else:
                run.append(self._inline(child))
        flush()

    def _block(self, tag: Tag, out: list[str]) -> None:
        name = tag.name
        if name in _HEADINGS:
            out.append(light.heading(_HEADINGS[name], self._inline(tag)))
        elif name in ("ul", "ol"):
            light.add_list(out, self._list(tag))
        elif name == "table":
            out.append(light.table(self._rows(tag)))
        elif name == "pre":
            out.append(light.code(tag.get_text()))
        elif name == "hr":
            return
        elif name in ("dt", "summary"):
            text = self._inline(tag)
            out.append(light.paragraph(text if text.endswith((":", "?", ".")) else text + ":"))
        else:
            label = self._panel_label(tag)
            if label:
                out.append(light.paragraph(label if label.endswith(":") else label + ":"))
            self._blocks(tag, out)

    def _inline(self, node: Tag, skip: frozenset[str] = frozenset()) -> str:
        """The text of `node` on one line; a block inside it (a paragraph in a list item) is a word break, and
        subtrees named in `skip` are left out."""
        parts: list[str] = []
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                parts.append(str(child))
            elif isinstance(child, Tag) and child.name not in _SKIP and child.name not in skip:
                if child.name == "br" or child.name in _BLOCKS:
                    parts.append(" ")
                if child.name in ("code", "kbd", "samp"):
                    parts.append(light.code_span(child.get_text()))
                    continue
                parts.append(self._inline(child, skip))
                if child.name in _BLOCKS:
                    parts.append(" ")
        return light.words("".join(parts))

    def _list(self, tag: Tag) -> light.ListBlock:
        start = tag.get("start")
        ordered = tag.name == "ol"
        block = light.ListBlock(ordered, start=int(start) if isinstance(start, str) and start.isdigit() else 1)
        for li in tag.find_all("li", recursive=False):
            # A code sample or table inside a step is left out: the article link carries it.
            item = light.Item(self._inline(li, skip=_NOT_IN_ITEM))
            item.children = [self._list(c) for c in li.find_all(["ul", "ol"], recursive=False)]
            block.items.append(item)
        return block

    def _rows(self, table: Tag) -> list[list[str]]:
        rows: list[list[str]] = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue  # a nested table's rows belong to it
            cells = tr.find_all(["th", "td"], recursive=False)
            rows.append([self._inline(c) for c in cells])
        return rows
