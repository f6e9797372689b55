"""An OAuth client and a person's browser, driven over real HTTP the way Mastodon apps and people do it:
register, open the consent page, sign in, press a button, follow the redirect, trade the code."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from conftest import CommitClient
from spool.identities.models import Account
from spool.identities.services import register_account

PASSWORD = "correct horse battery staple"
REDIRECT = "https://app.example/callback"


def person(handle: str) -> Account:
    return register_account(
        email=f"{handle}@example.com", password=PASSWORD, handle=handle, client_address=None
    )


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class App:
    """A registered client application (its HTTP client has its own address)."""

    application_id: str
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    http: CommitClient = field(default_factory=CommitClient)

    @classmethod
    def register(
        cls, redirect_uris: str | list[str] = REDIRECT, scopes: str = "read write follow", **extra: Any
    ) -> App:
        http = CommitClient()
        response = http.post(
            "/api/v1/apps",
            {"client_name": "Tootle", "redirect_uris": redirect_uris, "scopes": scopes, **extra},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        return cls(body["id"], body["client_id"], body["client_secret"], body["redirect_uris"], http)

    def authorize_url(self, redirect_uri: str | None = None, **params: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri or self.redirect_uris[0],
        }
        return "/oauth/authorize?" + urlencode({**query, **params})

    def token(self, **params: str) -> Any:
        """POST /oauth/token as a form, credentials in the body."""
        body = {"client_id": self.client_id, "client_secret": self.client_secret, **params}
        return self.http.post("/oauth/token", body)

    def exchange(self, code: str, verifier: str | None = None, redirect_uri: str | None = None) -> Any:
        params = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri or self.redirect_uris[0],
        }
        if verifier is not None:
            params["code_verifier"] = verifier
        return self.token(**params)


class Browser:
    """A person's browser: cookies, and CSRF enforced as in production."""

    def __init__(self) -> None:
        self.http = CommitClient(enforce_csrf_checks=True)

    def get(self, url: str) -> Any:
        return self.http.get(url)

    def sign_in(self, login_url: str, email: str, password: str = PASSWORD) -> Any:
        page = self.http.get(login_url)
        assert page.status_code == 200
        fields = form_fields(page)
        return self.http.post(login_url, {**fields, "email": email, "password": password})

    def press(self, page: Any, button: str) -> Any:
        """Submit the consent form on ``page`` with the button whose value is ``button``."""
        return self.http.post("/oauth/authorize", {**form_fields(page), "decision": button})

    def approve(self, app: App, email: str, password: str = PASSWORD, **params: str) -> Any:
        """Open the authorize URL signed out, sign in, approve: the response redirecting to the app."""
        response = self.get(app.authorize_url(**params))
        if response.status_code == 302 and response["Location"].startswith("/login"):
            signed_in = self.sign_in(response["Location"], email, password)
            assert signed_in.status_code == 302, signed_in.content
            response = self.get(signed_in["Location"])
        assert response.status_code == 200, response.content
        return self.press(response, "authorize")


def form_fields(page: Any) -> dict[str, str]:
    """The hidden inputs of the page's forms (the CSRF token and the request the form carries)."""
    text = page.content.decode()
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text)
    return {name: html.unescape(value) for name, value in found}


def redirect_params(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content
    return {key: values[0] for key, values in parse_qs(urlsplit(response["Location"]).query).items()}
