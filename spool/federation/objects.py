"""Mapping between Spool rows and ActivityPub ids, both ways, for local and remote things alike."""

from __future__ import annotations

from typing import Any, cast

from spool.core.compiled import compiled
from spool.federation import ids
from spool.federation.models import RemoteActor, RemotePost
from spool.federation.remembered import absent, known_absent, remembered
from spool.identities.models import Account
from spool.posts.models import Post


def actor_id(account: Account) -> str:
    """The ActivityPub id of any account ("" for a remote account we hold no actor row for)."""
    if account.is_local:
        return ids.actor_uri(account.pk)
    remote = RemoteActor.objects.filter(account_id=account.pk).values_list("uri", flat=True).first()
    return remote or ""


def post_id_uri(post_id: int) -> str:
    """The ActivityPub id of any post (remote posts keep their origin's id)."""
    remote = RemotePost.objects.filter(post_id=post_id).values_list("uri", flat=True).first()
    return remote or ids.post_uri(post_id)


def post_for_uri(uri: str) -> Post | None:
    """The Post an ActivityPub id names, if we hold it (ours or a stored remote one). Never fetches."""
    if known_absent(("post", uri)):
        return None  # a batch's new posts, looked for all at once (:func:`note_new_posts`)
    return remembered(("post", uri), lambda: _post_for_uri(uri))


def note_new_posts(uris: list[str]) -> None:
    """Inside an inbox batch: look for the remote posts ``uris`` (its ``Create``\\ s' notes) in one query;
    those we do not hold are then known to be new without a query each."""
    remote = [uri for uri in uris if uri and ids.local_post_id(uri) is None]
    if not remote:
        return
    held = set(RemotePost.objects.filter(uri__in=remote).values_list("uri", flat=True))
    absent({("post", uri) for uri in remote if uri not in held})


def _post_for_uri(uri: str) -> Post | None:
    local_id = ids.local_post_id(uri)
    if local_id is not None:
        return _first(_LOCAL_POST.models(id=local_id))
    # Most misses are a Create's own new post: a narrow query answers those, the post is read when found.
    found = _REMOTE_POST_ID.run(uri=uri)
    return _first(_POST.models(id=found[0][0])) if found else None


def _first(posts: list[Any]) -> Post | None:
    return cast(Post, posts[0]) if posts else None


# The reads above, compiled once per process (the inbox resolves an id for nearly every activity).
_LOCAL_POST = compiled(
    lambda id: Post.objects.filter(pk=id, author__domain="").select_related("author")[:1], ints=("id",)
)
_REMOTE_POST_ID = compiled(
    lambda uri: RemotePost.objects.filter(uri=uri).order_by("pk").values_list("post_id")[:1], strs=("uri",)
)
_POST = compiled(lambda id: Post.objects.filter(pk=id).select_related("author")[:1], ints=("id",))
