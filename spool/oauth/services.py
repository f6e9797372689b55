"""The OAuth write path and token checks. The HTTP endpoints (``/oauth/*``, ``/api/v1/apps``) and the consent
page are thin layers over these functions.

Applications register themselves (:func:`create_application`); a person approves one on the consent page
(:func:`authorize` makes a ten-minute, single-use code); the app exchanges the code (:func:`exchange_code`,
with PKCE), refreshes (:func:`refresh`) or asks for an app-only token (:func:`issue_app_token`). Every
token descends from a grant, so a replayed code or a reused refresh token revokes the whole family."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from spool.core.compiled import compiled
from spool.core.errors import ValidationError
from spool.core.ratelimit import Limit, hit
from spool.identities.models import Account
from spool.oauth import credentials, pkce, redirects
from spool.oauth import scopes as scope_rules
from spool.oauth.errors import OAuthError, invalid_client, invalid_grant, invalid_request
from spool.oauth.models import Application, Grant, Token

APP_NAME_MAX = 60
WEBSITE_MAX = 2000
STATE_MAX = 2000
CODE_LIFETIME = timedelta(minutes=10)
APP_REGISTRATION_LIMIT = Limit("app registrations", 30, timedelta(hours=1))


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


# --- Applications ----------------------------------------------------------------------------------------


def create_application(
    *,
    name: str,
    redirect_uris: str | list[str],
    scopes: str | None = None,
    website: str | None = "",
    owner: Account | None = None,
    client_address: str | None = None,
) -> NewApplication:
    """Register a client. Checks the name (1 to 60 characters), each redirect URI (see
    :mod:`spool.oauth.redirects`), the scopes (known ones; default ``read``) and the website (an http(s) URL
    or nothing). Counts against ``APP_REGISTRATION_LIMIT`` per ``client_address`` when given."""
    if client_address is not None:
        hit(APP_REGISTRATION_LIMIT, f"ip:{client_address}")
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationError("Application name can't be blank.", code="blank", field="client_name")
    if len(name) > APP_NAME_MAX:
        raise ValidationError(
            f"Application name is longer than {APP_NAME_MAX} characters.",
            code="too_long",
            field="client_name",
        )
    uris = redirects.clean_redirect_uris(redirect_uris)
    granted = scope_rules.parse(scopes if isinstance(scopes, str) else None)
    website = _clean_website(website)
    secret = new_secret()
    application = Application.objects.create(
        name=name,
        website=website,
        redirect_uris="\n".join(uris),
        scopes=scope_rules.render(granted),
        client_id=secrets.token_urlsafe(32),
        client_secret_digest=digest(secret),
        owner=owner,
    )
    return NewApplication(application, secret)


def _clean_website(website: str | None) -> str:
    value = (website or "").strip() if isinstance(website, str | None) else ""
    if not value:
        return ""
    parts = urlsplit(value)
    if len(value) > WEBSITE_MAX or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Website must be an http(s) URL.", code="invalid_website", field="website")
    return value


def authenticate_client(client_id: str | None, client_secret: str | None) -> Application:
    """The application these credentials belong to; ``invalid_client`` (401) otherwise."""
    if not client_id or not client_secret or len(client_id) > 200 or len(client_secret) > 200:
        raise invalid_client()
    application = Application.objects.filter(client_id=client_id).first()
    if application is None or not hmac.compare_digest(
        application.client_secret_digest, digest(client_secret)
    ):
        raise invalid_client()
    return application


# --- The authorization request and its code --------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked ``/oauth/authorize`` request, ready for the consent page."""

    application: Application
    redirect_uri: str
    scopes: frozenset[str]
    state: str
    code_challenge: str
    code_challenge_method: str

    @property
    def out_of_band(self) -> bool:
        return self.redirect_uri == redirects.OOB


def authorization_client(client_id: str | None, redirect_uri: str | None) -> tuple[Application, str]:
    """The application and the redirect URI of an authorization request. Failures here must be shown to the
    person, never redirected (RFC 6749 §4.1.2.1): the URI is not known to be the app's."""
    application = Application.objects.filter(client_id=client_id or "").first() if client_id else None
    if application is None:
        raise OAuthError("invalid_client", "This application is not known here.", status=400)
    registered = application.redirect_uri_list
    if not redirect_uri and len(registered) == 1:
        return application, registered[0]
    if not redirect_uri or redirect_uri not in registered:
        raise OAuthError(
            "invalid_redirect_uri",
            "The redirect URI is not one the application registered.",
            status=400,
        )
    return application, redirect_uri


def authorization_request(
    application: Application, redirect_uri: str, params: Mapping[str, str]
) -> AuthorizationRequest:
    """Check the rest of the request (response type, scopes within the app's, PKCE). Failures here are sent
    back to the app's redirect URI with ``error=…``."""
    if params.get("response_type") != "code":
        raise OAuthError("unsupported_response_type", "Only response_type=code is supported.")
    try:
        wanted = scope_rules.parse(params.get("scope"), allowed=scope_rules.parse(application.scopes))
    except ValidationError as exc:
        raise OAuthError("invalid_scope", exc.message) from None
    challenge = params.get("code_challenge") or ""
    method = params.get("code_challenge_method") or ("plain" if challenge else "")
    if challenge and (method not in pkce.METHODS or not pkce.well_formed(challenge)):
        raise invalid_request("The PKCE code challenge or its method is not valid (use S256).")
    if method and not challenge:
        raise invalid_request("code_challenge_method was given without a code_challenge.")
    state = params.get("state") or ""
    if len(state) > STATE_MAX:
        raise invalid_request(f"state is longer than {STATE_MAX} characters.")
    return AuthorizationRequest(application, redirect_uri, wanted, state, challenge, method)


def authorize(account: Account, request: AuthorizationRequest) -> str:
    """The person approved ``request``: a single-use code, valid for ten minutes."""
    if not account.is_active:
        raise OAuthError("access_denied", "This profile is deactivated.")
    code = new_secret()
    Grant.objects.create(
        application=request.application,
        account=account,
        code_digest=digest(code),
        redirect_uri=request.redirect_uri,
        scopes=scope_rules.render(request.scopes),
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    return code


# --- Tokens ---------------------------------------------------------------------------------------------


def _password_stamp(account: Account | None) -> str:
    user = account.user if account is not None and account.user_id else None
    if user is None:
        return ""
    return salted_hmac("spool.oauth.password", user.password, algorithm="sha256").hexdigest()[:32]


@transaction.atomic
def issue_token(
    application: Application,
    account: Account | None,
    scopes: frozenset[str],
    *,
    refreshable: bool = True,
    lifetime: timedelta | None = None,
    grant: Grant | None = None,
) -> IssuedToken:
    access = new_secret()
    refresh = new_secret() if refreshable and account is not None else None
    token = Token.objects.create(
        application=application,
        account=account,
        grant=grant,
        token_digest=digest(access),
        refresh_digest=digest(refresh) if refresh else None,
        scopes=scope_rules.render(scopes),
        password_stamp=_password_stamp(account),
        expires_at=timezone.now() + lifetime if lifetime else None,
    )
    return IssuedToken(token, access, refresh)


def exchange_code(
    application: Application, *, code: str | None, redirect_uri: str | None, code_verifier: str | None
) -> IssuedToken:
    """Trade an authorization code for a token. The code must be the app's, unexpired, unused, and given with
    the redirect URI it was issued for and (when the request carried a PKCE challenge) the matching
    verifier. A code used twice is refused and every token issued from it is revoked (RFC 6749 §4.1.2)."""
    if not code or not redirect_uri:
        raise invalid_request("code and redirect_uri are required.")
    grant = (
        Grant.objects.select_related("account")
        .filter(code_digest=digest(code[:200]), application=application)
        .first()
    )
    if grant is None:
        raise invalid_grant()
    now = timezone.now()
    if grant.used_at is not None:
        revoke_family(grant)
        raise invalid_grant("The authorization code was already used; the tokens it gave are revoked.")
    if grant.expires_at <= now or grant.redirect_uri != redirect_uri or not grant.account.is_active:
        raise invalid_grant()
    if grant.code_challenge and not pkce.verify(
        grant.code_challenge, grant.code_challenge_method, code_verifier or ""
    ):
        raise invalid_grant("The PKCE code verifier does not match the challenge.")
    with transaction.atomic():
        # Claiming the code is one conditional UPDATE, so two concurrent exchanges cannot both win.
        if not Grant.objects.filter(pk=grant.pk, used_at__isnull=True).update(used_at=now):
            revoke_family(grant)
            raise invalid_grant("The authorization code was already used; the tokens it gave are revoked.")
        return issue_token(application, grant.account, frozenset(grant.scopes.split()), grant=grant)


def issue_app_token(application: Application, scope: str | None) -> IssuedToken:
    """A client-credentials token: the app acting as itself, no person, no refresh token."""
    try:
        wanted = scope_rules.parse(scope, allowed=scope_rules.parse(application.scopes))
    except ValidationError as exc:
        raise OAuthError("invalid_scope", exc.message) from None
    return issue_token(application, None, wanted, refreshable=False)


def refresh(application: Application, *, refresh_token: str | None, scope: str | None) -> IssuedToken:
    """A new token (and refresh token) for a live refresh token of this app; the old pair stops working. A
    refresh token presented again after its rotation revokes its whole family (it may have been stolen).
    ``scope`` may narrow the scopes, never widen them."""
    if not refresh_token:
        raise invalid_request("refresh_token is required.")
    old = (
        Token.objects.select_related("account__user", "grant")
        .filter(refresh_digest=digest(refresh_token[:200]), application=application)
        .first()
    )
    if old is None or old.account is None:
        raise invalid_grant()
    if old.revoked_at is not None:
        if old.grant is not None:
            revoke_family(old.grant)
        raise invalid_grant("The refresh token was already used or revoked.")
    if not _live(old, timezone.now()):
        raise invalid_grant()
    held = frozenset(old.scopes.split())
    try:
        wanted = scope_rules.parse(scope, allowed=held) if scope else held
    except ValidationError as exc:
        raise OAuthError("invalid_scope", exc.message) from None
    with transaction.atomic():
        if not _revoke(Token.objects.filter(pk=old.pk)):
            raise invalid_grant("The refresh token was already used or revoked.")
        return issue_token(application, old.account, wanted, grant=old.grant)


def authenticate(raw: str) -> Token | None:
    """The live token behind a bearer string, with its account and application, or None. One query."""
    if not raw or len(raw) > 200:
        return None
    found = _LIVE_TOKEN.models(digest=digest(raw))
    token = found[0] if found else None
    if not isinstance(token, Token) or not _live(token, timezone.now()):
        return None
    return token


def credential(raw: str, prefetched: credentials.Prefetch | None = None) -> credentials.Credential | None:
    """What the live token behind a bearer string stands for, or None: :func:`authenticate` without model
    instances, remembered between requests (:mod:`spool.oauth.credentials`; no query when remembered).
    ``prefetched``: the remembered entry, already read for this digest in another round trip."""
    if not raw or len(raw) > 200:
        return None
    # The rate-limit middleware hashed this bearer string already (spool.api.mastodon.middleware).
    hashed = prefetched.digest if prefetched is not None and prefetched.secret == raw else digest(raw)
    if prefetched is not None and prefetched.result is not None and prefetched.digest == hashed:
        found, generation = prefetched.result
    else:
        found, generation = credentials.lookup(hashed)
    if found is not None:
        return found
    token = authenticate(raw)
    if token is None:
        return None
    found = credentials.Credential(
        token_id=token.pk,
        account_id=token.account_id,
        application_id=token.application_id,
        scopes=token_scopes(token),
        expires_at=token.expires_at.timestamp() if token.expires_at is not None else None,
    )
    credentials.remember(hashed, found, generation)
    return found


@dataclass(frozen=True, slots=True)
class Bearer:
    """A live bearer token's remembered credential and the person it acts for (None for an app token)."""

    credential: credentials.Credential
    account: Account | None

    @property
    def account_id(self) -> int | None:
        return self.credential.account_id


def bearer(raw: str) -> Bearer | None:
    """:func:`credential` with the person's account (one precompiled query by ID; none for an app token), or
    None when the token is not live or its account is gone. What ends a token (revocation, a password
    change, deactivation, suspension, deletion) is seen on the very next call, as for :func:`credential`."""
    found = credential(raw)
    if found is None:
        return None
    if found.account_id is None:
        return Bearer(found, None)
    account = person(found)
    return Bearer(found, account) if account is not None else None


def person(found: credentials.Credential) -> Account | None:
    """The account of a person's credential, with its user, or None (deleted since it was remembered)."""
    accounts = _ACCOUNT.models(id=found.account_id)
    return accounts[0] if accounts else None  # type: ignore[return-value]


_ACCOUNT = compiled(lambda id: Account.objects.select_related("user").filter(pk=id)[:1], ints=("id",))

# Every API request authenticates, so the statement is compiled once per process (spool.core.compiled):
# the same query, without Django turning the queryset into SQL each time. Nothing is cached between
# requests, so a revoked token or a deactivated person is refused on the very next request.
_LIVE_TOKEN = compiled(
    lambda digest: Token.objects.select_related("account__user", "application").filter(
        token_digest=digest, revoked_at__isnull=True
    )[:1],
    strs=("digest",),
)


def _live(token: Token, now: datetime) -> bool:
    """Unexpired, of an active person (or of no person), issued since the last password change."""
    if token.expires_at is not None and token.expires_at <= now:
        return False
    if token.account is None:
        return True
    return token.account.is_active and hmac.compare_digest(
        token.password_stamp, _password_stamp(token.account)
    )


def token_scopes(token: Token) -> frozenset[str]:
    return frozenset(token.scopes.split())


# --- Revocation -------------------------------------------------------------------------------------------


def _revoke(tokens: QuerySet[Token]) -> int:
    """Revoke the live tokens among ``tokens``; remembered credentials start afresh (see
    :mod:`spool.oauth.credentials`)."""
    revoked = tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        credentials.forget_all()
    return revoked


def revoke(token: Token) -> None:
    _revoke(Token.objects.filter(pk=token.pk))


def revoke_family(grant: Grant) -> int:
    """Revoke every token descending from ``grant`` (its code's token and all refreshes of it)."""
    return _revoke(Token.objects.filter(grant=grant))


def revoke_by_client(application: Application, raw: str | None) -> None:
    """RFC 7009: revoke the access or refresh token ``raw`` of this app. Unknown tokens are not an error; a
    token of another app is (``unauthorized_client``, 403)."""
    if not raw or len(raw) > 200:
        return
    hashed = digest(raw)
    token = Token.objects.filter(Q(token_digest=hashed) | Q(refresh_digest=hashed)).first()
    if token is None:
        return
    if token.application_id != application.pk:
        raise OAuthError("unauthorized_client", "You are not authorized to revoke this token.", status=403)
    revoke(token)


def revoke_account_tokens(account_id: int) -> int:
    """Revoke every token of a person (deactivation, or any reason to sign out every app)."""
    return _revoke(Token.objects.filter(account_id=account_id))


def revoke_authorization(account: Account, application_id: int) -> int:
    """Sign ``application`` out of ``account``: all its tokens for that person, and unused codes."""
    with transaction.atomic():
        Grant.objects.filter(account=account, application_id=application_id, used_at__isnull=True).delete()
        return _revoke(Token.objects.filter(account=account, application_id=application_id))


@dataclass(frozen=True)
class Authorization:
    """An app a person has let in: the union of its live tokens' scopes."""

    application: Application
    scopes: frozenset[str]
    authorized_at: datetime
    tokens: int


def authorized_applications(account: Account) -> list[Authorization]:
    """The apps holding live tokens for ``account``, most recently authorized first. One query."""
    live = (
        Token.objects.filter(
            account=account, revoked_at__isnull=True, password_stamp=_password_stamp(account)
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .select_related("application")
        .order_by("-id")
    )
    found: dict[int, Authorization] = {}
    for token in live:
        seen = found.get(token.application_id)
        scopes = token_scopes(token) | (seen.scopes if seen else frozenset())
        authorized_at = seen.authorized_at if seen else token.created_at
        found[token.application_id] = Authorization(
            token.application, scopes, authorized_at, (seen.tokens if seen else 0) + 1
        )
    return list(found.values())


def purge_expired_codes() -> int:
    """Delete codes that expired unused. Used codes stay: they tie a token family together (for replay and
    refresh-reuse revocation)."""
    deleted, _ = Grant.objects.filter(used_at__isnull=True, expires_at__lt=timezone.now()).delete()
    return deleted
