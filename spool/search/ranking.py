"""Scoring for the Top tab: pure functions, unit-tested without a database.

``top_score = relevance * engagement * recency``:

- relevance: the backend's text relevance, scaled so the best candidate of the search is 1 and the worst
  is no less than ``RELEVANCE_FLOOR`` (a weak text match still counts, a strong one counts more);
- engagement: ``1 + ln(1 + likes + 2·reposts + 2·quotes + replies)`` — grows with attention, but a
  thousand likes weigh about seven times nothing, not a thousand times;
- recency: halves every ``HALF_LIFE_HOURS``.

The text relevance on SQLite is :func:`window_bm25`: Okapi BM25 with the document frequencies counted in the
candidate window (the newest matches being ranked) instead of the whole index, which FTS5's ``bm25()`` counts
by reading every match of every word. A word rare among the candidates still weighs more than a common one.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spool.search.query import ParsedQuery

HALF_LIFE_HOURS = 72.0
RELEVANCE_FLOOR = 0.5
BM25_K1 = 1.2
BM25_B = 0.75
# first_eligible asks about the most relevant candidates this many at a time, to find the best relevance
# among the eligible (the scores are scaled by it).
RELEVANCE_PROBE = 4
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Candidate:
    post_id: int
    relevance: float
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    age_hours: float = 0.0


def engagement(likes: int, reposts: int, replies: int, quotes: int) -> float:
    return 1.0 + math.log1p(max(likes, 0) + 2 * max(reposts, 0) + 2 * max(quotes, 0) + max(replies, 0))


def recency(age_hours: float) -> float:
    return 0.5 ** (max(age_hours, 0.0) / HALF_LIFE_HOURS)


def top_score(candidate: Candidate, best_relevance: float) -> float:
    scaled = candidate.relevance / best_relevance if best_relevance > 0 else 1.0
    relevance = RELEVANCE_FLOOR + (1 - RELEVANCE_FLOOR) * min(max(scaled, 0.0), 1.0)
    return (
        relevance
        * engagement(candidate.likes, candidate.reposts, candidate.replies, candidate.quotes)
        * recency(candidate.age_hours)
    )


def rank_top(candidates: list[Candidate], best: float | None = None) -> list[Candidate]:
    """``candidates`` best first (ties: newest first). Relevance is scaled by ``best`` (by default the
    largest among ``candidates``)."""
    if best is None:
        best = max((c.relevance for c in candidates), default=0.0)
    return sorted(candidates, key=lambda c: (top_score(c, best), c.post_id), reverse=True)


def first_eligible(
    pool: list[Candidate], eligible: Callable[[list[int]], set[int]], wanted: int
) -> list[Candidate]:
    """The first ``wanted`` of :func:`rank_top` over the candidates of ``pool`` that ``eligible`` keeps,
    asking ``eligible`` about as few candidates as that ranking needs (the rule costs far more per
    candidate than the ranking). The result is exactly that of ranking every eligible candidate: the best
    relevance the scores are scaled by is that of the first eligible candidate by relevance, and the
    ranking's prefix is settled candidate by candidate. Usually one call: the candidates the ranking puts
    first, a margin for those the rule leaves out, and the few most relevant."""
    known: dict[int, bool] = {}
    by_relevance = sorted(pool, key=lambda c: c.relevance, reverse=True)
    ranked: list[Candidate] = []
    ranked_by: float | None = None
    while True:
        asked: list[int] = []
        # The best relevance: the first candidate by relevance that is not known to be left out.
        best, settled = None, False
        for c in by_relevance:
            state = known.get(c.post_id)
            if state is False:
                continue
            best = c.relevance if best is None else best
            if state:
                settled = not asked
                break
            asked.append(c.post_id)
            if len(asked) >= RELEVANCE_PROBE:
                break
        if best is None:
            return []  # none is eligible
        # The ranking's prefix (under that best) holding ``wanted`` candidates not known to be left out,
        # and beyond it a margin of unknown ones (in case the rule leaves some of the prefix out).
        if best != ranked_by:
            ranked, ranked_by = rank_top(pool, best), best
        page: list[Candidate] = []
        unknown: list[int] = []
        margin: list[int] = []
        for c in ranked:
            state = known.get(c.post_id)
            if state is False:
                continue
            if len(page) + len(unknown) < wanted:
                if state:
                    page.append(c)
                else:
                    unknown.append(c.post_id)
            elif unknown and len(margin) < len(unknown) // 4 + 4:
                if state is None:
                    margin.append(c.post_id)
            else:
                break
        if settled and not unknown:
            return page
        asked += [i for i in unknown + margin if i not in asked]
        found = eligible(asked)
        known.update((i, i in found) for i in asked)


def _fold(text: str) -> str:
    """Lower-cased, without diacritics: how the FTS5 tokenizer (``unicode61 remove_diacritics 2``) compares
    words, so a word the index matched is also counted here."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _occurrences(term: tuple[str, ...], words: list[str]) -> int:
    """How many times ``term`` (a word, or a phrase as consecutive words) occurs in ``words``."""
    if len(term) == 1:
        return words.count(term[0])
    n = len(term)
    return sum(1 for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == term)


def window_bm25(query: ParsedQuery, texts: Sequence[str]) -> list[float]:
    """BM25 of each of ``texts`` for the query's wanted terms (words and phrases; exclusions do not score),
    with document frequencies and the average length taken over ``texts`` themselves. One score per text,
    in order; 0 when a text holds none of the terms."""
    terms = sorted({tuple(_fold(w) for w in term) for group in query.groups for term in group})
    documents = [_WORD.findall(_fold(text)) for text in texts]
    if not documents or not terms:
        return [0.0] * len(documents)
    average = sum(len(words) for words in documents) / len(documents) or 1.0
    counts = [{term: _occurrences(term, words) for term in terms} for words in documents]
    holding = Counter(term for found in counts for term, tf in found.items() if tf)
    total = len(documents)
    idf = {term: math.log(1 + (total - holding[term] + 0.5) / (holding[term] + 0.5)) for term in terms}
    scores = []
    for words, found in zip(documents, counts, strict=True):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(words) / average)
        scores.append(sum(idf[t] * tf * (BM25_K1 + 1) / (tf + norm) for t, tf in found.items() if tf))
    return scores
