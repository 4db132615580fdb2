"""Read a KB folder (Markdown with YAML frontmatter, HTML, JSONL FAQ files) into validated `Article`s.

Every validation error raises `KnowledgeError` naming the file (and line for JSONL) and the field, so a writer can
fix the article without reading code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bot.core.errors import KnowledgeError
from bot.core.types import Audience
from knowledge.documents import Article, split_passages
from knowledge.jsonl import json_objects

SUFFIXES = (".md", ".markdown", ".html", ".htm", ".jsonl")
_KNOWN = {"id", "title", "audience", "language", "updated", "tags", "team", "url", "questions", "body"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$")
_FRONTMATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


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


def load_folder(
    kb_dir: Path,
    *,
    default_language: str = "en",
    max_chars: int = 1200,
    progress: Callable[[int], None] | None = None,
) -> list[Article]:
    """All articles under `kb_dir`; duplicate ids are an error naming both files."""
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for path in kb_files(kb_dir):
        for article in load_file(path, kb_dir, default_language=default_language, max_chars=max_chars):
            if article.id in seen:
                raise KnowledgeError(
                    f"{article.source}: field 'id': {article.id!r} is already used by {seen[article.id]}"
                )
            seen[article.id] = article.source
            articles.append(article)
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
    elif suffix in (".html", ".htm"):
        meta, body = _html(raw)
        yield _article(meta, body, rel, default_language, max_chars, markdown=False)
    else:
        meta, body = _markdown(raw, rel)
        yield _article(meta, body, rel, default_language, max_chars, markdown=True)


def _markdown(raw: str, rel: str) -> tuple[dict[str, Any], str]:
    import yaml

    m = _FRONTMATTER.match(raw)
    if m is None:
        raise KnowledgeError(f"{rel}: missing YAML frontmatter (start the file with '---', id, title, ... '---')")
    try:
        meta = yaml.load(m.group(1), Loader=_FrontmatterLoader) or {}
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{rel}: {_yaml_problem(exc)}") from None
    if not isinstance(meta, dict):
        raise KnowledgeError(f"{rel}: frontmatter must be a mapping of fields")
    return meta, raw[m.end() :]


def _frontmatter_loader() -> type[Any]:
    import yaml

    # SafeLoader that leaves dates as text: `updated: 2026-13-40` then fails validation naming the field, instead
    # of PyYAML raising a bare ValueError from inside its date constructor.
    loader: type[Any] = type("FrontmatterLoader", (yaml.SafeLoader,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return loader


_FrontmatterLoader = _frontmatter_loader()


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


class _HtmlText(HTMLParser):
    """Collects <meta name=... content=...>, <title>, and the visible text with headings kept as Markdown."""

    _SKIP = {"script", "style", "nav", "footer", "header"}
    _BLOCK = {"p", "div", "li", "br", "tr", "section", "article", "ul", "ol", "table", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, Any] = {}
        self.out: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") and "content" in a:
            self.meta[a["name"].removeprefix("frontdesk:")] = a["content"]
        elif tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.out.append(data)


def _html(raw: str) -> tuple[dict[str, Any], str]:
    parser = _HtmlText()
    parser.feed(raw)
    meta = dict(parser.meta)
    if parser.title.strip():
        meta.setdefault("title", parser.title.strip())
    for key in ("tags", "questions"):  # meta content is a string: "a, b" / "q1 | q2"
        if isinstance(meta.get(key), str):
            sep = "|" if key == "questions" else ","
            meta[key] = [v.strip() for v in meta[key].split(sep) if v.strip()]
    body = re.sub(r"[ \t]+", " ", "".join(parser.out))
    body = re.sub(r"\n\s*\n\s*", "\n\n", body).strip()
    return meta, body


def _jsonl(raw: str, rel: str, default_language: str, max_chars: int) -> Iterator[Article]:
    for where, row in json_objects(raw, rel, shape="a JSON object with id, title, body"):
        body = row.get("body", "")
        if not isinstance(body, str):
            raise KnowledgeError(f"{where}: field 'body' must be a string")
        meta = {k: v for k, v in row.items() if k != "body"}
        yield _article(meta, body, where, default_language, max_chars, markdown=True, extra_ok=True)


def _article(
    meta: Mapping[str, Any],
    body: str,
    where: str,
    default_language: str,
    max_chars: int,
    *,
    markdown: bool,
    extra_ok: bool = False,
) -> Article:
    def err(field: str, problem: str) -> KnowledgeError:
        return KnowledgeError(f"{where}: field '{field}': {problem}")

    if not extra_ok and not markdown:
        extra_ok = True  # HTML pages carry unrelated <meta> tags (viewport, description, ...)
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
