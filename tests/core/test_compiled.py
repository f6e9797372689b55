"""``spool.core.compiled``'s model instances and string placeholders (the token lookup every API request
makes): the same instances the queryset gives, relations attached, in one query."""

from __future__ import annotations

from typing import Any

from spool.core.compiled import compiled
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
