"""``Update`` of an edited local post, or of a changed profile."""

from __future__ import annotations

from typing import Any

from spool.federation import ids
from spool.federation.outbound.actor import person
from spool.federation.outbound.base import activity
from spool.federation.outbound.note import note
from spool.identities.models import Account
from spool.posts.models import Post


def update_note(post: Post) -> dict[str, Any]:
    obj = note(post)
    id_ = f"{obj['id']}#updates/{ids.unique_suffix()}"
    return activity("Update", post.author_id, obj, id_=id_, to=obj["to"], cc=obj["cc"])


def update_person(account: Account) -> dict[str, Any]:
    id_ = f"{ids.actor_uri(account.pk)}#updates/{ids.unique_suffix()}"
    return activity(
        "Update", account.pk, person(account), id_=id_, to=[ids.PUBLIC], cc=[ids.followers_uri(account.pk)]
    )
