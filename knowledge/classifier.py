"""The question model: a per-KB linear classifier from a question to the article whose known `questions` it is like.

Articles that carry known phrasings (intent-style KBs, hand-written FAQ entries) are a labelled training set. A
linear SVM over word (1–2-gram) and character (2–5-gram) TF-IDF plus the embedder's vector learns which words tell
one article from its neighbours — something a nearest-neighbour search over the same keys cannot do (measured
alone on Banking77 test: 0.927 top-1 vs 0.882 for the wordllama nearest key). Its scores enter the fusion as rank
features and the confidence as calibration features; they never replace the retrievers.

Trained at ingest per (language, audience scope), from that scope's articles only, so an internal article is not
even a class of a customer scope's model; stored with the index version. Absent (None) when the KB has no known
questions, when it is disabled in config, or when the KB is too large for its cost budget.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.documents import Article

MIN_ARTICLES_WITH_QUESTIONS = 2
# One-vs-rest training costs about (rows x classes); CLINC150's 150 articles x 15k questions (2.25M) take ~6-20 s
# on the 2-core box. Above the budget each article keeps fewer questions; when even MIN_ROWS_PER_CLASS do not fit
# (about 1,200 articles) the KB gets no classifier: the dense and lexical retrievers cover it alone.
ROWS_X_CLASSES_BUDGET = 2_500_000
MIN_ROWS_PER_CLASS = 2
FORMAT = 1


def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32)
    return word, char


def training_rows(articles: list[Article], budget: int = ROWS_X_CLASSES_BUDGET) -> list[list[int]] | None:
    """Per article, how many of its texts (title first, then its questions) to train on; None = no classifier."""
    with_questions = sum(1 for a in articles if a.questions)
    n = len(articles)
    if with_questions < MIN_ARTICLES_WITH_QUESTIONS or n < 2:
        return None
    per_class = budget // (n * n)
    if per_class < MIN_ROWS_PER_CLASS:
        return None
    return [list(range(min(1 + len(a.questions), per_class))) for a in articles]


@dataclass(slots=True)
class QuestionModel:
    """Linear scores of a query for every article of one scope (row order of the `ScopeIndex`)."""

    word: Any  # fitted TfidfVectorizer (words)
    char: Any  # fitted TfidfVectorizer (characters within words)
    coef: np.ndarray  # (n_articles, n_word + n_char + dim) float32
    intercept: np.ndarray  # (n_articles,) float32
    dim: int  # dense part (0 without an embedder)

    @classmethod
    def train(
        cls, articles: list[Article], key_vectors: np.ndarray, key_kinds: np.ndarray, offsets: np.ndarray
    ) -> QuestionModel | None:
        """Fit on each article's title and known questions; their dense vectors are the index's own keys."""
        from scipy import sparse
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC

        plan = training_rows(articles)
        if plan is None:
            return None
        texts: list[str] = []
        labels: list[int] = []
        key_rows: list[int] = []
        for row, (a, take) in enumerate(zip(articles, plan, strict=True)):
            own = [a.title, *a.questions]
            start = int(offsets[row])
            for j in take:  # keys are stored title, questions..., passages: key j of the article is text j
                texts.append(own[j])
                labels.append(row)
                key_rows.append(start + j)
        word, char = _vectorizers()
        try:
            x_word = word.fit_transform(texts)
        except ValueError:  # no word of two letters or more in any title or question: nothing to learn from
            return None
        try:
            x_char = char.fit_transform(texts)
        except ValueError:  # min_df=2 leaves nothing (tiny KB): keep every character n-gram
            char.set_params(min_df=1)
            x_char = char.fit_transform(texts)
        dim = int(key_vectors.shape[1]) if key_vectors.size else 0
        parts = [x_word, x_char]
        if dim:
            parts.append(sparse.csr_matrix(key_vectors[np.asarray(key_rows)]))
        x = sparse.hstack(parts, format="csr", dtype=np.float32)
        svm = LinearSVC(C=0.5, max_iter=2000, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            svm.fit(x, np.asarray(labels))
        coef = np.zeros((len(articles), x.shape[1]), np.float32)
        intercept = np.full(len(articles), -10.0, np.float32)
        classes = svm.classes_.astype(np.int64)
        if len(classes) == 2:  # binary: sklearn keeps one column, positive for classes[1]
            coef[classes[1]], intercept[classes[1]] = svm.coef_[0], svm.intercept_[0]
            coef[classes[0]], intercept[classes[0]] = -svm.coef_[0], -svm.intercept_[0]
        else:
            coef[classes] = svm.coef_
            intercept[classes] = svm.intercept_
        return cls(word, char, coef, intercept, dim)

    def scores(self, query: str, qvec: np.ndarray | None) -> np.ndarray:
        """Decision score per article (higher = more likely the article this question is about)."""
        wi, wv = _tfidf(self.word, query)
        ci, cv = _tfidf(self.char, query)
        idx = np.concatenate([wi, ci + len(self.word.vocabulary_)])
        vals = np.concatenate([wv, cv])
        out: np.ndarray = self.coef[:, idx] @ vals + self.intercept
        if self.dim and qvec is not None:
            out += self.coef[:, -self.dim :] @ qvec.astype(np.float32)
        return out

    # --- persistence (plain arrays, no pickle: the data dir is not a place to execute code from) -----------------
    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            format=np.int64(FORMAT),
            word_terms=_terms(self.word),
            word_idf=self.word.idf_.astype(np.float32),
            char_terms=_terms(self.char),
            char_idf=self.char.idf_.astype(np.float32),
            coef=self.coef.astype(np.float16),  # halves the file; score error ~1e-3, far below the margins used
            intercept=self.intercept,
            dim=np.int64(self.dim),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, n_articles: int) -> QuestionModel | None:
        """The stored model, or None when missing, of another format, or not for this many articles."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != FORMAT or data["coef"].shape[0] != n_articles:
                    return None
                word, char = _vectorizers()
                for vec, terms, idf in (
                    (word, data["word_terms"], data["word_idf"]),
                    (char, data["char_terms"], data["char_idf"]),
                ):
                    vec.set_params(vocabulary={str(t): i for i, t in enumerate(terms)})
                    vec.idf_ = idf.astype(np.float32)
                return cls(
                    word, char, data["coef"].astype(np.float32), data["intercept"].astype(np.float32), int(data["dim"])
                )
        except (FileNotFoundError, KeyError, ValueError, OSError):
            return None


def _tfidf(vectorizer: Any, text: str) -> tuple[np.ndarray, np.ndarray]:
    """What `vectorizer.transform([text])` computes (sublinear tf x idf, L2-normalised), without its per-call
    validation: 0.05 ms instead of 0.7 ms for one short question."""
    vocab: dict[str, int] = vectorizer.vocabulary_
    counts: dict[int, int] = {}
    for token in vectorizer.build_analyzer()(text):
        j = vocab.get(token)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.fromiter(counts.keys(), np.int64, len(counts))
    vals = (1.0 + np.log(np.fromiter(counts.values(), np.float32, len(counts)))) * vectorizer.idf_[idx]
    return idx, (vals / np.linalg.norm(vals)).astype(np.float32)


def _terms(vectorizer: Any) -> np.ndarray:
    vocab: dict[str, int] = vectorizer.vocabulary_
    terms = [""] * len(vocab)
    for t, i in vocab.items():
        terms[i] = t
    return np.asarray(terms, dtype=str)
