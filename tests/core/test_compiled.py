"""``spool.core.compiled``'s model instances and string placeholders (the token lookup every API request
makes): the same instances the queryset gives, relations attached, in one query; and the same rows however
often a statement runs (on PostgreSQL, prepared server-side once run often enough)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from spool.core.compiled import compiled, delete_where
from spool.identities.models import Account, Follow
from spool.identities.services import register_account
from spool.oauth import scopes
from spool.oauth.models import Token
from spool.oauth.services import create_application, digest, issue_token

_BY_DIGEST = compiled(
    lambda token: Token.objects.select_related("account__user", "application").filter(token_digest=token),
    strs=("token",),
)


def test_models_are_the_querysets_instances_with_their_relations(db: None, django_assert_num_queries: Any):
    ana = register_account(
        email="ana@example.com", password="correct horse battery staple", handle="ana", client_address=None
    )
    app = create_application(name="Reader", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read write")
    issued = issue_token(app.application, ana, scopes.parse("read"))
    other = issue_token(app.application, ana, scopes.parse("write"))
    expected = Token.objects.get(pk=issued.token.pk)

    with django_assert_num_queries(1):
        [found] = _BY_DIGEST.models(token=digest(issued.access_token))
        # Relations come with the row: no query for them.
        assert found.account is not None and found.account.user.email == "ana@example.com"
        assert found.application.name == "Reader"
    assert isinstance(found, Token) and found.pk == expected.pk != other.token.pk
    for field in Token._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.account.hide_offensive_words == ana.hide_offensive_words
    assert _BY_DIGEST.models(token=digest("no such token")) == []


def _with_tokens(id: int) -> QuerySet[Account]:
    return Account.objects.filter(pk=id).annotate(
        token_count=Count("tokens"), has_tokens=Exists(Token.objects.filter(account_id=OuterRef("pk")))
    )


_WITH_TOKENS = compiled(_with_tokens, ints=("id",))


def test_models_carry_the_querysets_annotations(db: None, django_assert_num_queries: Any) -> None:
    """Annotations come as attributes of the instances, converted as the queryset converts them."""
    ana = register_account(
        email="ana@example.com", password="correct horse battery staple", handle="ana", client_address=None
    )
    app = create_application(name="Reader", redirect_uris="urn:ietf:wg:oauth:2.0:oob", scopes="read")
    issue_token(app.application, ana, scopes.parse("read"))
    with django_assert_num_queries(1):
        [found] = _WITH_TOKENS.models(id=ana.id)
    expected: Any = _with_tokens(ana.id).get()
    assert (found.token_count, found.has_tokens) == (expected.token_count, expected.has_tokens) == (1, True)
    assert found.handle == "ana"


_HANDLES = compiled(
    lambda viewer, handle: (
        Account.objects.filter(pk=viewer, handle=handle)
        .annotate(percent=RawSQL("'100%%'", ()))
        .values_list("handle", "percent", "created_at")
    ),
    ints=("viewer",),
    strs=("handle",),
)


def test_statements_give_the_querysets_rows_however_often_they_run(db: None) -> None:
    """Run past PostgreSQL's prepare threshold (native statements are then prepared server-side): the same
    rows as the queryset each time, a literal ``%`` kept, timestamps aware in UTC, and the logged SQL (what
    ``CaptureQueriesContext`` shows) carries the values."""
    ana = register_account(
        email="ana@example.com", password="correct horse battery staple", handle="ana", client_address=None
    )
    expected = [("ana", "100%", Account.objects.get(pk=ana.pk).created_at)]
    for _ in range(8):
        with CaptureQueriesContext(connection) as captured:
            rows = _HANDLES.run(viewer=ana.pk, handle="ana")
        assert [tuple(row) for row in rows] == expected
        assert rows[0][2].tzinfo is not None and rows[0][2].utcoffset() == timedelta(0)
        [query] = captured.captured_queries
        assert str(ana.pk) in query["sql"] and "100%" in query["sql"]
    assert _HANDLES.run(viewer=ana.pk, handle="bo") == []


def test_delete_where_deletes_the_matching_rows_and_refuses_models_others_refer_to(db: None) -> None:
    """``delete_where`` is ``filter(...).delete()`` in one statement: the matching rows only, their count;
    a model other rows refer to (or a delete signal watches) needs Django's collector and is refused."""
    people = [
        register_account(
            email=f"{name}@example.com",
            password="correct horse battery staple",
            handle=name,
            client_address=None,
        )
        for name in ("ana", "bo", "cy")
    ]
    ana, bo, cy = (person.pk for person in people)
    Follow.objects.bulk_create(
        [Follow(follower_id=ana, followee_id=bo), Follow(follower_id=ana, followee_id=cy)]
    )

    assert delete_where(Follow, follower_id=ana, followee_id=bo) == 1
    assert delete_where(Follow, follower_id=ana, followee_id=bo) == 0
    assert list(Follow.objects.values_list("follower_id", "followee_id")) == [(ana, cy)]
    with pytest.raises(ValueError, match="collector"):
        delete_where(Account, id=ana)
