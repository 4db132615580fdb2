"""The hybrid index of one language and one audience scope: BM25 (bm25s) over articles + FAISS over keys.

Each article contributes several dense *keys* (its title, each known question, each passage), stored contiguously
so article-level features are cheap slices. A customer-scope index is built from customer articles only, so an
internal article cannot be ranked, cited or quoted for a customer: the filter is structural, not a post-filter.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge import tokenize as script_words
from knowledge.classifier import QuestionModel
from knowledge.documents import Article
from knowledge.terms import word_terms
from knowledge.tokenize import stopwords

if TYPE_CHECKING:
    from knowledge.platt import SelfCalibration

KIND_TITLE, KIND_QUESTION, KIND_PASSAGE = 0, 1, 2
PASSAGE_KEY_CHARS = 300
# Dense keys for the first sections only: a 40-section manual page would otherwise hold 40 keys, and the flat FAISS
# search (and memory) grows with keys. BM25 still reads the whole article, and the answer's passage is chosen
# among all sections.
MAX_PASSAGE_KEYS = 12
@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    # A deliberately tiny suffix stripper: plural/verb endings are the mismatches that hurt BM25 most on short
    # support questions ("refunds" vs "refund", "charged" vs "charge"); anything cleverer needs a dependency.
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def tokenize(text: str, language: str) -> list[str]:
    """BM25 tokens: the script-aware words of `knowledge.tokenize`, stop words dropped, English stemmed."""
    return _bm25_tokens(script_words.words(text), language)


def _bm25_tokens(words: list[str], language: str) -> list[str]:
    stop = stopwords(language)
    english = language.startswith("en")
    return [_stem(w) if english else w for w in words if w not in stop]


class _Corpus:
    """Documents as lists of vocabulary ids: at 10k long articles, lists of token strings for the whole corpus
    were the peak of ingest memory."""

    def __init__(self) -> None:
        # A new token gets the next id (the factory runs in C: this loop sees every token of the KB).
        self.vocab: defaultdict[str, int] = defaultdict()
        self.vocab.default_factory = self.vocab.__len__
        self.ids: list[list[int]] = []

    def add(self, tokens: Iterable[str]) -> None:
        vocab = self.vocab
        self.ids.append([vocab[t] for t in tokens] or [vocab["\u2205"]])

    def tokenized(self) -> Any:
        from bm25s.tokenization import Tokenized

        return Tokenized(ids=self.ids, vocab=dict(self.vocab))


class _ArticleTokens:
    """BM25 tokens of one article's texts, each paragraph tokenised once: the article's document and its sections'
    documents hold the same paragraphs, and tokenising every article twice (article and section BM25) was most of
    the index build. Words never cross a line break, so a text's tokens are its paragraphs' tokens in order."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.memo: dict[str, list[str]] = {}
        self.words: set[str] | None = None  # while a set: every word read goes in (the article's content words)

    def __call__(self, *texts: str) -> list[str]:
        out: list[str] = []
        for text in texts:
            for block in text.split("\n\n"):
                tokens = self.memo.get(block)
                if tokens is None:
                    words = script_words.words(block)
                    if self.words is not None:
                        self.words.update(words)
                    tokens = self.memo[block] = _bm25_tokens(words, self.language)
                out.extend(tokens)
        return out


def _specificity(corpus: Any) -> dict[str, float]:
    """Normalised IDF per token of a tokenised corpus: log(N / df) / log(N), floored at 0.05."""
    n = len(corpus.ids)
    if n < 2:
        return {}
    df = np.zeros(len(corpus.vocab), dtype=np.int64)
    for doc in corpus.ids:
        df[np.unique(np.asarray(doc, dtype=np.int64))] += 1
    idf = np.maximum(np.log(n / np.maximum(df, 1)) / np.log(n), 0.05)
    return {token: float(idf[i]) for token, i in corpus.vocab.items()}


def article_keys(article: Article, max_passages: int = MAX_PASSAGE_KEYS) -> tuple[list[str], list[int]]:
    """The texts embedded for an article and their kinds: title, known questions, its first passages."""
    texts = [article.title]
    kinds = [KIND_TITLE]
    for q in article.questions:
        texts.append(q)
        kinds.append(KIND_QUESTION)
    for p in article.passages[:max_passages]:
        # A static embedding is an average over tokens: past a few hundred characters it stops getting more
        # specific while cost grows with length, so a passage key is its heading and opening (BM25 sees it all).
        lead = p.text[:PASSAGE_KEY_CHARS]
        texts.append(lead if p.heading == article.title else f"{p.heading}. {lead}")
        kinds.append(KIND_PASSAGE)
    return texts, kinds


@dataclass(slots=True)
class ScopeIndex:
    """Articles of one (language, audience scope), their key vectors, a FAISS index and a BM25 index."""

    language: str
    articles: list[Article]
    key_vectors: np.ndarray  # (n_keys, dim) float32, L2-normalised; (0, 0) when no embedder
    key_kinds: np.ndarray  # (n_keys,) int8
    offsets: np.ndarray  # (n_articles + 1,) key row range of each article
    key_article: np.ndarray  # (n_keys,) article row of each key
    bm25: Any
    faiss_index: Any
    key_bm25: Any  # BM25 over titles and known questions, one document each (the lexical 1-NN signal)
    key_rows: np.ndarray  # key row of each key_bm25 document
    # BM25 over every section (heading + text) of every article: on long manual pages the article-level score is
    # diluted by the page's other topics, while the section that answers scores high (issue 14).
    section_bm25: Any = None
    section_article: np.ndarray | None = None  # article row of each section document
    classifier: QuestionModel | None = None  # trained on this scope's known questions; None without them
    calibration: SelfCalibration | None = None  # fitted at ingest on probes of this scope (knowledge/calibration.py)
    # log(1 + known questions per article): a constant of the scope, read by every ranking (computed once here; as
    # a property it summed over 10k articles on each message)
    questions_per_article: float = 0.0
    # Per BM25 token: how specific it is in this KB, 1 for a word in one article, about 0 for one in every article
    # (normalised IDF). Passage choice weighs a question's words by it: "workspace" is everywhere in a help
    # center, "invite" is what the question is about (issue 14).
    specificity: dict[str, float] | None = None
    # Each article's content words (`knowledge.terms`, what the relevance check reads) as ids into `term_names`,
    # read with its BM25 tokens: computed on an article's first answer instead, a long manual page cost a second.
    term_names: list[str] | None = None
    term_ids: list[np.ndarray] | None = None
    rows: dict[str, int] | None = None  # article id -> row

    @classmethod
    def build(
        cls, language: str, articles: Sequence[Article], vectors: Sequence[np.ndarray], kinds: Sequence[np.ndarray]
    ) -> ScopeIndex:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets itself to DEBUG on import

        lengths = [len(k) for k in kinds]
        offsets = np.zeros(len(articles) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(lengths)
        has_dense = bool(vectors) and vectors[0].size > 0
        key_vectors = (
            np.ascontiguousarray(np.vstack(vectors), dtype=np.float32) if has_dense else np.zeros((0, 0), np.float32)
        )
        key_kinds = np.concatenate(kinds).astype(np.int8) if kinds else np.zeros(0, np.int8)
        key_article = np.repeat(np.arange(len(articles)), lengths)
        # An article's document: its title twice, its known questions, its section headings and its body; a
        # section's document: the article title, its heading and its text.
        corpus, sections, keys = _Corpus(), _Corpus(), _Corpus()
        section_rows: list[int] = []
        term_vocab: defaultdict[str, int] = defaultdict()
        term_vocab.default_factory = term_vocab.__len__
        term_ids = []
        for row, a in enumerate(articles):
            tokens = _ArticleTokens(language)
            tokens.words = set()  # a heading's words are its line's in the body: the words of title, questions, body
            corpus.add(tokens(a.title, a.title, *a.questions, *(p.heading for p in a.passages), a.body))
            ids = [term_vocab[t] for t in word_terms(tokens.words, language)]
            term_ids.append(np.asarray(sorted(ids), dtype=np.int32))
            tokens.words = None
            for passage in a.passages:
                sections.add(tokens(a.title, passage.heading, passage.text))
                section_rows.append(row)
            keys.add(tokens(a.title))
            for q in a.questions:
                keys.add(tokens(q))
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        tokenized = corpus.tokenized()
        bm25.index(tokenized, show_progress=False)
        specificity = _specificity(tokenized)
        key_rows = np.flatnonzero(key_kinds != KIND_PASSAGE)
        key_bm25 = bm25s.BM25(k1=1.2, b=0.75)
        key_bm25.index(keys.tokenized(), show_progress=False)
        section_bm25 = None
        if section_rows:
            section_bm25 = bm25s.BM25(k1=1.2, b=0.75)
            section_bm25.index(sections.tokenized(), show_progress=False)
        faiss_index = None
        if has_dense:
            import faiss

            # One query at a time on two cores: OpenMP's thread start-up costs more than it saves (9 ms vs 2 ms
            # for 33k keys, measured), so searches run single-threaded.
            faiss.omp_set_num_threads(1)
            faiss_index = faiss.IndexFlatIP(key_vectors.shape[1])
            faiss_index.add(key_vectors)
        n = len(articles)
        questions_per_article = float(np.log1p(sum(len(a.questions) for a in articles) / n)) if n else 0.0
        return cls(
            language,
            list(articles),
            key_vectors,
            key_kinds,
            offsets,
            key_article,
            bm25,
            faiss_index,
            key_bm25,
            key_rows,
            section_bm25=section_bm25,
            section_article=np.asarray(section_rows, dtype=np.int64),
            questions_per_article=questions_per_article,
            specificity=specificity,
            term_names=list(term_vocab),
            term_ids=term_ids,
            rows={a.id: row for row, a in enumerate(articles)},
        )

    def article_terms(self, article_id: str) -> set[str] | None:
        """An article's content words (`knowledge.terms.terms` of its title, body and questions); None if the
        article is not in this index."""
        row = self.rows.get(article_id) if self.rows is not None else None
        if row is None or self.term_ids is None or self.term_names is None:
            return None
        names = self.term_names
        return {names[i] for i in self.term_ids[row].tolist()}

    def word_weight(self, word: str) -> float:
        """How specific `word` is in this KB (see `specificity`); 1 for a word the KB does not contain."""
        tokens = tokenize(word, self.language)
        if not tokens or self.specificity is None:
            return 1.0
        return min(self.specificity.get(t, 1.0) for t in tokens)

    @property
    def dense(self) -> bool:
        return self.faiss_index is not None

    def bm25_scores(self, query: str) -> np.ndarray:
        tokens = tokenize(query, self.language)
        if not tokens:
            return np.zeros(len(self.articles), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def key_bm25_scores(self, query: str) -> np.ndarray:
        """Per article: the best BM25 score of its title or any known question (0 when nothing matches)."""
        out = np.zeros(len(self.articles), dtype=np.float32)
        tokens = tokenize(query, self.language)
        if not tokens or not len(self.key_rows):
            return out
        scores = np.asarray(self.key_bm25.get_scores(tokens), dtype=np.float32)
        np.maximum.at(out, self.key_article[self.key_rows], scores)
        return out

    def section_bm25_scores(self, query: str) -> np.ndarray:
        """Per article: the BM25 score of its best-matching section (0 when nothing matches)."""
        out = np.zeros(len(self.articles), dtype=np.float32)
        tokens = tokenize(query, self.language)
        if not tokens or self.section_bm25 is None or self.section_article is None:
            return out
        scores = np.asarray(self.section_bm25.get_scores(tokens), dtype=np.float32)
        np.maximum.at(out, self.section_article, scores)
        return out

    def dense_search(self, qvec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k keys by cosine: (scores, key rows)."""
        k = min(k, self.key_vectors.shape[0])
        scores, rows = self.faiss_index.search(qvec.reshape(1, -1), k)
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep]

    def candidate_sims(self, rows: np.ndarray, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`key_sims` for many articles with one matrix product (small products pay BLAS overhead each): the
        cosines and kinds of all their keys, concatenated in the order of `rows`, and each article's key count."""
        rows = np.asarray(rows, dtype=np.int64)
        first = self.offsets[rows]
        lengths = self.offsets[rows + 1] - first
        starts = np.cumsum(lengths) - lengths
        idx = np.repeat(first - starts, lengths) + np.arange(int(lengths.sum()))
        return self.key_vectors[idx] @ qvec, self.key_kinds[idx], lengths

    def key_sims(self, row: int, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the query with every key of article `row`, and the kinds of those keys."""
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        return self.key_vectors[a:b] @ qvec, self.key_kinds[a:b]
