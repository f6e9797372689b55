"""The OAuth write path and token checks. The HTTP endpoints (``/oauth/*``, ``/api/v1/apps``) are thin
layers over these functions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from spool.identities.models import Account
from spool.oauth import scopes as scope_rules
from spool.oauth.models import Application, Token


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed to the client once; only digests are kept."""

    token: Token
    access_token: str
    refresh_token: str | None


@dataclass(frozen=True)
class NewApplication:
    application: Application
    client_secret: str


def create_application(
    *,
    name: str,
    redirect_uris: str,
    scopes: str | None = None,
    website: str = "",
    owner: Account | None = None,
) -> NewApplication:
    secret = new_secret()
    application = Application.objects.create(
        name=name,
        website=website,
        redirect_uris=redirect_uris,
        scopes=scope_rules.render(scope_rules.parse(scopes)),
        client_id=secrets.token_urlsafe(32),
        client_secret_digest=digest(secret),
        owner=owner,
    )
    return NewApplication(application, secret)


@transaction.atomic
def issue_token(
    application: Application,
    account: Account | None,
    scopes: frozenset[str],
    *,
    refreshable: bool = True,
    lifetime: timedelta | None = None,
) -> IssuedToken:
    access = new_secret()
    refresh = new_secret() if refreshable and account is not None else None
    token = Token.objects.create(
        application=application,
        account=account,
        token_digest=digest(access),
        refresh_digest=digest(refresh) if refresh else None,
        scopes=scope_rules.render(scopes),
        expires_at=timezone.now() + lifetime if lifetime else None,
    )
    return IssuedToken(token, access, refresh)


def authenticate(raw: str) -> Token | None:
    """The live token behind a bearer string, with its account and application, or None. One query."""
    if not raw or len(raw) > 200:
        return None
    token = (
        Token.objects.select_related("account", "application")
        .filter(token_digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= timezone.now()):
        return None
    if token.account is not None and not token.account.is_active:
        return None
    return token


def revoke(token: Token) -> None:
    Token.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_scopes(token: Token) -> frozenset[str]:
    return frozenset(token.scopes.split())
