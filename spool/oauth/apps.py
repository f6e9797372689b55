"""OAuth 2 applications, authorization codes and access tokens, shared by every JSON API."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _sign_apps_out(event: Any) -> None:
    from spool.oauth.services import revoke_account_tokens

    revoke_account_tokens(event.account_id)


class OAuthConfig(AppConfig):
    name = "spool.oauth"
    label = "oauth"

    def ready(self) -> None:
        from spool.core.events import subscribe
        from spool.identities.events import AccountDeactivated

        # Deactivating signs every app out (signing in again does not bring old tokens back). Deleting the
        # account deletes its tokens with it; a password change voids them through the token's stamp.
        subscribe(AccountDeactivated, _sign_apps_out)
