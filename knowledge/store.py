"""The versioned on-disk index: `<data_dir>/knowledge/<kb-key>/<version>/` plus a CURRENT pointer.

A version is the hash of every article's content hash and the embedding model, so replicas that see the same KB
compute the same version and load the same files; re-ingest reuses the key vectors of unchanged articles.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.types import Audience
from knowledge.documents import Article, Passage

FORMAT = 1


def kb_key(kb_dir: Path) -> str:
    return "kb-" + hashlib.sha256(str(kb_dir.resolve()).encode()).hexdigest()[:10]


def compute_version(hashes: Sequence[str], model: str) -> str:
    h = hashlib.sha256(f"{FORMAT}|{model}".encode())
    for x in sorted(hashes):
        h.update(x.encode())
    return h.hexdigest()[:12]


@dataclass(slots=True)
class Stored:
    version: str
    articles: list[Article]
    vectors: list[np.ndarray]  # per article: (n_keys, dim)
    kinds: list[np.ndarray]  # per article: (n_keys,)
    # per article: the key of the file it was read from (`knowledge.ingest.Reading`): a re-ingest takes unchanged
    # files' articles from here instead of parsing them again; empty for a store written before keys
    file_keys: list[str] = field(default_factory=list)


class IndexStore:
    def __init__(self, data_dir: Path, kb_dir: Path) -> None:
        self.root = data_dir / "knowledge" / kb_key(kb_dir)

    def current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def load(self, version: str) -> Stored | None:
        folder = self.root / version
        try:
            meta = json.loads((folder / "articles.json").read_text())
            vectors = np.load(folder / "vectors.npy")
            kinds = np.load(folder / "kinds.npy")
        except (FileNotFoundError, ValueError, json.JSONDecodeError):
            return None
        if meta.get("format") != FORMAT:
            return None
        offsets = meta["offsets"]
        articles = [_article_from(d) for d in meta["articles"]]
        vecs = [vectors[offsets[i] : offsets[i + 1]] for i in range(len(articles))]
        kds = [kinds[offsets[i] : offsets[i + 1]] for i in range(len(articles))]
        keys = meta.get("file_keys") or []
        return Stored(version, articles, vecs, kds, keys if len(keys) == len(articles) else [])

    def extra_path(self, version: str, name: str) -> Path:
        """Where a derived artefact of `version` (a scope's question model) lives, beside its vectors."""
        return self.root / version / name

    def save(self, stored: Stored) -> None:
        folder = self.root / stored.version
        tmp = self.root / f".tmp-{stored.version}-{os.getpid()}"
        tmp.mkdir(parents=True, exist_ok=True)
        offsets = [0]
        for k in stored.kinds:
            offsets.append(offsets[-1] + len(k))
        meta = {
            "format": FORMAT,
            "offsets": offsets,
            "file_keys": stored.file_keys,
            "articles": [_article_to(a) for a in stored.articles],
        }
        with (tmp / "articles.json").open("w", encoding="utf-8") as fh:
            json.dump(meta, fh)  # streamed: one JSON string of a 10k-article KB would be hundreds of MB
        dim = next((v.shape[1] for v in stored.vectors if v.ndim == 2 and v.shape[0]), 0)
        matrix = np.vstack(stored.vectors) if dim else np.zeros((offsets[-1], 0), np.float32)
        np.save(tmp / "vectors.npy", matrix.astype(np.float32))
        np.save(tmp / "kinds.npy", np.concatenate(stored.kinds).astype(np.int8) if stored.kinds else np.zeros(0))
        if folder.exists():
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, folder)  # atomic: readers never see a half-written version
        pointer = self.root / f".CURRENT-{os.getpid()}"
        pointer.write_text(stored.version)
        os.replace(pointer, self.root / "CURRENT")
        self._prune(keep={stored.version})

    def _prune(self, keep: set[str], max_versions: int = 3) -> None:
        folders = sorted(
            (p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in folders[max_versions:]:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)


def _article_to(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "body": a.body,
        "audience": a.audience.value,
        "language": a.language,
        "updated": a.updated.isoformat() if a.updated else None,
        "tags": list(a.tags),
        "team": a.team,
        "url": a.url,
        "questions": list(a.questions),
        "source": a.source,
        "missing": list(a.missing),
        "markup": a.markup,
        "passages": [[p.heading, p.text] for p in a.passages],
    }


def _article_from(d: dict[str, Any]) -> Article:
    return Article(
        id=d["id"],
        title=d["title"],
        body=d["body"],
        audience=Audience(d["audience"]),
        language=d["language"],
        updated=date.fromisoformat(d["updated"]) if d["updated"] else None,
        tags=tuple(d["tags"]),
        team=d["team"],
        url=d["url"],
        questions=tuple(d["questions"]),
        source=d["source"],
        missing=tuple(d["missing"]),
        markup=float(d.get("markup", 0.0)),
        passages=tuple(Passage(d["id"], h, t) for h, t in d["passages"]),
    )
