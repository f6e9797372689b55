"""Deactivating, reactivating and deleting an account through the accounts API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from spool.accounts.models import User
from spool.core import events as core_events
from spool.core.events import subscribe
from spool.identities import events
from spool.identities.models import Account, Block, Follow, FollowRequest, Mute
from tests.identities.people import API, PASSWORD, Person
from tests.media.samples import image_bytes


def account(person: Person) -> Account:
    return Account.objects.get(pk=person.id)


def counts(person: Person) -> tuple[int, int]:
    row = account(person)
    return row.followers_count, row.following_count


@pytest.fixture
def published() -> Iterator[list[Any]]:
    seen: list[Any] = []
    kinds = (
        events.AccountDeactivated,
        events.AccountReactivated,
        events.AccountDeleting,
        events.AccountDeleted,
    )
    for kind in kinds:
        subscribe(kind, seen.append)
    yield seen
    for kind in kinds:
        core_events._in_transaction[kind].remove(seen.append)


# --- Deactivate -----------------------------------------------------------------------------------


def test_deactivation_hides_the_profile_and_signs_out(
    person: Callable[..., Person], anon: Any, published: list[Any]
) -> None:
    ana, bea = person("ana"), person("bea")
    bea.post("ana/follow")
    response = ana.post("me/deactivate")
    assert response.status_code == 200
    assert published == [events.AccountDeactivated(account_id=ana.id)]
    # Signed out, and gone for everyone.
    assert ana.get("me").status_code == 401
    assert anon.get(API + "ana").status_code == 404
    assert bea.get("ana").status_code == 404
    assert bea.post("ana/follow").status_code == 404
    assert [a["handle"] for a in anon.get(API + "bea/following").json()["items"]] == []
    # Nothing was deleted: counters and edges stay for when ana comes back.
    assert counts(ana) == (1, 0)
    assert User.objects.get(email=ana.email).deactivated_at is not None


def test_deactivated_posts_are_hidden(person: Callable[..., Person]) -> None:
    from spool.posts.models import Post
    from spool.posts.services import create_post

    ana, bea = person("ana"), person("bea")
    post = create_post(account(ana), text="Hello from Ana")
    viewer = account(bea)
    assert Post.objects.visible_to(viewer).filter(pk=post.pk).exists()
    ana.post("me/deactivate")
    assert not Post.objects.visible_to(viewer).filter(pk=post.pk).exists()
    assert not Post.objects.visible_to(None).filter(pk=post.pk).exists()


def test_signing_in_again_reactivates(person: Callable[..., Person], anon: Any, published: list[Any]) -> None:
    ana = person("ana")
    ana.post("me/deactivate")
    assert anon.get(API + "ana").status_code == 404
    # Whatever view signs a person in, Django's login signal brings the profile back.
    assert ana.client.login(email="ana@example.com", password=PASSWORD)
    assert published[-1] == events.AccountReactivated(account_id=ana.id)
    assert anon.get(API + "ana").status_code == 200
    assert ana.me()["is_active"] is True
    assert User.objects.get(email=ana.email).deactivated_at is None


def test_authenticate_account_reactivates(person: Callable[..., Person]) -> None:
    from spool.identities.services import authenticate_account

    ana = person("ana")
    ana.post("me/deactivate")
    assert authenticate_account("ana@example.com", "wrong") is None
    assert not account(ana).is_active
    assert authenticate_account("ana@example.com", PASSWORD).is_active
    assert account(ana).is_active


def test_deactivated_accounts_cannot_write(person: Callable[..., Person]) -> None:
    from spool.core.errors import Forbidden
    from spool.identities.services import deactivate_account, follow_account, update_profile

    ana, bea = person("ana"), person("bea")
    deactivate_account(account(ana))
    with pytest.raises(Forbidden):
        update_profile(account(ana), bio="still here")
    with pytest.raises(Forbidden):
        follow_account(account(ana), account(bea))


def test_explicit_reactivation(person: Callable[..., Person], anon: Any) -> None:
    from spool.identities.services import deactivate_account

    ana = person("ana")
    deactivate_account(account(ana))  # e.g. from the settings page, which keeps the session
    assert ana.get("me").status_code == 403
    assert ana.get("me").json()["code"] == "deactivated"
    response = ana.post("me/reactivate")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert anon.get(API + "ana").status_code == 200


# --- Delete ---------------------------------------------------------------------------------------


def test_delete_needs_the_password_and_changes_nothing_without_it(person: Callable[..., Person]) -> None:
    ana = person("ana")
    response = ana.post("me/delete", {"password": "not my password"})
    assert response.status_code == 403
    assert response.json()["field"] == "password"
    response = ana.post("me/delete", {})
    assert response.status_code == 422
    assert Account.objects.filter(pk=ana.id).exists()
    assert User.objects.filter(email=ana.email).exists()


def test_delete_removes_everything_and_keeps_others_counters_exact(
    person: Callable[..., Person], anon: Any, published: list[Any]
) -> None:
    ana, bea, cy, dee = person("ana"), person("bea"), person("cy"), person("dee")
    dee.patch("me", {"is_private": True})
    ana.post("bea/follow")
    ana.post("cy/follow")
    bea.post("ana/follow")
    ana.post("dee/follow")  # a pending request
    ana.post("cy/mute")
    cy.post("ana/block")
    assert counts(bea) == (1, 1)
    assert counts(cy) == (0, 0)  # cy's block removed ana's follow
    ana.client.post(API + "me/avatar", {"avatar": SimpleUploadedFile("a.png", image_bytes("PNG"))})
    avatar = account(ana).avatar.name
    assert default_storage.exists(avatar)

    response = ana.post("me/delete", {"password": PASSWORD})
    assert response.status_code == 200, response.content

    assert not Account.objects.filter(pk=ana.id).exists()
    assert not User.objects.filter(email=ana.email).exists()
    assert not Follow.objects.filter(follower_id=ana.id).exists()
    assert not Follow.objects.filter(followee_id=ana.id).exists()
    assert not FollowRequest.objects.exists()
    assert not Block.objects.exists()
    assert not Mute.objects.exists()
    assert counts(bea) == (0, 0)
    assert counts(cy) == (0, 0)
    assert counts(dee) == (0, 0)
    assert not default_storage.exists(avatar)
    assert anon.get(API + "ana").status_code == 404
    assert ana.get("me").status_code == 401
    assert published == [events.AccountDeleting(account_id=ana.id), events.AccountDeleted(account_id=ana.id)]
    # The handle and the email are free again.
    again = person("ana")
    assert again.id != ana.id


def test_delete_removes_posts_likes_reposts_and_media_files(person: Callable[..., Person]) -> None:
    from spool.posts.models import Like, Media, Post, Repost
    from spool.posts.services import create_post, like_post, repost_post, upload_media

    ana, bea = person("ana"), person("bea")
    media = upload_media(
        account(ana), SimpleUploadedFile("p.png", image_bytes("PNG")), alt_text="A red square"
    )
    own = create_post(account(ana), text="Mine", media_ids=[media.id])
    theirs = create_post(account(bea), text="Bea's")
    like_post(account(ana), theirs.id)
    repost_post(account(ana), theirs.id)
    like_post(account(bea), own.id)
    assert default_storage.exists(media.file.name)

    assert ana.post("me/delete", {"password": PASSWORD}).status_code == 200

    assert not Post.objects.filter(author_id=ana.id).exists()
    assert not Media.objects.filter(owner_id=ana.id).exists()
    assert not Like.objects.filter(account_id=ana.id).exists()
    assert not Repost.objects.filter(account_id=ana.id).exists()
    assert not Like.objects.filter(post_id=own.id).exists()
    assert not default_storage.exists(media.file.name)
    assert Post.objects.filter(pk=theirs.pk).exists()


def test_delete_keeps_counters_of_other_peoples_posts_exact(person: Callable[..., Person]) -> None:
    from spool.posts.models import Post
    from spool.posts.services import create_post, like_post, repost_post

    ana, bea, cy = person("ana"), person("bea"), person("cy")
    theirs = create_post(account(bea), text="Bea's")
    like_post(account(ana), theirs.id)
    like_post(account(cy), theirs.id)
    repost_post(account(ana), theirs.id)
    create_post(account(ana), text="A reply", reply_to_id=theirs.id)
    before = Post.objects.get(pk=theirs.pk)
    assert (before.likes_count, before.reposts_count, before.replies_count) == (2, 1, 1)

    assert ana.post("me/delete", {"password": PASSWORD}).status_code == 200

    after = Post.objects.get(pk=theirs.pk)
    assert (after.likes_count, after.reposts_count, after.replies_count) == (1, 0, 0)
