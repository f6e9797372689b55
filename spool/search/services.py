"""Writing the search index. Called by the indexing task after a post's transaction commits (never inside a
request's transaction), by the ``rebuild_search_index`` command, and by the benchmark.

Every function is idempotent: indexing a post twice leaves one entry, indexing a deleted post removes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from spool.posts.models import Media, Post
from spool.search.backends import get_backend

REBUILD_BATCH = 2000


def document_text(post: Post, alt_texts: Iterable[str] = ()) -> str:
    """The words a post is found by: its text, its text attachment, its topic's name and its images' alt
    texts (one per line)."""
    topic = post.topic.display if post.topic_id and post.topic else ""
    return _document(post.text, post.attachment_text, topic, *alt_texts)


def _document(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def index_post(post_id: int) -> bool:
    """Bring the index entry of ``post_id`` up to date: (re)write it from the post as stored now, or remove it
    when the post is gone. Returns whether the post is indexed afterwards. Visibility is not indexed (it is
    applied when searching), so a post becoming private, archived or hidden needs nothing here."""
    post = Post.objects.select_related("topic").filter(pk=post_id).first()
    backend = get_backend()
    if post is None:
        backend.remove([post_id])
        return False
    alts = Media.objects.filter(post_id=post_id).exclude(alt_text="").order_by("position")
    backend.upsert(post.id, document_text(post, alts.values_list("alt_text", flat=True)))
    return True


def index_posts(post_ids: Iterable[int]) -> int:
    """:func:`index_post` for many posts at once (an inbox batch's new posts): two reads and one write
    however many there are. Returns how many are indexed afterwards."""
    wanted = list(dict.fromkeys(post_ids))
    # The columns :func:`document_text` reads, not whole posts: building the models cost more than the rest.
    rows = list(
        Post.objects.filter(pk__in=wanted)
        .order_by("id")
        .values_list("id", "text", "attachment_text", "topic__display")
    )
    found = [row[0] for row in rows]
    backend = get_backend()
    backend.remove(sorted(set(wanted) - set(found)))
    alts = _alt_texts(found)
    backend.upsert_many([(post_id, _document(*texts, *alts.get(post_id, ()))) for post_id, *texts in rows])
    return len(rows)


def _alt_texts(post_ids: list[int]) -> dict[int, list[str]]:
    """The images' alt texts of ``post_ids``, in order, by post (one query)."""
    alts: dict[int, list[str]] = {}
    for post_id, alt in (
        Media.objects.filter(post_id__in=post_ids)
        .exclude(alt_text="")
        .order_by("post_id", "position")
        .values_list("post_id", "alt_text")
    ):
        alts.setdefault(post_id, []).append(alt)
    return alts


def remove_post_from_index(post_id: int) -> None:
    """Forget ``post_id`` (a deleted post)."""
    get_backend().remove([post_id])


def rebuild_search_index() -> int:
    """Empty the index and index every post again, in batches of ``REBUILD_BATCH``. Returns the number of
    posts indexed. For repairs and after restoring a database; ordinary writes keep the index current."""
    backend = get_backend()
    backend.clear()
    total = 0
    after = 0
    while True:
        posts = list(Post.objects.select_related("topic").filter(id__gt=after).order_by("id")[:REBUILD_BATCH])
        if not posts:
            return total
        alts = _alt_texts([p.id for p in posts])
        backend.bulk_insert((p.id, document_text(p, alts.get(p.id, ()))) for p in posts)
        total += len(posts)
        after = posts[-1].id
