"""Read a KB folder (Markdown with YAML frontmatter, HTML, reStructuredText, JSONL FAQ files) into validated
`Article`s whose body is clean light Markdown (`knowledge.light`), whatever the format.

Every validation error raises `KnowledgeError` naming the file (and line for JSONL) and the field, so a writer can
fix the article without reading code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot.core.errors import KnowledgeError
from bot.core.types import Audience
from knowledge import frontmatter
from knowledge.documents import Article, split_passages
from knowledge.html_text import read_page
from knowledge.jsonl import json_objects
from knowledge.markdown_text import markdown_to_text
from knowledge.rst import read_rst

SUFFIXES = (".md", ".markdown", ".mdx", ".html", ".htm", ".rst", ".jsonl")
_KNOWN = {"id", "title", "audience", "language", "updated", "tags", "team", "url", "questions", "body"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")


def kb_files(kb_dir: Path) -> list[Path]:
    """The files an ingest reads, sorted, skipping hidden files and README-style docs."""
    if not kb_dir.is_dir():
        raise KnowledgeError(f"{kb_dir}: knowledge base folder not found")
    return sorted(
        p
        for p in kb_dir.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(kb_dir).parts)
        and p.stem.lower() not in {"readme", "license", "changelog"}
    )


# Bump when a reader's output changes for the same file: articles cached by an older reader are read again.
READER = 2


@dataclass(slots=True)
class Reading:
    """Articles already read, by file key, and what this read did: a re-ingest parses only the files whose key is
    new, because parsing is most of an ingest (a 25 kB help-center page costs tens of milliseconds to read, a
    hash of it microseconds). A file's key covers its bytes, its path (ids default to it), the read's settings
    and the readers' versions, so a cached article is the one a fresh read would make."""

    known: Mapping[str, Sequence[Article]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)  # the file key of each article read, in order
    parsed: int = 0  # files parsed by this read (not taken from `known`)

    @classmethod
    def reuse(cls, articles: Sequence[Article], keys: Sequence[str]) -> Reading:
        """From a stored version's articles and their file keys (none for a store written before keys)."""
        known: dict[str, list[Article]] = {}
        if len(keys) == len(articles):
            for key, article in zip(keys, articles, strict=True):
                known.setdefault(key, []).append(article)
        return cls(known)


@lru_cache(maxsize=1)
def _readers() -> str:
    return "|".join(f"{name} {version(name)}" for name in ("markdown-it-py", "beautifulsoup4", "lxml", "docutils"))


def file_key(rel: str, raw: bytes, default_language: str, max_chars: int) -> str:
    h = hashlib.sha256(f"{READER}|{_readers()}|{rel}|{default_language}|{max_chars}|".encode())
    h.update(raw)
    return h.hexdigest()[:24]


def load_folder(
    kb_dir: Path,
    *,
    default_language: str = "en",
    max_chars: int = 1200,
    progress: Callable[[int], None] | None = None,
    problems: list[str] | None = None,
    reading: Reading | None = None,
) -> list[Article]:
    """All articles under `kb_dir`; duplicate ids are an error naming both files.

    With a `problems` list, a file (or JSONL row) ingest refuses is recorded there and skipped instead of stopping
    the read: the audit reports every problem at once, while `kb ingest` still refuses the whole folder. With a
    `reading`, files it already knows are taken from it, and it records each article's file key."""
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for path in kb_files(kb_dir):
        key, cached = "", None
        if reading is not None:
            key = file_key(path.relative_to(kb_dir).as_posix(), path.read_bytes(), default_language, max_chars)
            cached = reading.known.get(key)
            reading.parsed += not cached
        try:
            for article in cached or load_file(path, kb_dir, default_language=default_language, max_chars=max_chars):
                if article.id in seen:
                    raise KnowledgeError(
                        f"{article.source}: field 'id': {article.id!r} is already used by {seen[article.id]}"
                    )
                seen[article.id] = article.source
                articles.append(article)
                if reading is not None:
                    reading.keys.append(key)
        except KnowledgeError as exc:
            if problems is None:
                raise
            problems.append(str(exc))
        if progress is not None:
            progress(1)
    return articles


def load_file(path: Path, kb_dir: Path, *, default_language: str = "en", max_chars: int = 1200) -> Iterator[Article]:
    rel = path.relative_to(kb_dir).as_posix()
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"{rel}: not UTF-8 text ({exc.reason})") from exc
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl(raw, rel, default_language, max_chars)
        return
    source = raw
    if suffix in (".html", ".htm"):
        page = read_page(raw)
        meta, body, title = _html_meta(page.meta), page.body, page.title
    elif suffix == ".rst":
        rst = read_rst(raw, rel)
        meta, body, title = _rst_meta(rst.meta), rst.body, rst.title
    else:
        fields, source = frontmatter.split(raw, rel)
        meta, body = _site_fields(fields or {}), markdown_to_text(source)
        title = _first_heading(body)
        if set(fields or {}) & (
            _KNOWN - {"title", "body"}
        ):  # Frontdesk's own fields: `id` and `title` are the writer's
            meta.setdefault("id", None)
            meta.setdefault("title", None)
    # A page exported from a docs site carries no id: its path is one (stable while the file stays put; with its
    # suffix, as docs tooling names pages, so `guide/x.md` and `guide/x.rst` stay apart), and its title is its
    # first heading, else its file name.
    meta.setdefault("id", rel)
    meta.setdefault("title", title or path.stem.replace("-", " ").replace("_", " ").capitalize())
    article = _article(meta, body, rel, default_language, max_chars, extra_ok=suffix in (".html", ".htm"))
    yield replace(article, markup=markup_share(source, article.body))


def markup_share(source: str, text: str) -> float:
    """How much of a page's source the clean text dropped (tags, styles, directives): near 1, the page is mostly
    markup and its text may not read as the site shows it — the audit names it."""
    size = len(source.strip())
    return round(max(0.0, 1.0 - len(text) / size), 3) if size else 0.0


_SITE_ONLY = {
    # Static-site generators' own fields (Jekyll, Hugo, Docusaurus, MkDocs): read by the site, not by Frontdesk.
    "layout", "permalink", "slug", "sidebar_position", "sidebar_label", "sidebar_class_name", "description",
    "keywords", "categories", "category", "nav_order", "parent", "grand_parent", "has_children", "weight", "draft",
    "toc", "hide", "template", "summary", "author", "authors", "aliases", "redirect_from", "image", "date", "lastmod",
    "last_modified_at", "last_update", "hide_title", "hide_table_of_contents", "pagination_next", "pagination_prev",
    "custom_edit_url", "displayed_sidebar", "search", "status", "menu", "type", "excerpt", "nav_exclude",
}  # fmt: skip
_LAST_CHANGED = ("lastmod", "last_modified_at", "last_update", "date")


def _site_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Frontmatter with static-site fields set aside; their last-changed date stands in for `updated`."""
    meta = {k: v for k, v in fields.items() if k not in _SITE_ONLY}
    if "updated" not in meta:
        for key in _LAST_CHANGED:
            value = fields.get(key)
            value = value.get("date") if isinstance(value, dict) else value
            if value:
                meta["updated"] = value
                break
    return meta


def _first_heading(body: str) -> str:
    return next((ln.lstrip("#").strip() for ln in body.splitlines() if ln.startswith("#")), "")


def _html_meta(raw: dict[str, Any]) -> dict[str, Any]:
    meta = dict(raw)
    for key in ("tags", "questions"):  # meta content is a string: "a, b" / "q1 | q2"
        if isinstance(meta.get(key), str):
            sep = "|" if key == "questions" else ","
            meta[key] = [v.strip() for v in meta[key].split(sep) if v.strip()]
    return meta


def _rst_meta(raw: dict[str, Any]) -> dict[str, Any]:
    """A reST page's top field list: Frontdesk's fields (tags "a, b", questions "q1 | q2"); Sphinx's own
    (`:orphan:`, `:nosearch:`, `:tocdepth:`) are set aside."""
    return _html_meta({k: v for k, v in raw.items() if k in _KNOWN})


def _jsonl(raw: str, rel: str, default_language: str, max_chars: int) -> Iterator[Article]:
    for where, row in json_objects(raw, rel, shape="a JSON object with id, title, body"):
        body = row.get("body", "")
        if not isinstance(body, str):
            raise KnowledgeError(f"{where}: field 'body' must be a string")
        meta = {k: v for k, v in row.items() if k != "body"}
        yield _article(meta, markdown_to_text(body), where, default_language, max_chars, extra_ok=True)


def _article(
    meta: Mapping[str, Any],
    body: str,
    where: str,
    default_language: str,
    max_chars: int,
    *,
    extra_ok: bool = False,
) -> Article:
    """`extra_ok`: other fields are expected (HTML pages' unrelated <meta> tags, JSONL rows' own columns)."""

    def err(field: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{where}: field '{field}': {problem}")

    unknown = sorted(set(meta) - _KNOWN)
    if unknown and not extra_ok:
        raise err(unknown[0], f"unknown field (allowed: {', '.join(sorted(_KNOWN - {'body'}))})")
    missing: list[str] = []

    art_id = meta.get("id")
    if art_id is None or art_id == "":
        raise err("id", "required")
    art_id = str(art_id).strip()
    if not _ID.match(art_id):
        raise err("id", f"{art_id!r} must be letters, digits and . _ - : / (no spaces)")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise err("title", "required, a non-empty string")

    audience_raw = meta.get("audience")
    if audience_raw is None:
        missing.append("audience")
        # Fail safe: something that looks internal (folder or tag) stays internal until the writer says otherwise.
        looks_internal = "internal" in where.lower().split("/")[:-1] or "internal" in _strings(meta.get("tags"))
        audience = Audience.INTERNAL if looks_internal else Audience.CUSTOMER
    else:
        try:
            audience = Audience(str(audience_raw).strip().lower())
        except ValueError:
            raise err("audience", f"{audience_raw!r} must be 'customer' or 'internal'") from None

    language = meta.get("language")
    if language is None:
        missing.append("language")
        language = default_language
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language.strip()):
        raise err("language", f"{language!r} must be a language code such as 'en' or 'de'")

    updated = _date(meta.get("updated"), err)
    if updated is None:
        missing.append("updated")
    tags_raw = meta.get("tags")
    if tags_raw is not None and not (isinstance(tags_raw, list) and all(isinstance(t, str | int) for t in tags_raw)):
        raise err("tags", "must be a list of strings, e.g. [billing, refunds]")
    tags = tuple(str(t).strip() for t in (tags_raw or []) if str(t).strip())
    if not tags:
        missing.append("tags")
    team = meta.get("team") or ""
    if not isinstance(team, str):
        raise err("team", "must be a string")
    if not team:
        missing.append("team")
    url = meta.get("url") or ""
    if not isinstance(url, str):
        raise err("url", "must be a string")
    questions_raw = meta.get("questions")
    if questions_raw is not None and not (
        isinstance(questions_raw, list) and all(isinstance(q, str) for q in questions_raw)
    ):
        raise err("questions", "must be a list of strings (known phrasings of the question)")
    questions = tuple(q.strip() for q in (questions_raw or []) if q.strip())
    if not body.strip() and not questions:
        raise err("body", "the article has no text")

    return Article(
        id=art_id,
        title=title.strip(),
        body=body.strip(),
        audience=audience,
        language=language.strip(),
        updated=updated,
        tags=tags,
        team=team.strip(),
        url=url.strip(),
        questions=questions,
        source=where,
        missing=tuple(missing),
        passages=split_passages(art_id, title.strip(), body, max_chars),
    )


def _strings(value: Any) -> list[str]:
    return [str(v).strip().lower() for v in value] if isinstance(value, list) else []


def _date(value: Any, err: Callable[[str, str], KnowledgeError]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise err("updated", f"{value!r} must be a date like 2026-01-31") from None
