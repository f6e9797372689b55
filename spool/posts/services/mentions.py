"""@mentions of local accounts: kept as ``Mention`` rows so notifications and reply controls can use them."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Lower

from spool.core.compiled import compiled, id_list
from spool.core.text import find_mentions
from spool.identities.models import Account, Block
from spool.posts.models import Mention, Post

MAX_MENTIONS = 50


def mentioned_accounts(text: str) -> list[Account]:
    """Active local accounts named by ``@handle`` in ``text`` (first 50 distinct handles)."""
    handles: list[str] = []
    for span in find_mentions(text):
        handle = span.value.lower()
        if handle and handle not in handles:
            handles.append(handle)
    if not handles:
        return []
    handles = handles[:MAX_MENTIONS]
    found = Account.objects.annotate(lower_handle=Lower("handle")).filter(
        lower_handle__in=handles, domain="", is_active=True
    )
    by_handle = {account.lower_handle: account for account in found}  # type: ignore[attr-defined]
    return [by_handle[h] for h in handles if h in by_handle]


def set_mentions(post: Post, accounts: list[Account], *, new_post: bool = False) -> list[int]:
    """Make ``post``'s Mention rows exactly ``accounts``; return the IDs newly mentioned who should hear of
    it (not the author, not anyone blocking or blocked by the author). ``new_post``: the post was created in
    this transaction, so it has no Mention rows yet (none are read or deleted)."""
    existing: set[int] = set()
    if not new_post:
        wanted = {account.id for account in accounts}
        existing = set(Mention.objects.filter(post=post).values_list("account_id", flat=True))
        Mention.objects.filter(post=post).exclude(account_id__in=wanted).delete()
    new = [account_id for account_id in (a.id for a in accounts) if account_id not in existing]
    Mention.objects.bulk_create([Mention(post=post, account_id=account_id) for account_id in new])
    if not new:
        return []
    shut_out = {a for pair in _BLOCKS.run(author=post.author_id, ids=new) for a in pair}
    return [account_id for account_id in new if account_id != post.author_id and account_id not in shut_out]


# Asked for every post that mentions someone (compiled once per process, :mod:`spool.core.compiled`).
_BLOCKS = compiled(
    lambda author, ids: Block.objects.filter(
        Q(blocker_id=author, blocked_id__in=id_list(ids)) | Q(blocked_id=author, blocker_id__in=id_list(ids))
    ).values_list("blocker_id", "blocked_id"),
    ints=("author",),
    lists=("ids",),
)
