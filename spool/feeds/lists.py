"""Lists: private, named sets of followed accounts, each read as its own timeline (Mastodon: lists).

Writes validate everything first and run in one transaction. Someone else's list is ``NotFound``, as if
missing. Only accounts the owner follows may be added; unfollowing someone (which blocking also does) takes
them out of the owner's lists (:func:`on_unfollowed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from spool.core.errors import NotFound, ValidationError
from spool.feeds.models import List, ListMember, RepliesPolicy
from spool.identities.events import Unfollowed
from spool.identities.models import Account, Follow

MAX_TITLE = 100
MAX_LISTS = 50
MAX_MEMBERS = 1000
MAX_IDS_PER_CALL = 100
_UNSET: Any = object()


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("Title can't be blank", code="blank", field="title")
    value = value.strip()
    if len(value) > MAX_TITLE:
        raise ValidationError(f"Title can be at most {MAX_TITLE} characters", code="too_long", field="title")
    if any(ord(ch) < 32 and ch not in "\t" for ch in value):
        raise ValidationError("Title contains control characters", code="invalid_characters", field="title")
    return value


def _policy(value: Any) -> str:
    if value not in RepliesPolicy.values:
        raise ValidationError(
            f"replies_policy must be one of {', '.join(RepliesPolicy.values)}", field="replies_policy"
        )
    return str(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("exclusive must be true or false", field="exclusive")
    return value


def access_list(owner: Account, list_id: Any) -> List:
    """The owner's list with ``list_id``; ``NotFound`` for anyone else's or a missing one."""
    try:
        return List.objects.get(pk=int(list_id), owner=owner)
    except (List.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def lists_of(owner: Account) -> QuerySet[List]:
    return List.objects.filter(owner=owner).order_by("title", "id")


def lists_containing(owner: Account, account_id: int) -> QuerySet[List]:
    """The owner's lists that ``account_id`` is a member of."""
    return lists_of(owner).filter(members__account_id=account_id)


def members_of(lst: List) -> QuerySet[ListMember]:
    """Members from active accounts, with the account loaded; paginate on the membership's ID."""
    return ListMember.objects.filter(list=lst, account__is_active=True).select_related("account")


def exclusive_member_ids(owner: Account) -> QuerySet[Any]:
    """A subquery of accounts in the owner's exclusive lists (their posts stay out of the home feed)."""
    return ListMember.objects.filter(list__owner=owner, list__exclusive=True).values("account_id")


def create_list(
    owner: Account, *, title: Any, replies_policy: Any = RepliesPolicy.LIST, exclusive: Any = False
) -> List:
    title = _title(title)
    replies_policy = _policy(replies_policy)
    exclusive = _flag(exclusive)
    with transaction.atomic():
        if List.objects.filter(owner=owner).count() >= MAX_LISTS:
            raise ValidationError(f"You can have at most {MAX_LISTS} lists", code="too_many")
        return List.objects.create(
            owner=owner, title=title, replies_policy=replies_policy, exclusive=exclusive
        )


def update_list(
    owner: Account, list_id: Any, *, title: Any = None, replies_policy: Any = None, exclusive: Any = None
) -> List:
    """Change the given fields (``None`` leaves one alone)."""
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _title(title)
    if replies_policy is not None:
        changes["replies_policy"] = _policy(replies_policy)
    if exclusive is not None:
        changes["exclusive"] = _flag(exclusive)
    with transaction.atomic():
        lst = access_list(owner, list_id)
        for name, value in changes.items():
            setattr(lst, name, value)
        if changes:
            lst.save(update_fields=list(changes))
    return lst


def delete_list(owner: Account, list_id: Any) -> None:
    with transaction.atomic():
        access_list(owner, list_id).delete()


def _account_ids(account_ids: Iterable[Any]) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(i) for i in account_ids))
    except (TypeError, ValueError):
        raise ValidationError("account_ids must be IDs", field="account_ids") from None
    if not ids:
        raise ValidationError("account_ids can't be blank", code="blank", field="account_ids")
    if len(ids) > MAX_IDS_PER_CALL:
        raise ValidationError(
            f"At most {MAX_IDS_PER_CALL} accounts at once", code="too_many", field="account_ids"
        )
    return ids


def add_list_members(owner: Account, list_id: Any, account_ids: Iterable[Any]) -> None:
    """Add accounts the owner follows (already members are left as they are). ``NotFound`` when an account
    is missing or hidden from the owner; ``ValidationError`` when one is not followed. All or nothing."""
    ids = _account_ids(account_ids)
    with transaction.atomic():
        lst = access_list(owner, list_id)
        visible = set(Account.objects.visible_to(owner).filter(pk__in=ids).values_list("pk", flat=True))
        if visible != set(ids):
            raise NotFound()
        followed = set(
            Follow.objects.filter(follower=owner, followee_id__in=ids).values_list("followee_id", flat=True)
        )
        if followed != set(ids):
            raise ValidationError(
                "Validation failed: Account has not been followed", code="not_followed", field="account_ids"
            )
        present = set(
            ListMember.objects.filter(list=lst, account_id__in=ids).values_list("account_id", flat=True)
        )
        new = [i for i in ids if i not in present]
        if ListMember.objects.filter(list=lst).count() + len(new) > MAX_MEMBERS:
            raise ValidationError(
                f"A list can hold at most {MAX_MEMBERS} accounts", code="too_many", field="account_ids"
            )
        ListMember.objects.bulk_create([ListMember(list=lst, account_id=i) for i in new])


def remove_list_members(owner: Account, list_id: Any, account_ids: Iterable[Any]) -> None:
    """Take accounts out of the list (absent ones are ignored)."""
    ids = _account_ids(account_ids)
    with transaction.atomic():
        lst = access_list(owner, list_id)
        ListMember.objects.filter(list=lst, account_id__in=ids).delete()


def on_unfollowed(event: Unfollowed) -> None:
    """Someone the owner no longer follows leaves the owner's lists (in the unfollow's transaction)."""
    ListMember.objects.filter(list__owner_id=event.follower_id, account_id=event.followee_id).delete()
