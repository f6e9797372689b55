"""Writing hidden words (Mastodon: filters v2): filters, their keywords and single posts, and the switch
for Spool's default list.

Every function checks ownership (someone else's filter is ``NotFound``, as if missing), validates all input
before writing anything, and runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from spool.core.errors import NotFound, ValidationError
from spool.identities.models import Account, FilterAction, FilterKeyword, FilterPost, WordFilter
from spool.identities.services._common import require_active
from spool.identities.word_filters import CONTEXTS

MAX_TITLE = 100
MAX_KEYWORD = 100
MAX_FILTERS = 100
MAX_KEYWORDS = 100  # per filter
MAX_POSTS = 100  # per filter
MAX_EXPIRES_IN = 10 * 365 * 24 * 3600
_CONTROL = {chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}


@dataclass(frozen=True)
class KeywordChange:
    """One entry of ``keywords_attributes``: add (no ``id``), change (``id``) or remove (``id`` + destroy)."""

    keyword: str | None = None
    whole_word: bool | None = None
    id: int | None = None
    destroy: bool = False


_UNSET: Any = object()


def _text(value: Any, field: str, limit: int, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"The {what} must be text.", field=field)
    value = value.strip()
    if not value:
        raise ValidationError(f"The {what} can't be blank.", code="blank", field=field)
    if len(value) > limit:
        raise ValidationError(f"The {what} can be at most {limit} characters.", code="too_long", field=field)
    if any(ch in _CONTROL for ch in value):
        raise ValidationError(
            f"The {what} contains control characters.", code="invalid_characters", field=field
        )
    return value


def _context(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError("Choose at least one context.", code="blank", field="context")
    unknown = [c for c in value if c not in CONTEXTS]
    if unknown:
        raise ValidationError(
            f"Unknown context: {', '.join(map(str, unknown))}. Use {', '.join(CONTEXTS)}.", field="context"
        )
    return list(dict.fromkeys(value))


def _action(value: Any) -> str:
    if value not in FilterAction.values:
        raise ValidationError(
            f"filter_action must be one of {', '.join(FilterAction.values)}.", field="filter_action"
        )
    return str(value)


def _expires(expires_in: Any) -> Any:
    """``None`` = never; otherwise a number of seconds from now."""
    if expires_in is None:
        return None
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int)
        or not 0 < expires_in <= MAX_EXPIRES_IN
    ):
        raise ValidationError(
            f"expires_in must be a number of seconds between 1 and {MAX_EXPIRES_IN}.", field="expires_in"
        )
    return timezone.now() + timedelta(seconds=expires_in)


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false.", field=field)
    return value


def _owned(account: Account, filter_id: Any, *, lock: bool = False) -> WordFilter:
    try:
        qs = WordFilter.objects.select_for_update() if lock else WordFilter.objects
        return qs.get(pk=int(filter_id), account=account)
    except (WordFilter.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def access_filter(account: Account, filter_id: Any) -> WordFilter:
    """The account's own filter with ``filter_id``; ``NotFound`` otherwise."""
    return _owned(account, filter_id)


def access_filter_keyword(account: Account, keyword_id: Any) -> FilterKeyword:
    try:
        return FilterKeyword.objects.select_related("filter").get(pk=int(keyword_id), filter__account=account)
    except (FilterKeyword.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def access_filter_post(account: Account, row_id: Any) -> FilterPost:
    try:
        return FilterPost.objects.select_related("filter").get(pk=int(row_id), filter__account=account)
    except (FilterPost.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def _clean_keywords(
    changes: Iterable[KeywordChange], existing: dict[int, FilterKeyword]
) -> list[KeywordChange]:
    cleaned = []
    for index, change in enumerate(changes):
        field = f"keywords_attributes.{index}"
        if change.id is not None and change.id not in existing:
            raise NotFound()
        if change.destroy:
            if change.id is None:
                raise ValidationError("Only an existing keyword can be removed.", field=f"{field}.id")
            cleaned.append(change)
            continue
        keyword = (
            _text(change.keyword, f"{field}.keyword", MAX_KEYWORD, "keyword")
            if change.keyword is not None or change.id is None
            else None
        )
        whole = _bool(change.whole_word, f"{field}.whole_word") if change.whole_word is not None else None
        cleaned.append(KeywordChange(keyword, whole, change.id))
    return cleaned


def _apply_keywords(
    word_filter: WordFilter, changes: Sequence[KeywordChange], existing: dict[int, FilterKeyword]
) -> None:
    for change in changes:
        if change.destroy:
            existing[change.id].delete()  # type: ignore[index]
        elif change.id is not None:
            row = existing[change.id]
            row.keyword = change.keyword if change.keyword is not None else row.keyword
            row.whole_word = change.whole_word if change.whole_word is not None else row.whole_word
            row.save(update_fields=["keyword", "whole_word"])
        else:
            assert change.keyword is not None  # checked by _clean_keywords for new keywords
            FilterKeyword.objects.create(
                filter=word_filter,
                keyword=change.keyword,
                whole_word=True if change.whole_word is None else change.whole_word,
            )
    if word_filter.keywords.count() > MAX_KEYWORDS:
        raise ValidationError(
            f"A filter can hold at most {MAX_KEYWORDS} keywords.",
            code="too_many",
            field="keywords_attributes",
        )


def create_filter(
    account: Account,
    *,
    title: Any,
    context: Any,
    action: Any = FilterAction.WARN,
    expires_in: Any = None,
    keywords: Iterable[KeywordChange] = (),
) -> WordFilter:
    """A new filter with its keywords. At most ``MAX_FILTERS`` per person."""
    require_active(account)
    title = _text(title, "title", MAX_TITLE, "title")
    contexts = _context(context)
    action = _action(action)
    expires_at = _expires(expires_in)
    changes = _clean_keywords(keywords, {})
    if any(c.id is not None for c in changes):
        raise NotFound()
    with transaction.atomic():
        if WordFilter.objects.filter(account=account).count() >= MAX_FILTERS:
            raise ValidationError(f"You can have at most {MAX_FILTERS} filters.", code="too_many")
        word_filter = WordFilter.objects.create(
            account=account, title=title, context=contexts, action=action, expires_at=expires_at
        )
        _apply_keywords(word_filter, changes, {})
    return word_filter


def update_filter(
    account: Account,
    filter_id: Any,
    *,
    title: Any = None,
    context: Any = None,
    action: Any = None,
    expires_in: Any = _UNSET,
    keywords: Iterable[KeywordChange] = (),
) -> WordFilter:
    """Change the given fields (``None`` leaves one alone; ``expires_in=None`` removes the expiry) and apply
    keyword changes. All or nothing."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _text(title, "title", MAX_TITLE, "title")
    if context is not None:
        changes["context"] = _context(context)
    if action is not None:
        changes["action"] = _action(action)
    if expires_in is not _UNSET:
        changes["expires_at"] = _expires(expires_in)
    with transaction.atomic():
        word_filter = _owned(account, filter_id, lock=True)
        existing = {k.id: k for k in word_filter.keywords.all()}
        keyword_changes = _clean_keywords(keywords, existing)
        for name, value in changes.items():
            setattr(word_filter, name, value)
        if changes:
            word_filter.save(update_fields=list(changes))
        _apply_keywords(word_filter, keyword_changes, existing)
    return word_filter


def delete_filter(account: Account, filter_id: Any) -> None:
    with transaction.atomic():
        _owned(account, filter_id, lock=True).delete()


def add_filter_keyword(
    account: Account, filter_id: Any, keyword: Any, whole_word: Any = True
) -> FilterKeyword:
    with transaction.atomic():
        word_filter = _owned(account, filter_id, lock=True)
        (change,) = _clean_keywords([KeywordChange(keyword, whole_word)], {})
        _apply_keywords(word_filter, [change], {})
    return word_filter.keywords.order_by("-id").first()  # type: ignore[return-value]


def update_filter_keyword(
    account: Account, keyword_id: Any, keyword: Any = None, whole_word: Any = None
) -> FilterKeyword:
    row = access_filter_keyword(account, keyword_id)
    (change,) = _clean_keywords([KeywordChange(keyword, whole_word, row.id)], {row.id: row})
    with transaction.atomic():
        _apply_keywords(row.filter, [change], {row.id: row})
    return row


def delete_filter_keyword(account: Account, keyword_id: Any) -> None:
    with transaction.atomic():
        access_filter_keyword(account, keyword_id).delete()


def add_filter_post(account: Account, filter_id: Any, post_id: int) -> FilterPost:
    """Add one post to a filter (idempotent). The caller checks that the person may see the post: posts sit
    above this layer."""
    if isinstance(post_id, bool) or not isinstance(post_id, int) or post_id <= 0:
        raise ValidationError("status_id must be an ID.", field="status_id")
    with transaction.atomic():
        word_filter = _owned(account, filter_id, lock=True)
        row, created = FilterPost.objects.get_or_create(filter=word_filter, post_id=post_id)
        if created and word_filter.posts.count() > MAX_POSTS:
            raise ValidationError(
                f"A filter can hold at most {MAX_POSTS} posts.", code="too_many", field="status_id"
            )
    return row


def delete_filter_post(account: Account, row_id: Any) -> FilterPost:
    with transaction.atomic():
        row = access_filter_post(account, row_id)
        kept = row.pk
        row.delete()
    row.pk = kept  # Django clears it on delete; the API answers with the removed row
    return row


def set_hide_offensive_words(account: Account, enabled: Any) -> Account:
    """Switch Spool's default list of offensive words on or off for ``account``."""
    enabled = _bool(enabled, "hide_offensive_words")
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(hide_offensive_words=enabled)
    account.hide_offensive_words = enabled
    return account


# --- The Hidden words page: one "Hidden words" filter per person ----------------------------------------

HIDDEN_WORDS_TITLE = "Hidden words"


def hidden_words_filter(account: Account) -> WordFilter | None:
    """The person's Hidden words: their oldest ``hide`` filter titled ``HIDDEN_WORDS_TITLE`` (what the web
    page manages; other filters are managed where they were made, e.g. a Mastodon app)."""
    return (
        WordFilter.objects.filter(account=account, title=HIDDEN_WORDS_TITLE, action=FilterAction.HIDE)
        .order_by("id")
        .first()
    )


def add_hidden_word(account: Account, word: Any) -> FilterKeyword:
    """Hide posts containing ``word`` (a word, a phrase or emoji; whole words, any case) everywhere: in
    every context, with no expiry. Creates the Hidden words filter on first use. Adding a word already
    there (any case) changes nothing and returns it. Same limits as any filter's keywords."""
    require_active(account)
    word = _text(word, "word", MAX_KEYWORD, "word")
    with transaction.atomic():
        word_filter = hidden_words_filter(account)
        if word_filter is None:
            word_filter = create_filter(
                account, title=HIDDEN_WORDS_TITLE, context=list(CONTEXTS), action=FilterAction.HIDE
            )
        existing = next(
            (k for k in word_filter.keywords.all() if k.keyword.casefold() == word.casefold()), None
        )
        if existing is not None:
            return existing
        return add_filter_keyword(account, word_filter.id, word, True)


def remove_hidden_word(account: Account, keyword_id: Any) -> None:
    """Stop hiding one word of the person's filters (``NotFound`` for anyone else's)."""
    delete_filter_keyword(account, keyword_id)
