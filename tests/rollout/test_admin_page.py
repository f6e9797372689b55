"""The rollout flags page: admins only (everyone else gets the 404 page and changes nothing), creating and
editing flags by handle and country, refusals beside their field, and an audit entry per change."""

from __future__ import annotations

import pytest

from spool.moderation.models import AuditEntry
from spool.rollout.evaluate import is_enabled
from spool.rollout.models import Flag

pytestmark = pytest.mark.django_db

FORM = {
    "name": "new_composer",
    "description": "The new composer",
    "enabled": "on",
    "percentage": "25",
    "handles": "@ana",
    "countries_allowed": "de, at",
    "countries_denied": "",
}


def test_only_admins_see_or_change_flags(make_account, login, moderator, admin, anon) -> None:
    ana = make_account("ana")
    assert anon.get("/moderation/flags").status_code == 302  # to the sign-in page
    for person in (ana, moderator):
        client = login(person)
        assert client.get("/moderation/flags").status_code == 404
        assert client.get("/moderation/flags/dear_algo").status_code == 404
        assert client.post("/moderation/flags", FORM).status_code == 404
        assert client.post("/moderation/flags/dear_algo", {**FORM, "percentage": "0"}).status_code == 404
    assert "Rollout flags" not in login(moderator).get("/moderation/log").content.decode()
    assert not Flag.objects.exists() and not AuditEntry.objects.filter(verb="rollout").exists()
    page = login(admin).get("/moderation/flags")
    assert page.status_code == 200
    assert "dear_algo" in page.content.decode() and "Rollout flags" in page.content.decode()


def test_an_admin_creates_and_edits_a_flag_and_each_change_is_audited(make_account, login, admin) -> None:
    ana = make_account("ana")
    client = login(admin)
    response = client.post("/moderation/flags", FORM)
    assert response.status_code == 302 and response["Location"] == "/moderation/flags/new_composer"
    flag = Flag.objects.get(name="new_composer")
    assert (flag.enabled, flag.percentage, flag.account_ids) == (True, 25, [ana.pk])
    assert (flag.countries_allowed, flag.countries_denied) == (["AT", "DE"], [])
    assert is_enabled("new_composer", ana, "DE") and not is_enabled("new_composer", ana, "FR")
    page = client.get("/moderation/flags/new_composer").content.decode()
    assert "@ana" in page and 'value="AT DE"' in page
    # Edit: everyone, everywhere but France.
    edit = {**FORM, "percentage": "100", "countries_allowed": "", "countries_denied": "FR"}
    assert client.post("/moderation/flags/new_composer", edit).status_code == 302
    assert is_enabled("new_composer", 12345, None) and not is_enabled("new_composer", 12345, "FR")
    # Saving the same again changes nothing and records nothing.
    client.post("/moderation/flags/new_composer", edit)
    entries = list(AuditEntry.objects.filter(verb="rollout").order_by("id"))
    assert len(entries) == 2
    assert all(
        (e.actor_label, e.target_type, e.target_label) == ("@boss", "flag", "new_composer") for e in entries
    )
    assert entries[1].data["changes"]["percentage"] == [25, 100]
    assert entries[1].data["changes"]["countries_denied"] == [[], ["FR"]]
    assert "rollout" in client.get("/moderation/log").content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"percentage": "101"}, "percentage"),
        ({"percentage": "ten"}, "percentage"),
        ({"handles": "@nobody_here"}, "accounts"),
        ({"countries_allowed": "Germany"}, "countries_allowed"),
        ({"countries_allowed": "FR", "countries_denied": "FR"}, "countries_denied"),
        ({"name": "Not A Slug!"}, "name"),
        ({"description": "x" * 201}, "description"),
    ],
)
def test_invalid_input_is_refused_beside_its_field_and_nothing_is_written(
    login, admin, make_account, change, field
) -> None:
    make_account("ana")
    response = login(admin).post("/moderation/flags", {**FORM, **change})
    assert response.status_code == 422
    assert f"{field}: " in response.content.decode()
    assert not Flag.objects.exists() and not AuditEntry.objects.filter(verb="rollout").exists()


def test_unknown_flag_pages_are_404(login, admin) -> None:
    assert login(admin).get("/moderation/flags/no_such_flag").status_code == 404
