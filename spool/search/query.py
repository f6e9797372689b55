"""Reading what people type into the search box, the same way on both backends.

The syntax is the web-search one PostgreSQL's ``websearch_to_tsquery`` reads: words (all must occur),
``"quoted phrases"``, ``or`` between two terms, and ``-word`` to leave out. :func:`parse_query` turns it into
a :class:`ParsedQuery` of whole words (letters and digits; everything else separates words, as both
backends' tokenizers do); each backend compiles that, so both find the same posts. No stemming and no prefix
matching: Spool is multilingual, and a word matches only itself (any case).

``#topic`` alone is tag mode (posts in that topic); see :func:`tag_of`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spool.core.errors import ValidationError

MAX_QUERY = 200
MAX_TERMS = 10
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class ParsedQuery:
    """``groups``: every group must match; a group matches when any of its terms does. A term is a tuple
    of words that must occur in that order (one word, or a phrase). ``excluded``: terms that must not
    occur."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to look for (only punctuation, or only exclusions): no post matches."""
        return not self.groups

    def websearch(self) -> str:
        """The query rewritten in ``websearch_to_tsquery`` syntax, words only (for PostgreSQL)."""

        def quoted(term: tuple[str, ...]) -> str:
            return '"' + " ".join(term) + '"'

        parts = [" or ".join(quoted(t) for t in group) for group in self.groups]
        parts += ["-" + quoted(t) for t in self.excluded]
        return " ".join(parts)

    def fts5(self) -> str:
        """The query in SQLite FTS5 syntax: every word quoted, so nothing typed is read as an operator."""

        def quoted(term: tuple[str, ...]) -> str:
            return '"' + " ".join(term) + '"'

        positive = " AND ".join("(" + " OR ".join(quoted(t) for t in group) + ")" for group in self.groups)
        if not self.excluded:
            return positive
        return f"({positive}) NOT (" + " OR ".join(quoted(t) for t in self.excluded) + ")"


def clean_query(q: object, *, field: str = "q") -> str:
    """The query stripped; blank, non-text, NUL or over ``MAX_QUERY`` characters: ``ValidationError``."""
    if not isinstance(q, str) or not q.strip():
        raise ValidationError("Validation failed: q can't be blank", code="blank", field=field)
    q = q.strip()
    if len(q) > MAX_QUERY:
        raise ValidationError(
            f"Validation failed: q can be at most {MAX_QUERY} characters", code="too_long", field=field
        )
    if "\x00" in q:
        raise ValidationError("Validation failed: q contains a NUL character", field=field)
    return q


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in _WORD.findall(text))


def parse_query(q: str) -> ParsedQuery:
    """Parse a cleaned query (see the module docstring). At most ``MAX_TERMS`` terms are kept."""
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = False
    for match in _TOKEN.finditer(q):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.casefold() == "or":
                join_next = bool(groups)
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[1:] if negated else bare
        term = _words(phrase or "")
        if not term:
            continue
        if negated:
            excluded.append(term)
        elif join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


def tag_of(q: str) -> str | None:
    """The topic name when the query is tag mode (``#topic``, one tag and nothing else), else ``None``."""
    if q.startswith("#") and len(q) > 1 and "#" not in q[1:]:
        return q[1:].strip() or None
    return None
