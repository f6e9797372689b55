"""Mapping between Spool rows and ActivityPub ids, both ways, for local and remote things alike."""

from __future__ import annotations

from typing import Any, cast

from spool.core.compiled import compiled
from spool.federation import ids
from spool.federation.models import RemoteActor, RemotePost
from spool.federation.remembered import absent, known_absent, recall, remember, remembered
from spool.identities.models import Account
from spool.posts.access import SeenPost, read_visible_post
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


def seen_post_for_uri(viewer: Account, uri: str) -> SeenPost | Post | None:
    """:func:`post_for_uri` for what ``viewer`` does to the post (a like, a repost, their undoing): read now,
    it is checked for ``viewer`` in the same statement and comes back as a :class:`SeenPost`, which
    ``access_post`` takes without a check of its own; remembered from earlier in the batch, the post as
    it is (the service checks it). ``None`` when we do not hold it *or* ``viewer`` may not see it: the
    caller then asks :func:`post_for_uri`, which tells the two apart (the outcome says which), as before."""
    key = ("post", uri)
    if known_absent(key):
        return None
    held = recall(key)
    if held is not None:
        return cast(Post, held)
    local_id = ids.local_post_id(uri)
    if local_id is None:
        found = _REMOTE_POST_ID.run(uri=uri)
        if not found:
            absent({key})  # not looked for again (an Announce fetches it), as note_new_posts does
            return None
        post_id = found[0][0]
    else:
        post_id = local_id
    seen = read_visible_post(viewer, post_id)
    if seen is None or (local_id is not None and not seen.post.author.is_local):
        return None  # as _LOCAL_POST: one of our ids names a post by one of our people
    remember(key, seen.post)
    return seen


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
