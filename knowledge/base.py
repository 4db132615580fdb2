"""`KnowledgeBase`: the `Answerer` the engine talks to — ingest, per-language/audience indexes, answer, reload."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.core.types import Answer, ArticleHit, Audience, Citation, Question, TokenUsage
from knowledge.calibration import chosen_platt, describe_calibration, fit_self_calibration
from knowledge.classifier import QuestionModel
from knowledge.compose import compose, extract
from knowledge.confidence import Params, confidence, platt_features
from knowledge.config import KnowledgeConfig
from knowledge.documents import Article, plain_text
from knowledge.embeddings import embed_matrix, model_name
from knowledge.followup import earlier_turns, in_thread, shares_words
from knowledge.index import KIND_PASSAGE, ScopeIndex, article_keys
from knowledge.ingest import Reading, kb_files, load_folder
from knowledge.llm import llm_answer
from knowledge.platt import SelfCalibration, load_stored, store
from knowledge.relevance import CONFIDENT, content_terms, coverage, is_relevant
from knowledge.retriever import Ranking, rank
from knowledge.sections import best_passage
from knowledge.store import IndexStore, Stored, compute_version


@dataclass(frozen=True, slots=True)
class IngestReport:
    version: str
    articles: int
    added: int
    updated: int
    removed: int
    unchanged: int
    languages: tuple[str, ...]
    seconds: float
    parsed: int = 0  # files read and parsed; the others' articles came from the stored version (unchanged bytes)


@dataclass(frozen=True, slots=True)
class Retrieval:
    """One question's ranking, with what is needed to explain or answer it (used by bench and audit too)."""

    index: ScopeIndex
    ranking: Ranking
    confidence: float
    qvec: np.ndarray | None
    # The parameters file's confidence before any recalibration: the relevance gate reads it, so whether the KB
    # "has something" does not move with the calibration mode (knowledge/relevance.py).
    ranked_confidence: float = -1.0

    def article(self, i: int = 0) -> Article:
        return self.index.articles[self.ranking.hits[i].row]


class KnowledgeBase:
    def __init__(
        self,
        config: KnowledgeConfig,
        kb_dir: Path,
        data_dir: Path | None,
        *,
        embeddings: Embeddings | None,
        params: Params,
        chat_model: Any = None,
        persona: str = "",
    ) -> None:
        self.config = config
        self.kb_dir = kb_dir
        self.embeddings = embeddings
        self.params = params
        self.chat_model = chat_model
        self.persona = persona
        self._store = IndexStore(data_dir, kb_dir) if data_dir is not None else None
        self._fingerprint: tuple[tuple[str, int, int], ...] = ()
        self._stored = Stored("", [], [], [])
        self._indexes: dict[tuple[str, Audience], ScopeIndex] = {}

    # --- state -------------------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._stored.version

    def articles(self) -> tuple[Article, ...]:
        return tuple(self._stored.articles)

    def languages(self) -> frozenset[str]:
        return frozenset(lang for lang, scope in self._indexes if scope is Audience.CUSTOMER)

    def language_mix(self) -> dict[str, int]:
        """Customer articles per language: the language detector's prior (policies/language.py)."""
        return dict(Counter(a.language for a in self._stored.articles if a.audience is Audience.CUSTOMER))

    def calibration_note(self) -> str:
        """Which calibration the confidence uses, as a sentence per customer language (eval, bench)."""
        mode = self.config.calibration
        notes = [
            f"{language}: {describe_calibration(mode, index, self.params)}"
            for (language, scope), index in sorted(self._indexes.items(), key=lambda kv: kv[0][0])
            if scope is Audience.CUSTOMER
        ]
        return "; ".join(notes) or "no index yet"

    # --- ingest ------------------------------------------------------------------------------------------------
    def ingest(
        self,
        kb_dir: Path | None = None,
        *,
        progress: Callable[[int], None] | None = None,
        problems: list[str] | None = None,
    ) -> IngestReport:
        """Read the folder, embed only articles whose content hash changed, persist the version, swap indexes.

        With a `problems` list (the audit), files ingest refuses are listed there and left out; a version missing
        them is kept in memory only, never published for the server."""
        started = time.perf_counter()
        if kb_dir is not None and kb_dir != self.kb_dir:
            self.kb_dir = kb_dir
            if self._store is not None:
                self._store = IndexStore(self._store.root.parent.parent, kb_dir)
        fingerprint = self._scan()
        previous = self._stored
        if not previous.articles and self._store is not None and (cur := self._store.current()):
            previous = self._store.load(cur) or previous
        reading = Reading.reuse(previous.articles, previous.file_keys)
        articles = load_folder(
            self.kb_dir,
            default_language=self.config.default_language,
            max_chars=self.config.chunk_chars,
            progress=progress,
            problems=problems,
            reading=reading,
        )
        publish = not problems
        model = model_name(self.embeddings)
        version = compute_version([a.content_hash for a in articles], model)
        old = {
            a.id: (a.content_hash, v, k)
            for a, v, k in zip(previous.articles, previous.vectors, previous.kinds, strict=True)
        }
        new_ids = {a.id for a in articles}
        stored = None
        if self._store is not None and version != previous.version:
            stored = self._store.load(version)  # another replica (or an earlier run) already built it
        if stored is None and version == previous.version and previous.articles:
            stored = previous
        added = updated = unchanged = 0
        if stored is None:
            vectors: list[np.ndarray | None] = []
            kinds: list[np.ndarray] = []
            todo: list[int] = []
            for i, a in enumerate(articles):
                texts, kk = article_keys(a)
                kinds.append(np.asarray(kk, dtype=np.int8))
                prior = old.get(a.id)
                if prior is not None and prior[0] == a.content_hash and len(prior[2]) == len(kk):
                    vectors.append(prior[1])
                    unchanged += 1
                else:
                    vectors.append(None)
                    todo.append(i)
                    added += prior is None
                    updated += prior is not None
            self._embed_missing(articles, vectors, todo)
            stored = Stored(version, articles, [v for v in vectors if v is not None], kinds, reading.keys)
            if self._store is not None and publish:
                self._store.save(stored)
        else:
            for a in articles:
                prior = old.get(a.id)
                if prior is None:
                    added += 1
                elif prior[0] == a.content_hash:
                    unchanged += 1
                else:
                    updated += 1
        if stored is not self._stored:
            self._activate(stored)
        self._fingerprint = fingerprint
        return IngestReport(
            version=version,
            articles=len(articles),
            added=added,
            updated=updated,
            removed=len(set(old) - new_ids),
            unchanged=unchanged,
            languages=tuple(sorted({a.language for a in articles})),
            seconds=time.perf_counter() - started,
            parsed=reading.parsed,
        )

    def _embed_missing(self, articles: list[Article], vectors: list[np.ndarray | None], todo: list[int]) -> None:
        texts: list[str] = []
        spans: list[tuple[int, int, int]] = []
        for i in todo:
            keys, _ = article_keys(articles[i])
            spans.append((i, len(texts), len(texts) + len(keys)))
            texts.extend(keys)
        if self.embeddings is None:
            for i, a, b in spans:
                vectors[i] = np.zeros((b - a, 0), np.float32)
            return
        matrix = embed_matrix(self.embeddings, texts) if texts else np.zeros((0, 0), np.float32)
        for i, a, b in spans:
            vectors[i] = matrix[a:b]

    def _activate(self, stored: Stored) -> None:
        by_language: dict[str, list[int]] = {}
        for i, a in enumerate(stored.articles):
            by_language.setdefault(a.language, []).append(i)
        indexes: dict[tuple[str, Audience], ScopeIndex] = {}
        for language, rows in by_language.items():
            public = [i for i in rows if stored.articles[i].audience is Audience.CUSTOMER]
            everything = self._build(stored, language, rows, Audience.INTERNAL)  # agents may see every article
            indexes[(language, Audience.INTERNAL)] = everything
            if len(public) == len(rows):
                indexes[(language, Audience.CUSTOMER)] = everything  # nothing internal: one index serves both
            elif public:
                indexes[(language, Audience.CUSTOMER)] = self._build(stored, language, public, Audience.CUSTOMER)
        self._stored, self._indexes = stored, indexes  # one swap: concurrent answers see old or new, never half

    def _build(self, stored: Stored, language: str, rows: list[int], scope: Audience) -> ScopeIndex:
        index = ScopeIndex.build(
            language,
            [stored.articles[i] for i in rows],
            [stored.vectors[i] for i in rows],
            [stored.kinds[i] for i in rows],
        )
        if self.config.classifier and self.params.classifier is not None:
            index.classifier = self._question_model(stored.version, index, f"{language}-{scope.value}")
        if self.config.calibration == "self":
            index.calibration = self._self_calibration(stored.version, index, f"{language}-{scope.value}")
        return index

    def _self_calibration(self, version: str, index: ScopeIndex, name: str) -> SelfCalibration | None:
        """The scope's stored self-calibration for these parameters, or a freshly fitted one (then stored)."""
        params = self.params.for_index(index.classifier is not None)
        path = None
        if self._store is not None:
            path = self._store.extra_path(version, f"calibration-{name}-{params.fingerprint()}.json")
            if (found := load_stored(path)) is not None:
                return found[1]
        emb = self.embeddings
        fitted = fit_self_calibration(
            index, params, lambda texts: embed_matrix(emb, texts) if emb is not None else None,
            candidates=self.config.candidates,
        )
        if path is not None and path.parent.is_dir():
            store(path, fitted)
        return fitted

    def _question_model(self, version: str, index: ScopeIndex, name: str) -> QuestionModel | None:
        """The scope's stored question model, or a freshly trained one (then stored with the version)."""
        path = self._store.extra_path(version, f"classifier-{name}.npz") if self._store is not None else None
        if path is not None and path.is_file():
            loaded = QuestionModel.load(path, len(index.articles))
            if loaded is not None:
                return loaded
        model = QuestionModel.train(index.articles, index.key_vectors, index.key_kinds, index.offsets)
        if model is not None and path is not None and path.parent.is_dir():
            model.save(path)
        return model

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for p in kb_files(self.kb_dir):
            st = p.stat()
            out.append((p.as_posix(), st.st_size, st.st_mtime_ns))
        return tuple(out)

    def reload_if_changed(self) -> bool:
        """Re-ingest when files changed, or load the version another replica built. True if the version moved."""
        before = self.version
        if self._store is not None and (cur := self._store.current()) and cur != before:
            stored = self._store.load(cur)
            if stored is not None:
                self._activate(stored)
        if self._scan() != self._fingerprint:
            self.ingest()
        return self.version != before

    # --- retrieval ---------------------------------------------------------------------------------------------
    def retrieve(self, text: str, language: str, audience: Audience = Audience.CUSTOMER) -> Retrieval | None:
        index = self._indexes.get((language, audience))
        if index is None:
            return None
        qvec = None
        if self.embeddings is not None and index.dense:
            qvec = embed_matrix(self.embeddings, [text])[0]
        params = self.params.for_index(index.classifier is not None)
        ranking = rank(index, text, qvec, params.rank_weights, candidates=self.config.candidates)
        base = confidence(ranking, params)
        platt = chosen_platt(self.config.calibration, index, self.params)
        if platt is None or not ranking.hits:
            return Retrieval(index, ranking, base, qvec, base)
        covered = coverage(text, self._article_terms(index.articles[ranking.hits[0].row]), language)
        return Retrieval(index, ranking, platt.apply(platt_features(ranking, base, covered)), qvec, base)

    def _article_terms(self, article: Article) -> set[str]:
        """An article's content words, read at ingest with its BM25 tokens (a long manual is costly to re-read)."""
        index = self._indexes.get((article.language, Audience.INTERNAL))  # the scope that holds every article
        found = index.article_terms(article.id) if index is not None else None
        return found if found is not None else content_terms(article)

    def as_retriever(self, *, language: str = "en", audience: Audience = Audience.CUSTOMER, k: int = 5) -> Any:
        """A LangChain `BaseRetriever` over one language and audience scope."""
        from knowledge.lc import KnowledgeRetriever

        return KnowledgeRetriever(kb=self, language=language, audience=audience, k=k)

    async def answer(self, question: Question) -> Answer:
        query, r = in_thread(
            lambda text: self.retrieve(text, question.language, question.audience),
            question,
            CONFIDENT,
            lambda found, words: shares_words(found, words, question.language),
        )
        # The thread finds the article; the message itself picks the passage ("how long is the link valid?"), the
        # thread's words at half weight for what it points at ("and how long does that take?").
        own, context = question.text, (query if query != question.text else "")
        if r is None or not r.ranking.hits:
            return Answer(text="", confidence=0.0, relevant=False)
        pick = partial(best_passage, word_weight=r.index.word_weight, context=context)
        hits: list[ArticleHit] = []
        top_passage = None
        for i, hit in enumerate(r.ranking.hits[: self.config.top_k]):
            art = r.index.articles[hit.row]
            sims = None
            if r.qvec is not None:
                all_sims, kinds = r.index.key_sims(hit.row, r.qvec)
                sims = all_sims[kinds == KIND_PASSAGE]
            passage = pick(art, own, sims, question.language, shortlist=4 if i == 0 else 1)
            if i == 0:
                top_passage = passage
            snippet = (
                extract(passage, own, question.language, max_sentences=1, max_chars=200) if passage else ""
            )
            hits.append(ArticleHit(art.id, art.title, round(hit.prob, 4), art.url, art.team, snippet, art.audience))
        top = r.article(0)
        relevant = is_relevant(
            r, query, question.language, self.config.relevance_floor, article_terms=self._article_terms
        )
        text = ""
        usage = TokenUsage()
        grounding: tuple[str, ...] = (plain_text(top_passage.text),) if top_passage is not None else ()
        if top_passage is not None:
            text = compose(
                top,
                top_passage,
                own,
                question.language,
                max_units=self.config.answer_sentences,
                max_chars=self.config.answer_chars,
                context=context,
            )
        if self.chat_model is not None and relevant:
            passages = []
            for hit in r.ranking.hits[:3]:
                art = r.index.articles[hit.row]
                p = pick(art, own, None, question.language, shortlist=2)
                if p is not None:
                    passages.append((art, p))
            llm_text, usage = await asyncio.to_thread(
                llm_answer,
                self.chat_model,
                self.persona,
                question.text,
                passages,
                earlier_turns(question.text, question.history)[::-1],
            )
            text = llm_text or text
            if llm_text:
                grounding = tuple(plain_text(p.text) for _, p in passages)
        citation = Citation(top.id, top.title, top.url, hits[0].snippet)
        return Answer(
            text=text,
            confidence=r.confidence,
            articles=tuple(hits),
            citations=(citation,),
            relevant=relevant,
            team=top.team,
            usage=usage,
            passages=grounding,
        )
