"""The knowledge base (知识库): Context methods and records (docs/kb.md)."""

import dataclasses
from typing import Any, Callable, Iterable, List, Optional, Tuple

from . import lowlevel as _ll
from ._types import ContextMixinBase, JsonIn
from .actor import Actor, _native as _actor
from .records import json_dumps

__all__ = ["KbArticle", "KbHit", "KbStats", "KbMixin"]

_STATUS = {_ll.PCRM_KB_DRAFT: "draft", _ll.PCRM_KB_APPROVED: "approved",
           _ll.PCRM_KB_RETIRED: "retired"}
_MATCH = {"any": _ll.PCRM_KB_MATCH_ANY, "all": _ll.PCRM_KB_MATCH_ALL}


@dataclasses.dataclass(frozen=True)
class KbArticle:
    """One version of an article."""

    id: str
    version: int
    status: str  # "draft", "approved", "retired"
    title: str
    category: str
    summary: str
    keywords: List[str]
    body: str
    format: str  # "text" or "markdown"
    org_unit: str
    valid_from: str  # "YYYY-MM-DD"
    valid_to: Optional[str]  # None when open-ended
    # the version's approval work order (workflow "kb_article"); None before schema 35
    work_order_id: Optional[str]


@dataclasses.dataclass(frozen=True)
class KbHit:
    """A search result: the approved version of an article."""

    id: str
    version: int
    title: str
    category: str
    summary: str


@dataclasses.dataclass(frozen=True)
class KbStats:
    """Usage in the actor's subtree: (article id, uses) and (question, times), most first."""

    top: List[Tuple[str, int]]
    misses: List[Tuple[str, int]]


def _article(a: Any) -> KbArticle:
    keywords = _ll.pcrm_kb_article_keywords(a)
    return KbArticle(
        id=_ll.pcrm_kb_article_id(a),
        version=_ll.pcrm_kb_article_version(a),
        status=_STATUS[_ll.pcrm_kb_article_status(a)],
        title=_ll.pcrm_kb_article_title(a),
        category=_ll.pcrm_kb_article_category(a),
        summary=_ll.pcrm_kb_article_summary(a),
        keywords=keywords.split(", ") if keywords else [],
        body=_ll.pcrm_kb_article_body(a),
        format=_ll.pcrm_kb_article_format(a),
        org_unit=_ll.pcrm_kb_article_org_unit(a),
        valid_from=_ll.pcrm_kb_article_valid_from(a),
        valid_to=_ll.pcrm_kb_article_valid_to(a),
        work_order_id=_ll.pcrm_kb_article_work_order_id(a),
    )


class KbMixin(ContextMixinBase):
    """Knowledge-base methods of :class:`powercrm.Context`."""

    def _kb_article(self, fn: Callable[..., Any], *args: Any) -> KbArticle:
        with self._lock:
            a = self._call(fn, *args)
            try:
                return _article(a)
            finally:
                _ll.pcrm_kb_article_free(a)

    def kb_create(self, actor: Actor, document: JsonIn) -> KbArticle:
        """Writes a new article (a dict, see docs/kb.md) as draft version 1; returns it."""
        return self._kb_article(_ll.pcrm_kb_article_create, _actor(actor), json_dumps(document))

    def kb_revise(self, actor: Actor, article_id: str, expected_version: int,
                  document: JsonIn) -> KbArticle:
        """Writes the next version of an article as a draft; returns it."""
        return self._kb_article(_ll.pcrm_kb_article_revise, _actor(actor), article_id,
                                expected_version, json_dumps(document))

    def kb_approve(self, actor: Actor, article_id: str, version: int) -> None:
        """Approves a draft version (the one approved before is retired)."""
        self._call(_ll.pcrm_kb_article_approve, _actor(actor), article_id, version)

    def kb_retire(self, actor: Actor, article_id: str) -> None:
        """Retires the approved version of an article."""
        self._call(_ll.pcrm_kb_article_retire, _actor(actor), article_id)

    def kb_get(self, actor: Actor, article_id: str, version: int = 0) -> KbArticle:
        """Reads one version of an article (0: the latest)."""
        return self._kb_article(_ll.pcrm_kb_article_get, _actor(actor), article_id, version)

    def kb_search(self, actor: Actor, *, category: Optional[str] = None,
                  keywords: Optional[str] = None, match: str = "any", text: Optional[str] = None,
                  limit: int = 0) -> List[KbHit]:
        """Searches the approved, valid articles the actor sees; a list of KbHit, best first."""
        if match not in _MATCH:
            raise ValueError("match: expected 'any' or 'all', got %r" % (match,))
        query = _ll.pcrm_kb_query(category, keywords, _MATCH[match], text, limit)
        with self._lock:
            hits = self._call(_ll.pcrm_kb_search, _actor(actor), query)
            try:
                return [KbHit(_ll.pcrm_kb_hit_id(hits, i), _ll.pcrm_kb_hit_version(hits, i),
                              _ll.pcrm_kb_hit_title(hits, i), _ll.pcrm_kb_hit_category(hits, i),
                              _ll.pcrm_kb_hit_summary(hits, i))
                        for i in range(_ll.pcrm_kb_hit_list_count(hits))]
            finally:
                _ll.pcrm_kb_hit_list_free(hits)

    def kb_contact_link(self, actor: Actor, customer_no: str, contact_id: str,
                        article_ids: Iterable[str] = (), unanswered: Optional[str] = None) -> None:
        """Records the articles that answered a contact, or the question none answered."""
        self._call(_ll.pcrm_kb_contact_link, _actor(actor), customer_no, contact_id,
                   list(article_ids), unanswered)

    def kb_stats(self, actor: Actor, from_: int, to: int, limit: int = 10) -> KbStats:
        """The most used articles and most frequent unanswered questions in [from_, to)."""
        with self._lock:
            s = self._call(_ll.pcrm_kb_stats_load, _actor(actor), from_, to, limit)
            try:
                return KbStats(
                    top=[(_ll.pcrm_kb_stats_top_id(s, i), _ll.pcrm_kb_stats_top_uses(s, i))
                         for i in range(_ll.pcrm_kb_stats_top_count(s))],
                    misses=[(_ll.pcrm_kb_stats_miss_question(s, i),
                             _ll.pcrm_kb_stats_miss_times(s, i))
                            for i in range(_ll.pcrm_kb_stats_miss_count(s))])
            finally:
                _ll.pcrm_kb_stats_free(s)
