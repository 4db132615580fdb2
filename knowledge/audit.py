"""`kb audit`: what to fix in the knowledge base — duplicates, conflicting facts, stale articles, bad metadata,
articles nobody cites — plus per-article performance from recorded decisions and feedback.

Pure functions over articles, their key vectors and (optionally) records from the store; the CLI renders them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from bot.core.ports import DecisionRecord, FeedbackEntry
from bot.core.types import Audience
from knowledge.documents import Article
from knowledge.facts import Fact, article_facts
from knowledge.index import KIND_PASSAGE

_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MOSTLY_MARKUP = 0.7  # share of a page's source that cleaning dropped, above which the audit names the page


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # invalid | duplicate | conflict | stale | metadata | markup | audience | never_cited
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
    refused: Sequence[str] = (),
) -> AuditReport:
    """Every finding at once. `refused` are the problems of files ingest refuses (`load_folder(problems=...)`):
    each is a finding, and the rest of the KB is audited all the same."""
    report = AuditReport(len(articles), stats=dict(stats) if stats is not None else None)
    report.findings += [refused_finding(problem) for problem in refused]
    report.findings += metadata_findings(articles, today=today, review_days=review_days, allowed_tags=allowed_tags)
    report.findings += markup_findings(articles)
    centroids = _centroids(vectors, kinds)
    report.findings += duplicate_findings(articles, centroids, duplicate_threshold)
    report.findings += conflict_findings(articles)
    if stats is not None:
        for a in articles:
            if stats.get(a.id, ArticleStats()).cited == 0:
                report.findings.append(Finding("never_cited", "info", (a.id,), "never cited in an answer"))
    return report


def refused_finding(problem: str) -> Finding:
    """ "billing/x.md: field 'audience': ..." as a finding on that file (its article is not in the index)."""
    where, _, what = problem.partition(": ")
    return Finding(
        "invalid", "error", (where,), what or problem, "ingest refuses this file: fix it, then run `kb ingest`"
    )


def markup_findings(articles: Sequence[Article]) -> list[Finding]:
    return [
        Finding(
            "markup",
            "warning",
            (a.id,),
            f"mostly markup: {round(100 * a.markup)}% of the file is tags, directives or styles",
            f"{a.source}: check that its text reads as the page does (icons, widgets and includes are left out)",
        )
        for a in articles
        if a.markup >= MOSTLY_MARKUP
    ]


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


def conflict_findings(articles: Sequence[Article]) -> list[Finding]:
    """Two articles stating one fact with different figures: a price, a duration, a size, a share, a count or a
    date of the same kind, in sentences about the same thing (see `same_subject`). One finding per pair of
    articles, quoting the first pair of sentences; figures inside one article never conflict with each other."""
    facts = [f for a in articles for f in article_facts(a)]
    language = {a.id: a.language for a in articles}
    # Names in more than a tenth of the articles (the product, the company) distinguish nothing.
    spread: dict[str, set[str]] = defaultdict(set)
    for f in facts:
        for name in f.names:
            spread[name].add(f.article_id)
    common = frozenset(n for n, ids in spread.items() if len(ids) > max(2, len(articles) // 10))
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, fact in enumerate(facts):
        for kind in {q.kind for q in fact.quantities}:
            for word in fact.words:
                index[(kind, word)].append(i)
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for i, fact in enumerate(facts):
        shared: dict[int, int] = defaultdict(int)
        for kind in {q.kind for q in fact.quantities}:
            for word in fact.words:
                for j in index[(kind, word)]:
                    if j > i:
                        shared[j] += 1
        for j, n in shared.items():
            other = facts[j]
            pair = (fact.article_id, other.article_id)
            if n < 2 or pair[0] == pair[1] or pair in seen or language[pair[0]] != language[pair[1]]:
                continue
            if differing_figure(fact, other) and same_subject(fact, other, common):
                seen.update({pair, pair[::-1]})
                out.append(
                    Finding(
                        "conflict",
                        "error",
                        pair,
                        "conflicting figures on the same topic",
                        f"{pair[0]}: “{fact.sentence}”  vs  {pair[1]}: “{other.sentence}”",
                    )
                )
    return out


def differing_figure(a: Fact, b: Fact) -> bool:
    """A kind of figure both state, with no value in common ("14 days" vs "30 days"; not "14 or 30 days" vs
    "30 days")."""
    for kind in {q.kind for q in a.quantities} & {q.kind for q in b.quantities}:
        va = {round(q.value, 6) for q in a.quantities if q.kind == kind}
        vb = {round(q.value, 6) for q in b.quantities if q.kind == kind}
        if not va & vb:
            return True
    return False


def same_subject(a: Fact, b: Fact, common: frozenset[str] = frozenset()) -> bool:
    """About the same thing (see SAME_WORDS / SAME_MEASURE). Never when each side names
    something the other does not, or one names several things the other does not ("Professional" vs "Enterprise", table rows "Starter" vs "Growth"; names found
    across much of the KB, like the product's, do not count) or when they are about different versions."""
    na, nb = a.names - common, b.names - common
    if (na - nb and nb - na) or len(na - nb) > 1 or len(nb - na) > 1:
        return False  # two different things, or one sentence listing several ("20 on Starter, 100 on Growth")
    if a.versions and b.versions and a.versions != b.versions:
        return False
    shared = len(a.words & b.words)
    overlap = shared / max(len(a.words | b.words), 1)
    return shared >= 3 and (overlap >= SAME_WORDS or (overlap >= SAME_MEASURE and bool(a.anchors & b.anchors)))


# Two sentences are about one thing when (with at least 3 content words in common) most of their words are the same,
# or a quarter are and the same word stands next to the figure ("trial" in "the trial lasts 30 days" and "a 14-day
# free trial"). Set on bench/kb_audit.py's planted conflicts and the example KB (which states no conflict); there is
# no held-out set, so its rates are optimistic.
SAME_WORDS, SAME_MEASURE = 0.45, 0.25


def stats_from_records(
    decisions: Sequence[DecisionRecord], feedback: Sequence[FeedbackEntry]
) -> dict[str, ArticleStats]:
    """Per-article performance: cited (top article of an AI answer or draft), helpful votes on those answers,
    escalations later in the same conversation, and agent rewrites of drafts citing it."""
    stats: dict[str, ArticleStats] = defaultdict(ArticleStats)
    by_id = {d.id: d for d in decisions}
    cited_in: dict[str, list[DecisionRecord]] = defaultdict(list)
    for d in sorted(decisions, key=lambda d: (d.at, d.id)):
        if d.kind in ("answer", "draft") and d.article_ids:
            stats[d.article_ids[0]].cited += 1
            cited_in[d.conversation_key].append(d)
        elif d.kind == "escalate":
            for earlier in cited_in.get(d.conversation_key, []):
                if earlier.at <= d.at:
                    stats[earlier.article_ids[0]].escalations_after += 1
            cited_in.pop(d.conversation_key, None)
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
