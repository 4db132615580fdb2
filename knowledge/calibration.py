"""Per-KB self-calibration, fitted at ingest: what the shipped confidence means *on this KB*.

The shipped calibration (knowledge/params.json) is one logistic model fitted on a few public sets; the same fused
score means different things on a KB of intent examples, a FAQ and a help center of long manual pages, so on a KB
unlike its fit sets the 0.70 threshold stops meaning "right about 70 % of the time or more" (issue 14, req. 3).

So at ingest each scope quizzes itself. A *probe index* is built from the KB with some of it held out — about one
article in eight removed entirely (its probes have no right answer: what an off-KB question looks like here), and,
from every other article, one known question (KBs with `questions`) or one section (KBs without: help-center
pages) — and the held-out text is asked against it with the very ranking and confidence a customer's question
gets. A probe counts as right when the article it came from ranks first. A small logistic model (Platt scaling)
over features every KB has — the shipped confidence's logit, how many retrievers agree on the top article, and
how much of the question the top article covers — maps them to P(right) for this KB. Two folds (different
held-out parts) for KBs up to `TWO_FOLDS_MAX` articles.

A probe from a removed section is harder than a real question (the section that would answer it is gone) and a
held-out known question is about as hard as a real one, which is the trade-off measured in bench/RESULTS.md.
Too few probes, or a KB where every probe is right or every one wrong, gets no self-calibration: the shipped one
stays (None).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from knowledge.classifier import QuestionModel
from knowledge.confidence import Params, ParamSet, confidence, platt_features
from knowledge.documents import Article, Passage, plain_text, sentences
from knowledge.index import ScopeIndex, article_keys
from knowledge.platt import Platt, SelfCalibration
from knowledge.relevance import content_terms, coverage
from knowledge.retriever import rank

HOLD_OUT_EVERY = 8  # one article in eight leaves the probe index entirely (its probes are unanswerable)
MIN_PROBES, MIN_EACH = 30, 5  # fewer probes, or fewer than 5 right or wrong: keep the shipped calibration
TWO_FOLDS_MAX = 3000  # articles; larger KBs get one fold (each fold builds one probe index)
MAX_PROBES_PER_FOLD = 600
UNANSWERABLE_SHARE = 0.05  # weight of the removed articles' probes in the fit (see fit_self_calibration)
PROBE_WORDS = (4, 30)  # a section probe is a sentence of this many words


@dataclass(frozen=True, slots=True)
class Probe:
    text: str
    article_id: str
    answerable: bool


def _pick(key: str, n: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % max(1, n)


def _probe_sentence(passage: Passage) -> str:
    for sentence in sentences(plain_text(passage.text)):
        words = sentence.split()
        if len(words) >= PROBE_WORDS[0]:
            return " ".join(words[: PROBE_WORDS[1]])
    return ""


def hold_out(article: Article, fold: int) -> tuple[Article, str, str] | None:
    """The article without one of its known questions (or, without any, one of its sections), that text, and
    which kind it is; None when the article has nothing to spare (a single section, no usable sentence)."""
    if len(article.questions) >= 2:
        j = _pick(f"{article.id}/{fold}", len(article.questions))
        kept = article.questions[:j] + article.questions[j + 1 :]
        return replace(article, questions=kept), article.questions[j], "known questions"
    candidates = [p for p in article.passages if p.text.strip() and p.text in article.body]
    if len(article.passages) < 2 or not candidates:
        return None
    start = _pick(f"{article.id}/{fold}", len(candidates))
    for k in range(len(candidates)):
        passage = candidates[(start + k) % len(candidates)]
        text = _probe_sentence(passage)
        if text:
            body = article.body.replace(passage.text, "")
            rest = tuple(p for p in article.passages if p is not passage)
            return replace(article, body=body, passages=rest), text, "sections"
    return None


def probe_kb(articles: Sequence[Article], fold: int) -> tuple[list[Article], list[Probe], str]:
    """The probe index's articles, the probes asked against it, and what they were held out from."""
    kept: list[Article] = []
    probes: list[Probe] = []
    kinds: dict[str, int] = {}
    for a in articles:
        out = hold_out(a, fold)
        removed = _pick(f"{a.id}#{fold}", HOLD_OUT_EVERY) == 0
        if out is None:
            if not removed:
                kept.append(a)
            continue
        trimmed, text, kind = out
        kinds[kind] = kinds.get(kind, 0) + 1
        probes.append(Probe(text, a.id, not removed))
        if not removed:
            kept.append(trimmed)
    if len(probes) > MAX_PROBES_PER_FOLD:
        probes = sorted(probes, key=lambda p: _pick(f"{p.article_id}~{fold}", 1 << 30))[:MAX_PROBES_PER_FOLD]
    source = max(kinds, key=lambda k: kinds[k]) if kinds else "sections"
    return kept, probes, source


def fit_self_calibration(
    index: ScopeIndex,
    params: ParamSet,
    embed: Callable[[list[str]], np.ndarray | None],
    *,
    candidates: int = 30,
) -> SelfCalibration | None:
    """Fit this scope's calibration on probes of its own content (module docstring). `embed` turns texts into
    L2-normalised rows (None without an embedder)."""
    from sklearn.linear_model import LogisticRegression

    folds = 2 if len(index.articles) <= TWO_FOLDS_MAX else 1
    xs: list[np.ndarray] = []
    ys: list[bool] = []
    answerable: list[bool] = []
    source = "sections"
    for fold in range(folds):
        kept, probes, source = probe_kb(index.articles, fold)
        if len(kept) < 2 or not probes:
            return None
        probe_index = _probe_index(index, kept, embed)
        qvecs = embed([p.text for p in probes]) if probe_index.dense else None
        ids = [a.id for a in probe_index.articles]
        cached: dict[int, set[str]] = {}
        for i, p in enumerate(probes):
            ranking = rank(
                probe_index, p.text, None if qvecs is None else qvecs[i], params.rank_weights, candidates=candidates
            )
            if not ranking.hits:
                continue
            top = ranking.hits[0].row
            if top not in cached:
                cached[top] = content_terms(probe_index.articles[top])
            cov = coverage(p.text, cached[top], index.language)
            xs.append(platt_features(ranking, confidence(ranking, params), cov))
            ys.append(p.answerable and ids[top] == p.article_id)
            answerable.append(p.answerable)
    right = sum(ys)
    if len(ys) < MIN_PROBES or right < MIN_EACH or len(ys) - right < MIN_EACH:
        return None
    # The probes of removed articles stand for questions the KB does not cover; their share is a prior, the same
    # one the shipped calibration is fitted with (bench/fit_params.py UNANSWERABLE_SHARE).
    outside = ~np.asarray(answerable)
    weights = np.ones(len(ys))
    if outside.any() and (~outside).any():
        weights[outside] = UNANSWERABLE_SHARE / (1 - UNANSWERABLE_SHARE) * (~outside).sum() / outside.sum()
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(np.vstack(xs), np.asarray(ys), sample_weight=weights)
    platt = Platt(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))
    return SelfCalibration(platt, len(ys), right, source)


def _probe_index(index: ScopeIndex, kept: list[Article], embed: Callable[[list[str]], np.ndarray | None]) -> ScopeIndex:
    """An index over `kept`, reusing the scope's key vectors wherever a key's text is unchanged."""
    by_id = {a.id: row for row, a in enumerate(index.articles)}
    vectors: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    missing: list[tuple[int, int, str]] = []  # (article, key position, text)
    dim = int(index.key_vectors.shape[1]) if index.dense else 0
    for i, a in enumerate(kept):
        row = by_id[a.id]
        old_texts, _ = article_keys(index.articles[row])
        start = int(index.offsets[row])
        old = {t: start + j for j, t in enumerate(old_texts)}
        texts, kk = article_keys(a)
        kinds.append(np.asarray(kk, dtype=np.int8))
        vec = np.zeros((len(texts), dim), np.float32)
        for j, t in enumerate(texts):
            if dim and t in old:
                vec[j] = index.key_vectors[old[t]]
            elif dim:
                missing.append((i, j, t))
        vectors.append(vec)
    if missing:
        new = embed([t for _, _, t in missing])
        if new is not None:
            for (i, j, _), v in zip(missing, new, strict=True):
                vectors[i][j] = v
    probe = ScopeIndex.build(index.language, kept, vectors, kinds)
    if index.classifier is not None:
        probe.classifier = QuestionModel.train(probe.articles, probe.key_vectors, probe.key_kinds, probe.offsets)
    return probe


def chosen_platt(mode: str, index: ScopeIndex, params: Params) -> Platt | None:
    """The recalibration a scope's confidence goes through in `mode` ("self", "global" or "params"): the KB's own
    when it could fit one, else the global one, else none (the parameters file's calibration alone)."""
    own = index.calibration.platt if mode == "self" and index.calibration is not None else None
    return own or (params.global_platt(index.classifier is not None) if mode != "params" else None)


def describe_calibration(mode: str, index: ScopeIndex, params: Params) -> str:
    """`chosen_platt`'s choice as words, for eval and the bench."""
    if mode == "self" and index.calibration is not None:
        return index.calibration.describe()
    if mode != "params" and params.global_platt(index.classifier is not None):
        extra = " (too few probes to self-calibrate this one)" if mode == "self" else ""
        return "global calibration fitted on every KB shape" + extra
    return "the parameters file's calibration alone"
