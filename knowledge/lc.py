"""LangChain `BaseRetriever` view of a KnowledgeBase, so the hybrid ranking plugs into any LangChain chain.

The audience and language are fixed when the retriever is made: a retriever built for customers reads only the
customer index, exactly like `KnowledgeBase.answer`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.core.types import Audience


class KnowledgeRetriever(BaseRetriever):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    kb: Any
    language: str = "en"
    audience: Audience = Audience.CUSTOMER
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        r = self.kb.retrieve(query, self.language, self.audience)
        if r is None:
            return []
        docs = []
        for hit in r.ranking.hits[: self.k]:
            art = r.index.articles[hit.row]
            docs.append(
                Document(
                    page_content=art.body,
                    metadata={
                        "article_id": art.id,
                        "title": art.title,
                        "score": hit.prob,
                        "url": art.url,
                        "team": art.team,
                        "confidence": r.confidence,
                    },
                )
            )
        return docs
