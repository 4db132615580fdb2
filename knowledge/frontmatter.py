"""A Markdown page's YAML frontmatter: the fields, the body after it, and errors that say exactly what is wrong.

A page may have no frontmatter (a docs site exported as is): its id then comes from its path and its title from
its first heading, and the audit lists the fields it lacks. But a page that plainly meant to have one — it opens
with `---` and never closes it, or starts with `id: ...` without the opening `---` — is an error naming the line to
fix, never an article whose text is its own metadata.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.errors import KnowledgeError

_FENCE = re.compile(r"^---\s*$")
_FIELD = re.compile(r"^([A-Za-z_][\w-]*)\s*:(\s|$)")
_FRONTDESK_FIELDS = {"id", "title", "audience", "language", "updated", "tags", "team", "url", "questions"}


def split(raw: str, rel: str) -> tuple[dict[str, Any] | None, str]:
    """(fields, body): fields is None when the page has no frontmatter at all."""
    text = raw.removeprefix("\ufeff")
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        first = next((ln for ln in lines if ln.strip()), "")
        m = _FIELD.match(first)
        if m and m.group(1).lower() in _FRONTDESK_FIELDS:
            n = lines.index(first) + 1
            raise KnowledgeError(
                f"{rel}: line {n}: the frontmatter has no opening '---': add a line with only '---' above "
                f"'{first.strip()[:40]}'"
            )
        return None, text
    for n, line in enumerate(lines[1:], start=2):
        if _FENCE.match(line):
            return _fields("\n".join(lines[1 : n - 1]), rel), "\n".join(lines[n:])
    raise KnowledgeError(f"{rel}: {_unclosed(lines)}")


def _unclosed(lines: list[str]) -> str:
    """Where the frontmatter opened on line 1 should have closed: before the first line that is not YAML."""
    end = len(lines) + 1
    for n, line in enumerate(lines[1:], start=2):
        if line.strip() and not (_FIELD.match(line) or line[:1].isspace() or line.lstrip().startswith(("-", "#"))):
            end = n
            break
        if line.startswith("# "):  # a Markdown title, not a YAML comment, once fields were seen
            end = n
            break
    where = f"before line {end}" if end <= len(lines) else "after the last field"
    return f"line 1: the frontmatter opened with '---' is never closed: add a line with only '---' {where}"


def _fields(yaml_text: str, rel: str) -> dict[str, Any]:
    import yaml

    try:
        # libyaml's parser when PyYAML has it (ten times faster on a 10k-page KB); a page it refuses is read
        # again by the pure-Python parser, whose messages and line numbers the errors below are written for.
        meta = yaml.load(yaml_text, Loader=_FAST_LOADER) or {}
    except yaml.YAMLError:
        try:
            meta = yaml.load(yaml_text, Loader=_FrontmatterLoader) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{rel}: {_yaml_problem(exc)}") from None
    if not isinstance(meta, dict):
        raise KnowledgeError(f"{rel}: the frontmatter must be fields (`name: value` lines), not a single value")
    return meta


def _frontmatter_loader(fast: bool = False) -> type[Any]:
    import yaml

    # SafeLoader that leaves dates as text: `updated: 2026-13-40` then fails validation naming the field, instead
    # of PyYAML raising a bare ValueError from inside its date constructor.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader
    loader: type[Any] = type("FrontmatterLoader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return loader


_FrontmatterLoader = _frontmatter_loader()
_FAST_LOADER = _frontmatter_loader(fast=True)


def _yaml_problem(exc: Exception) -> str:
    """One line with the file's own line number: YAML's message spans lines and counts from the frontmatter."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    what = f"{context}: {problem}" if context else str(problem)
    if mark is None:
        return f"frontmatter is not valid YAML ({what})"
    # +2: mark.line counts from 0, and the frontmatter starts on the line after the opening '---'.
    return f"line {mark.line + 2}: frontmatter is not valid YAML ({what})"
