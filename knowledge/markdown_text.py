"""Markdown help-center pages to light Markdown (`knowledge.light`).

Static-site generators put more than Markdown in a page: Liquid / Jinja / Hugo template tags (`{% include … %}`,
`{{ site.name }}`, `{{< tab >}}`), kramdown attribute lists (`{:target="_blank"}`), MDX `import` lines, MkDocs
admonitions and content tabs (`!!! note`, `=== "macOS"`, whose content is indented), and raw HTML (tab widgets,
tables, notes). The site renders these away; ingest must too, or they reach the index, the embedding and quoted
answers. Template tags are removed outside code (they are not Markdown, so no Markdown parser knows them); then
markdown-it-py parses the page and `knowledge.markdown_tokens` writes its token stream as light Markdown. A page
with raw HTML (tab widgets, HTML tables) is rendered as a browser would get it and `knowledge.html_text` reads that
HTML, so raw HTML and Markdown are read by one tree and a tab widget split over several blocks is still one widget;
both paths write the same text for the same Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from knowledge import markdown_tokens
from knowledge.html_text import add_html_blocks, html_to_text

# `{% raw %}…{% endraw %}` keeps its content; comments go whole; any other tag goes, its surroundings stay.
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}|\{#.*?#\}", re.DOTALL)
_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# kramdown attribute lists and header ids: {:target="_blank"}, {: .note}, {::options ... /}, {#install}, {.lead}
_KRAMDOWN = re.compile(r"\{(::?|\s*[#.][\w-])[^{}\n]*\}")
_MDX = re.compile(r"^(import\s.+\sfrom\s+['\"].+['\"];?|export\s+(const|default|function)\b.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Docusaurus / VitePress admonitions: ":::tip Title" ... ":::" around ordinary Markdown.
_COLON_FENCE = re.compile(r"^\s*:::+\s*(?:[\w-]+)?\s*(?:\[(?P<bracket>[^\]]*)\]|(?P<title>.*))$")
# MkDocs (pymdownx) blocks whose body is indented four spaces: admonitions, collapsibles, content tabs.
_MKDOCS_BLOCK = re.compile(r"^(?P<indent>\s*)(?P<kind>!!!|\?\?\?\+?|===\+?)\s*(?P<rest>.*)$")
_QUOTED = re.compile(r'"([^"]*)"')


def markdown_to_text(markdown: str) -> str:
    """A Markdown page (frontmatter already removed) as light Markdown."""
    md = _renderer()
    env: dict[str, Any] = {}
    tokens = md.parse(_mkdocs_blocks(_without_templates(markdown)), env)

    def html_blocks(part: Sequence[Any], out: list[str]) -> None:
        add_html_blocks(md.renderer.render(part, md.options, env), out)

    text = markdown_tokens.render(tokens, html_blocks)
    if text is None:  # an HTML block: one tree for the HTML and the Markdown around and inside it
        text = html_to_text(md.renderer.render(tokens, md.options, env))
    return text


def _same_url(url: str) -> str:
    return url


@lru_cache(maxsize=1)
def _renderer() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark with raw HTML and GitHub tables: what Jekyll, Hugo, Docusaurus and MkDocs all accept.
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    # A link's address is never shown (its label is): percent-encoding and punycoding every address was a sixth of
    # the parse. Whether a destination may be a link at all (`validateLink`: no `javascript:`) is still checked, on
    # the address as written.
    md.normalizeLink = _same_url  # type: ignore[method-assign]
    return md


def _outside_code(markdown: str) -> list[tuple[bool, str]]:
    """The page as (is code, text) runs, fenced code blocks apart."""
    runs: list[tuple[bool, list[str]]] = [(False, [])]
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            if not fenced:
                runs.append((True, []))
            runs[-1][1].append(line)
            if fenced:
                runs.append((False, []))
            fenced = not fenced
            continue
        runs[-1][1].append(line)
    return [(code, "\n".join(lines)) for code, lines in runs if lines]


def _without_templates(markdown: str) -> str:
    out = []
    for code, text in _outside_code(markdown):
        if not code:
            # re.split with the group: odd pieces are {% raw %} contents, kept exactly as written.
            pieces = _RAW.split(text)
            text = "".join(piece if i % 2 else _untemplated(piece) for i, piece in enumerate(pieces))
        out.append(text)
    return "\n".join(out)


def _untemplated(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = _TAG.sub("", text)
    text = _KRAMDOWN.sub("", text)
    return "\n".join(_line(line) for line in text.split("\n"))


def _line(line: str) -> str:
    """An MDX import/export line goes; an admonition fence (":::tip Heads up") leaves its title, if any."""
    if _MDX.match(line):
        return ""
    m = _COLON_FENCE.match(line)
    if m:
        title = (m.group("bracket") or m.group("title") or "").strip()
        return f"\n{title}:\n" if title else ""
    return line


def _mkdocs_blocks(markdown: str) -> str:
    """`!!! note "Title"` / `=== "macOS"` and their indented body as a label line and the body, dedented: indented
    four spaces, the body would otherwise be read as a code block."""
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    fenced = False
    while i < len(lines):
        if _FENCE.match(lines[i]):
            fenced = not fenced
        m = None if fenced else _MKDOCS_BLOCK.match(lines[i])
        if m is None:
            out.append(lines[i])
            i += 1
            continue
        indent = m.group("indent")
        quoted = _QUOTED.search(m.group("rest"))
        label = quoted.group(1).strip() if quoted else ""
        if not label and m.group("kind").startswith("="):
            label = m.group("rest").strip()
        if label:
            out.extend(["", f"{indent}{label if label.endswith(':') else label + ':'}", ""])
        i += 1
        body_indent = indent + "    "
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(body_indent)):
            out.append(indent + lines[i][len(body_indent) :] if lines[i].strip() else "")
            i += 1
    return "\n".join(out)
