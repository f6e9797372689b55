"""A real feature behind a flag, end to end: Dear Algo requests (web settings page, native API, posts that
start "Dear Algo"), with the visitor's country from the configured trusted header."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory, TestCase

from spool.feeds.for_you.models import DearAlgoRequest
from spool.posts.services import create_post
from spool.rollout.country import request_country
from spool.rollout.services import save_flag

pytestmark = pytest.mark.django_db

API = "/api/spool/v1/dear-algo"


def stage(**values: object) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        save_flag("dear_algo", **values)


def ask(client, **headers: str):
    return client.post(API, json.dumps({"text": "more cycling"}), content_type="application/json", **headers)


def test_country_comes_only_from_the_configured_header(settings, monkeypatch) -> None:
    request = RequestFactory().get("/", HTTP_CF_IPCOUNTRY="de")
    assert request_country(request) is None  # no header configured: a visitor's own header decides nothing
    monkeypatch.setattr(settings.SPOOL, "country_header", "CF-IPCountry")
    assert request_country(RequestFactory().get("/", HTTP_CF_IPCOUNTRY="de")) == "DE"
    for junk in ("XX", "T1", "Germany", "", "1A"):
        assert request_country(RequestFactory().get("/", HTTP_CF_IPCOUNTRY=junk)) is None


def test_the_api_refuses_while_the_flag_is_off_for_the_person(make_account, login) -> None:
    ana, bob = make_account("ana"), make_account("bob")
    assert ask(login(ana)).status_code == 201  # on by default
    stage(enabled=True, percentage=0, account_ids=[bob.pk])
    refused = ask(login(ana))
    assert refused.status_code == 403 and refused.json()["code"] == "feature_unavailable"
    assert DearAlgoRequest.objects.filter(account=ana).count() == 1  # the refused one wrote nothing
    assert ask(login(bob)).status_code == 201


def test_regional_availability_by_the_trusted_header(make_account, login, country_header) -> None:
    ana = make_account("ana")
    stage(enabled=True, percentage=100, countries_allowed=["DE"])
    assert ask(login(ana), **{country_header: "FR"}).status_code == 403
    assert ask(login(ana)).status_code == 403  # unknown country
    assert ask(login(ana), **{country_header: "DE"}).status_code == 201
    assert DearAlgoRequest.objects.count() == 1


def test_the_web_page_hides_the_form_and_refuses_a_post(make_account, login) -> None:
    ana = make_account("ana")
    client = login(ana)
    assert 'id="id_dear_algo"' in client.get("/settings/for-you").content.decode()
    stage(enabled=False)
    page = client.get("/settings/for-you").content.decode()
    assert 'id="id_dear_algo"' not in page and "isn't available to you yet" in page
    response = client.post("/settings/for-you", {"text": "more cycling"})
    assert response.status_code == 422 and "isn't available to you yet" in response.content.decode()
    assert not DearAlgoRequest.objects.exists()


def test_a_dear_algo_post_stays_an_ordinary_post_while_the_flag_is_off(make_account) -> None:
    ana = make_account("ana")
    stage(enabled=False)
    with TestCase.captureOnCommitCallbacks(execute=True):
        post = create_post(ana, text="Dear Algo, more cycling please")
    assert post.pk and not DearAlgoRequest.objects.exists()
