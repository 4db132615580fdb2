"""The fast paths of ranking give exactly what the straightforward computations give: the vectorised candidate
features (knowledge/retriever.py), the per-word cache of `terms` (knowledge/terms.py) and the scope constant computed
once at build (knowledge/index.py). Compared bit for bit: a ranking or a confidence must not move by a rounding."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest

from knowledge.documents import Article, split_passages
from knowledge.index import KIND_PASSAGE, KIND_QUESTION, KIND_TITLE, ScopeIndex, article_keys, stopwords
from knowledge.retriever import RANK_FEATURES, VOTE_K, VOTE_TEMP, _top, dense_features, rank
from knowledge.terms import _FILLER, _SAME, terms
from knowledge.units import _parse_units, units


def reference_dense(sims: np.ndarray, kinds: np.ndarray) -> list[float]:
    """d_max, d_q, d_q3, d_p, d_mean of one article, computed the plain way."""
    qmask = kinds != KIND_PASSAGE
    qs = np.sort(sims[qmask])[::-1] if qmask.any() else sims[:0]
    ps = sims[~qmask]
    d_max = float(sims.max())
    return [
        d_max,
        float(qs[0]) if qs.size else d_max,
        float(qs[:3].mean()) if qs.size else d_max,
        float(ps.max()) if ps.size else d_max,
        float(np.sort(sims)[::-1][:5].mean()),
    ]


def segments(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lengths = rng.integers(1, 16, size=n)
    kinds = np.concatenate(
        [np.r_[KIND_TITLE, rng.choice([KIND_QUESTION, KIND_PASSAGE], size=k - 1)] for k in lengths]
    ).astype(np.int8)
    # title-only, passage-heavy and question-only articles all occur; quantised values make exact ties common
    sims = (np.round(rng.uniform(-0.2, 0.9, size=int(lengths.sum())) * 64) / 64).astype(np.float32)
    noisy = rng.random(sims.size) < 0.5  # and unrounded values, where the order of float32 additions shows
    sims[noisy] += rng.normal(0, 1e-3, size=int(noisy.sum())).astype(np.float32)
    return sims, kinds, lengths


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_dense_features_equal_the_per_article_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sims, kinds, lengths = segments(rng, 200)
    got = dense_features(sims, kinds, lengths)
    bounds = np.r_[0, np.cumsum(lengths)]
    want = np.array(
        [reference_dense(sims[a:b], kinds[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        dtype=np.float32,
    )
    assert got.dtype == np.float32
    assert np.array_equal(got, want)  # bit for bit: no tolerance


def test_dense_features_propagate_nan_like_the_per_article_computation() -> None:
    rng = np.random.default_rng(7)
    sims, kinds, lengths = segments(rng, 50)
    sims[::7] = np.nan
    got = dense_features(sims, kinds, lengths)
    bounds = np.r_[0, np.cumsum(lengths)]
    want = np.array(
        [reference_dense(sims[a:b], kinds[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        dtype=np.float32,
    )
    assert np.isnan(got).any()
    assert np.array_equal(got, want, equal_nan=True)


def reference_rank(index: ScopeIndex, query: str, qvec: np.ndarray, weights: np.ndarray, candidates: int) -> list:
    """The ranking computed one candidate at a time (the code before vectorisation)."""
    bm = index.bm25_scores(query)
    bm_max = float(bm.max())
    bm_order = np.argsort(-bm, kind="stable")[:candidates] if bm_max > 0 else np.zeros(0, np.int64)
    bm_rank = {int(r): i for i, r in enumerate(bm_order)}
    bmk = index.key_bm25_scores(query)
    bmk_max = float(bmk.max())
    bmk_order = np.argsort(-bmk, kind="stable")[: max(5, candidates // 3)] if bmk_max > 0 else np.zeros(0, np.int64)
    key_scores, rows = index.dense_search(qvec, max(candidates * 8, 64))
    vote: dict[int, float] = {}
    w = np.exp((key_scores[:VOTE_K] - key_scores[0]) / VOTE_TEMP)
    for weight, key_row in zip(w / w.sum(), rows[:VOTE_K], strict=True):
        art = int(index.key_article[key_row])
        vote[art] = vote.get(art, 0.0) + float(weight)
    dense_order: list[int] = []
    for key_row in rows:
        art = int(index.key_article[key_row])
        if art not in dense_order:
            dense_order.append(art)
            if len(dense_order) >= candidates:
                break
    d_rank = {r: i for i, r in enumerate(dense_order)}
    clf = index.classifier.scores(query, qvec) if index.classifier is not None else None
    clf_order = np.argsort(-clf, kind="stable")[: max(5, candidates // 3)] if clf is not None else np.zeros(0, np.int64)
    clf_top = int(clf_order[0]) if clf_order.size else -1
    bms = index.section_bm25_scores(query)
    bms_max = float(bms.max())
    bms_order = np.argsort(-bms, kind="stable")[: max(5, candidates // 3)] if bms_max > 0 else np.zeros(0, np.int64)
    bms_top = int(bms_order[0]) if bms_order.size else -1
    pool = list(
        dict.fromkeys(
            [*dense_order, *map(int, bm_order), *map(int, bmk_order), *map(int, clf_order), *map(int, bms_order)]
        )
    )
    bmk_top = int(bmk_order[0]) if bmk_order.size else -1
    feats = np.zeros((len(pool), len(RANK_FEATURES)), dtype=np.float32)
    # one product over all candidates' keys, as ranking has always done (BLAS may round a product of a few rows
    # differently from a larger one, so per-article products are not the reference)
    spans = [(int(index.offsets[r]), int(index.offsets[r + 1])) for r in pool]
    all_sims = index.key_vectors[np.concatenate([np.arange(a, b) for a, b in spans])] @ qvec
    pos = 0
    for i, row in enumerate(pool):
        a, b = spans[i]
        feats[i, :5] = reference_dense(all_sims[pos : pos + b - a], index.key_kinds[a:b])
        pos += b - a
        feats[i, 5] = float(bm[row]) / bm_max if bm_max > 0 else 0.0
        feats[i, 6] = 1.0 if bm_rank.get(row) == 0 else 0.0
        feats[i, 7] = 1.0 if d_rank.get(row) == 0 else 0.0
        feats[i, 8] = 1.0 / (1.0 + bm_rank[row]) if row in bm_rank else 0.0
        feats[i, 9] = 1.0 / (1.0 + d_rank[row]) if row in d_rank else 0.0
        feats[i, 10] = vote.get(row, 0.0)
        feats[i, 11] = float(bmk[row]) / bmk_max if bmk_max > 0 else 0.0
        feats[i, 12] = 1.0 if row == bmk_top else 0.0
        if clf is not None:
            feats[i, 13] = float(clf[row])
            feats[i, 14] = 1.0 if row == clf_top else 0.0
        feats[i, 15] = float(bms[row]) / bms_max if bms_max > 0 else 0.0
        feats[i, 16] = 1.0 if row == bms_top else 0.0
    scores = feats @ weights
    order = np.argsort(-scores, kind="stable")
    return [(pool[j], feats[j].tolist()) for j in order]


class StubQuestionModel:
    """Scores that tie and differ, to exercise the question-model features."""

    def __init__(self, n: int) -> None:
        self.values = np.round(np.random.default_rng(3).uniform(0, 1, n) * 8) / 8

    def scores(self, query: str, qvec: np.ndarray | None) -> np.ndarray:
        return self.values


WORDS = [
    "refund",
    "invoice",
    "password",
    "reset",
    "channel",
    "mute",
    "call",
    "message",
    "notification",
    "billing",
    "export",
    "plan",
    "team",
]


def small_index(seed: int, *, classifier: bool) -> ScopeIndex:
    rng = np.random.default_rng(seed)
    articles, vectors, kinds = [], [], []
    for i in range(60):
        topic = [str(w) for w in rng.choice(WORDS, size=3, replace=False)]
        sections = "\n\n".join(f"## {w} settings\n\nHow to {w} your {' '.join(topic)}." for w in topic)
        body = f"# {topic[0]} guide {i}\n\nAbout {' and '.join(topic)}.\n\n{sections}"
        questions = tuple(f"how do I {w} {topic[0]}" for w in topic[: int(rng.integers(0, 3))])
        title = f"{topic[0].capitalize()} guide {i}"
        a = Article(id=f"a{i}", title=title, body=body, questions=questions)
        a = Article(
            id=a.id, title=a.title, body=a.body, questions=a.questions, passages=split_passages(a.id, title, body)
        )
        texts, key_kinds = article_keys(a)
        v = rng.normal(size=(len(texts), 16)).astype(np.float32)
        if i % 10 == 9:  # a copy of an earlier article's keys: exact ties between articles, as in repeated docs
            v = vectors[i - 1][: len(texts)] if len(vectors[i - 1]) >= len(texts) else v
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        articles.append(a)
        vectors.append(np.ascontiguousarray(v, dtype=np.float32))
        kinds.append(np.asarray(key_kinds, dtype=np.int8))
    index = ScopeIndex.build("en", articles, vectors, kinds)
    if classifier:
        index.classifier = StubQuestionModel(len(articles))  # type: ignore[assignment]
    return index


@pytest.mark.parametrize(("seed", "classifier"), [(0, False), (1, True), (2, False)])
def test_rank_equals_the_one_candidate_at_a_time_reference(seed: int, classifier: bool) -> None:
    index = small_index(seed, classifier=classifier)
    rng = np.random.default_rng(100 + seed)
    weights = rng.normal(size=len(RANK_FEATURES))
    for query in ["how do I reset my password", "mute a channel", "export invoice plan", "refund", "zzz"]:
        qvec = rng.normal(size=16).astype(np.float32)
        qvec /= np.linalg.norm(qvec)
        got = rank(index, query, qvec, weights, candidates=12)
        want = reference_rank(index, query, qvec, weights, candidates=12)
        assert [(h.row, h.features.tolist()) for h in got.hits] == want


def test_questions_per_article_is_the_scope_constant() -> None:
    index = small_index(4, classifier=False)
    questions = sum(len(a.questions) for a in index.articles)
    assert questions > 0
    assert index.questions_per_article == float(np.log1p(questions / len(index.articles)))


def reference_terms(text: str, language: str) -> set[str]:
    """`terms` without the per-word cache (the code before it)."""
    english = language.startswith("en")
    stop = stopwords(language)
    out = set()
    for w in re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()):
        if w in stop or w in _FILLER or len(w) < 2:
            continue
        w = _SAME.get(w, w)
        if english:
            for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
                if w.endswith(suffix) and len(w) - len(suffix) >= 2 and not w.endswith("ss"):
                    w = w[: len(w) - len(suffix)] + keep
                    break
        out.add(w[: 5 if english else 6])
    return out


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("How do I change the E-mail on my invoices? Emails bounce; the IPs are blocked.", "en"),
        ("Encryption types: encrypted, queries, missing, passes, a b cc", "en-US"),
        ("Wie kann ich meine Rechnungen und Rechnung als PDF herunterladen? Bitte Email", "de"),
        ("¿Cómo cambio mi correo y la contabilidad de contactos?", "es"),
        ("ｆｕｌｌｗｉｄｔｈ ＩＰｓ and ﬁles", "en"),
        ("", "en"),
    ],
)
def test_cached_terms_equal_the_uncached_computation(text: str, language: str) -> None:
    assert terms(text, language) == reference_terms(text, language)
    assert terms(text, language) == reference_terms(text, language)  # a second call reads the cache
    # the same word in two languages is cached apart ("die" is a German stop word, an English content word)
    assert terms("die files", "en") == reference_terms("die files", "en")
    assert terms("die files", "de") == reference_terms("die files", "de")


@pytest.mark.parametrize("k", [1, 5, 30, 400])
def test_top_rows_equal_a_stable_full_sort(k: int) -> None:
    rng = np.random.default_rng(k)
    values = np.zeros(300, dtype=np.float32)
    values[rng.choice(300, 120)] = np.round(rng.uniform(0, 8, 120) * 2) / 2  # many exact ties, many zeros
    assert np.array_equal(_top(values, k), np.argsort(-values, kind="stable")[:k])
    assert np.array_equal(_top(np.zeros(50, np.float32), k), np.argsort(-np.zeros(50), kind="stable")[:k])


def test_long_texts_take_the_uncached_path_with_the_same_terms() -> None:
    text = " ".join(f"Invoices {i} and e-mails; the encrypted IPs of team {i}" for i in range(200))
    assert len(text) > 1200
    assert terms(text, "en") == reference_terms(text, "en")


def test_cached_units_are_the_parsed_units_and_a_caller_cannot_change_the_cache() -> None:
    markdown = (
        "Open the app:\n\n1. Go to **Settings**.\n2. Pick [Billing](https://x).\n\n| a | b |\n|---|---|\n| c | d |"
    )
    first = units(markdown)
    assert first == _parse_units(markdown)
    first.clear()
    assert units(markdown) == _parse_units(markdown) != []
