"""`kb audit`: what to fix in the knowledge base — duplicates, conflicting facts, stale articles, bad metadata,
articles nobody cites — plus per-article performance from recorded decisions and feedback.

Pure functions over articles, their key vectors and (optionally) records from the store; the CLI renders them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Audience
from knowledge.documents import Article, plain_text, sentences
from knowledge.index import KIND_PASSAGE, tokenize

_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# A number with an optional currency / unit: "$29", "14 days", "100 requests", "30-day", "2.5 GB", "99.9%".
_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)?)\s?-?(?P<unit>%|[a-zA-Z]+)?",
)


_NOT_UNITS = {"per", "a", "an", "and", "or", "to", "of", "in", "on", "for", "at", "by", "the", "is", "are", "from"}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # duplicate | conflict | stale | metadata | audience | never_cited
    severity: str  # error | warning | info
    articles: tuple[str, ...]
    message: str
    detail: str = ""


@dataclass(slots=True)
class ArticleStats:
    cited: int = 0
    helpful: int = 0
    not_helpful: int = 0
    escalations_after: int = 0
    rewrites_after: int = 0

    @property
    def helpful_rate(self) -> float | None:
        rated = self.helpful + self.not_helpful
        return self.helpful / rated if rated else None


@dataclass(slots=True)
class AuditReport:
    articles: int
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, ArticleStats] | None = None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for f in self.findings:
            out[f.kind] += 1
        return dict(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "counts": self.counts(),
            "findings": [asdict(f) for f in self.findings],
            "performance": None
            if self.stats is None
            else {k: {**asdict(v), "helpful_rate": v.helpful_rate} for k, v in sorted(self.stats.items())},
        }


def run_audit(
    articles: Sequence[Article],
    vectors: Sequence[np.ndarray],
    kinds: Sequence[np.ndarray],
    *,
    today: date,
    review_days: int = 180,
    duplicate_threshold: float = 0.93,
    allowed_tags: Sequence[str] = (),
    stats: Mapping[str, ArticleStats] | None = None,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> AuditReport:
    report = AuditReport(len(articles), stats=dict(stats) if stats is not None else None)
    report.findings += metadata_findings(articles, today=today, review_days=review_days, allowed_tags=allowed_tags)
    centroids = _centroids(vectors, kinds)
    report.findings += duplicate_findings(articles, centroids, duplicate_threshold)
    report.findings += conflict_findings(articles, centroids, embed)
    if stats is not None:
        for a in articles:
            if stats.get(a.id, ArticleStats()).cited == 0:
                report.findings.append(Finding("never_cited", "info", (a.id,), "never cited in an answer"))
    return report


def metadata_findings(
    articles: Sequence[Article], *, today: date, review_days: int, allowed_tags: Sequence[str]
) -> list[Finding]:
    out: list[Finding] = []
    allowed = set(allowed_tags)
    cutoff = today - timedelta(days=review_days)
    for a in articles:
        if "audience" in a.missing:
            if a.audience is Audience.INTERNAL:
                out.append(
                    Finding(
                        "audience",
                        "error",
                        (a.id,),
                        "looks internal but has no 'audience: internal'",
                        f"{a.source}: add 'audience: internal' (kept internal meanwhile)",
                    )
                )
            else:
                out.append(
                    Finding("audience", "warning", (a.id,), "no 'audience' field (treated as customer)", a.source)
                )
        if a.updated is None:
            out.append(
                Finding("stale", "warning", (a.id,), "no 'updated' date: cannot tell if it is current", a.source)
            )
        elif a.updated < cutoff:
            age = (today - a.updated).days
            out.append(
                Finding(
                    "stale",
                    "warning",
                    (a.id,),
                    f"last updated {a.updated} ({age} days ago)",
                    f"review window is {review_days} days",
                )
            )
        if not a.tags:
            out.append(Finding("metadata", "warning", (a.id,), "no tags", a.source))
        bad = [t for t in a.tags if not _TAG.match(t) or (allowed and t not in allowed)]
        if bad:
            why = "not in knowledge.allowed_tags" if allowed else "tags are lower-case words joined by - or _"
            out.append(Finding("metadata", "warning", (a.id,), f"invalid tags: {', '.join(bad)}", why))
        if not a.team:
            out.append(Finding("metadata", "warning", (a.id,), "no 'team': escalations fall back to the default team"))
        if a.audience is Audience.CUSTOMER and not a.url:
            out.append(Finding("metadata", "info", (a.id,), "no 'url': citations cannot link to it"))
    return out


def _centroids(vectors: Sequence[np.ndarray], kinds: Sequence[np.ndarray]) -> np.ndarray | None:
    if not vectors or vectors[0].ndim != 2 or vectors[0].shape[1] == 0:
        return None
    rows = []
    for v, k in zip(vectors, kinds, strict=True):
        content = v[k == KIND_PASSAGE] if (k == KIND_PASSAGE).any() else v
        c = content.mean(axis=0)
        rows.append(c / max(float(np.linalg.norm(c)), 1e-12))
    return np.vstack(rows).astype(np.float32)


def _neighbours(centroids: np.ndarray, threshold: float, k: int = 10) -> list[tuple[int, int, float]]:
    sims = centroids @ centroids.T if len(centroids) <= 4000 else None
    pairs: list[tuple[int, int, float]] = []
    for i in range(len(centroids)):
        row = sims[i] if sims is not None else centroids @ centroids[i]
        for j in np.argsort(-row)[: k + 1]:
            j = int(j)
            if j > i and row[j] >= threshold:
                pairs.append((i, j, float(row[j])))
    return pairs


def duplicate_findings(articles: Sequence[Article], centroids: np.ndarray | None, threshold: float) -> list[Finding]:
    out: list[Finding] = []
    if centroids is None:
        return out
    for i, j, sim in _neighbours(centroids, threshold):
        a, b = articles[i], articles[j]
        if a.language != b.language:
            continue
        out.append(
            Finding(
                "duplicate",
                "warning",
                (a.id, b.id),
                f"near-duplicate articles (similarity {sim:.2f})",
                f"{a.source} / {b.source}: merge them or make each one specific",
            )
        )
    return out


def facts(text: str) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """Sentences that state numbers: (sentence, its numbers with units, its other content words)."""
    out = []
    for s in sentences(plain_text(text)):
        nums = set()
        for m in _NUMBER.finditer(s):
            unit = (m.group("unit") or "").lower().rstrip("s")
            unit = "" if unit in _NOT_UNITS else unit
            nums.add(f"{m.group('cur') or ''}{m.group('num').replace(',', '.')}{unit}")
        if nums:
            words = frozenset(w for w in tokenize(re.sub(r"\d+", " ", s), "en") if len(w) > 2)
            out.append((s, frozenset(nums), words))
    return out


def conflict_findings(
    articles: Sequence[Article],
    centroids: np.ndarray | None,
    embed: Callable[[Sequence[str]], np.ndarray] | None,
    *,
    topic_threshold: float = 0.55,
) -> list[Finding]:
    """Same topic, different numbers: two sentences that say nearly the same thing about different figures."""
    out: list[Finding] = []
    if centroids is None:
        return out
    per_article = [facts(a.body) for a in articles]
    for i, j, _ in _neighbours(centroids, topic_threshold, k=8):
        a, b = articles[i], articles[j]
        if a.language != b.language or not per_article[i] or not per_article[j]:
            continue
        sims = None
        if embed is not None:
            va = embed([f[0] for f in per_article[i]])
            vb = embed([f[0] for f in per_article[j]])
            sims = va @ vb.T
        for x, (sa, na, wa) in enumerate(per_article[i]):
            for y, (sb, nb, wb) in enumerate(per_article[j]):
                if na == nb or not wa or not wb:
                    continue
                shared_units = {n.lstrip("$€£0123456789.") for n in na} & {n.lstrip("$€£0123456789.") for n in nb}
                if not shared_units:
                    continue  # "14 days" vs "$29": different kinds of quantity, not a contradiction
                overlap = len(wa & wb) / len(wa | wb)
                close = sims is not None and float(sims[x, y]) >= 0.85
                if overlap >= 0.6 or (close and overlap >= 0.4):
                    out.append(
                        Finding(
                            "conflict",
                            "error",
                            (a.id, b.id),
                            "conflicting figures on the same topic",
                            f"{a.id}: “{sa}”  vs  {b.id}: “{sb}”",
                        )
                    )
    return out


def stats_from_records(
    decisions: Sequence[DecisionRecord], feedback: Sequence[FeedbackEntry]
) -> dict[str, ArticleStats]:
    """Per-article performance: cited (top article of an AI answer or draft), helpful votes on those answers,
    escalations as the very next step after such an answer (a later, unrelated question that escalated is not the
    article's fault), and agent rewrites of drafts citing it."""
    stats: dict[str, ArticleStats] = defaultdict(ArticleStats)
    by_id = {d.id: d for d in decisions}
    previous: dict[str, DecisionRecord] = {}  # each conversation's latest decision that was not an Ignore
    for d in sorted(decisions, key=lambda d: (d.at, d.id)):
        if d.kind in ("answer", "draft") and d.article_ids:
            stats[d.article_ids[0]].cited += 1
        elif d.kind == "escalate":
            before = previous.get(d.conversation_key)
            if before is not None and before.kind in ("answer", "draft") and before.article_ids:
                stats[before.article_ids[0]].escalations_after += 1
        if d.kind != "ignore":
            previous[d.conversation_key] = d
    for f in feedback:
        ids = f.article_ids
        if not ids and f.decision_id is not None and f.decision_id in by_id:
            ids = by_id[f.decision_id].article_ids
        if not ids:
            continue
        top = ids[0]
        if f.kind == "helpful" and f.helpful is not None:
            if f.helpful:
                stats[top].helpful += 1
            else:
                stats[top].not_helpful += 1
        elif f.kind == "rewrite" and f.rewrote:
            stats[top].rewrites_after += 1
    return dict(stats)
