"""Profile and account settings, follow requests and the Activity page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from spool.identities.models import Account, Follow, FollowRequest
from spool.identities.services import follow_account
from tests.web.conftest import PASSWORD, body

pytestmark = pytest.mark.django_db


def png(size: int = 64) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 40, 40)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "face.png"
    return buffer


def profile_form(**change: object) -> dict[str, object]:
    data: dict[str, object] = {"display_name": "Ada L.", "bio": "Counting engines."}
    data["link_1"] = "example.com/ada"
    data.update(change)
    return data


def test_settings_need_sign_in(anon):
    for url in ("/settings/profile", "/settings/account", "/follow-requests", "/notifications"):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login?next=")


def test_edit_profile(login, make_account):
    ada = make_account("ada")
    c = login(ada)
    page = body(c.get("/settings/profile"))
    assert 'name="display_name"' in page and 'name="bio"' in page and 'name="link_5"' in page
    response = c.post("/settings/profile", profile_form(is_private="on"))
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.display_name == "Ada L." and ada.bio == "Counting engines." and ada.is_private
    assert ada.links == [{"url": "https://example.com/ada", "title": ""}]
    assert "Profile saved." in body(c.get("/settings/profile"))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"bio": "x" * 151}, "bio", "150"),
        ({"display_name": "x" * 51}, "display_name", "50"),
        ({"link_2": "javascript:alert(1)"}, "link_2", "valid web address"),
        ({"link_2": "example.com/ada"}, "link_2", "twice"),
    ],
)
def test_edit_profile_bad_input_changes_nothing(login, make_account, change, field, message):
    ada = make_account("ada", display_name="Ada")
    c = login(ada)
    response = c.post("/settings/profile", profile_form(**change))
    assert response.status_code == 422
    page = body(response)
    assert f'id="id_{field}_error"' in page and message in page
    ada.refresh_from_db()
    assert ada.display_name == "Ada" and ada.bio == "" and ada.links == []


def test_bio_of_150_characters_is_fine(login, make_account):
    ada = make_account("ada")
    assert login(ada).post("/settings/profile", profile_form(bio="x" * 150)).status_code == 302
    ada.refresh_from_db()
    assert len(ada.bio) == 150


def test_avatar_upload_and_refusal(login, make_account):
    ada = make_account("ada")
    c = login(ada)
    assert c.post("/settings/profile", {**profile_form(), "avatar": png()}).status_code == 302
    ada.refresh_from_db()
    assert ada.avatar
    assert ada.avatar.url in body(c.get("/settings/profile"))
    old = ada.avatar.name
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    fake.name = "face.png"
    response = c.post("/settings/profile", {**profile_form(bio="new bio"), "avatar": fake})
    assert response.status_code == 422
    assert 'id="id_avatar_error"' in body(response)
    ada.refresh_from_db()
    # Nothing from the refused form is kept: neither the avatar nor the other fields.
    assert ada.avatar.name == old and ada.bio == "Counting engines."
    assert c.post("/settings/profile", profile_form(remove_avatar="on")).status_code == 302
    ada.refresh_from_db()
    assert not ada.avatar


def test_deactivate_hides_profile_until_sign_in(login, make_account, anon):
    ada = make_account("ada")
    c = login(ada)
    response = c.post("/settings/account/deactivate")
    assert response.status_code == 302
    ada.refresh_from_db()
    assert not ada.is_active
    assert anon.get("/@ada").status_code == 404


def test_delete_needs_the_password(login, make_account):
    ada = make_account("ada")
    c = login(ada)
    response = c.post("/settings/account/delete", {"password": "not my password"})
    assert response.status_code == 422
    assert "The password is not correct." in body(response)
    assert Account.objects.filter(handle="ada").exists()
    response = c.post("/settings/account/delete", {"password": PASSWORD})
    assert response.status_code == 302
    assert not Account.objects.filter(handle="ada").exists()


def test_follow_requests_approve_and_decline(login, make_account):
    ada = make_account("ada", private=True)
    bob, cy = make_account("bob"), make_account("cy")
    follow_account(bob, ada)
    follow_account(cy, ada)
    c = login(ada)
    page = body(c.get("/follow-requests"))
    assert "@bob" in page and "@cy" in page
    assert c.post("/follow-requests/@bob", {"decision": "approve"}).status_code == 302
    assert c.post("/follow-requests/@cy", {"decision": "decline"}).status_code == 302
    assert Follow.objects.filter(follower=bob, followee=ada).exists()
    assert not Follow.objects.filter(follower=cy, followee=ada).exists()
    assert not FollowRequest.objects.exists()
    assert "No pending follow requests." in body(c.get("/follow-requests"))
    # Answering a request that does not exist is refused and changes nothing.
    assert c.post("/follow-requests/@cy", {"decision": "approve"}).status_code == 404
    assert not Follow.objects.filter(follower=cy, followee=ada).exists()


def test_notifications_badge_list_and_mark_read(login, make_account):
    ada, bob = make_account("ada"), make_account("bob")
    c = login(ada)
    assert 'class="badge"' not in body(c.get("/notifications"))
    login(bob).post("/@ada/relationship", {"action": "follow"})
    page = body(c.get("/notifications"))
    assert 'class="badge"' in page
    assert "started following you" in page and 'class="list-item unread"' in page
    assert c.post("/notifications/read").status_code == 302
    page = body(c.get("/notifications"))
    assert 'class="badge"' not in page and "unread" not in page.split("<main", 1)[1]
