"""OAuth 2 applications, authorization codes and access tokens, shared by every JSON API."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _sign_apps_out(event: Any) -> None:
    from spool.oauth.services import revoke_account_tokens

    revoke_account_tokens(event.account_id)


# What a remembered credential (spool.oauth.credentials) depends on besides the token's own row: the
# person's ``is_active`` and login password. Receivers rather than calls in each service, because a
# security cache must not miss a path (the admin, ``changepassword``, a future service); saves that name
# other fields only (a sign-in's ``last_login``, counters) leave the credentials alone.
_ACCOUNT_FIELDS = frozenset({"is_active", "suspended_at", "user"})
_USER_FIELDS = frozenset({"password", "is_active"})


def _forget_on_save(fields: frozenset[str]) -> Any:
    def receiver(sender: Any, update_fields: Any = None, created: bool = False, **_: Any) -> None:
        if not created and (update_fields is None or fields & set(update_fields)):
            from spool.oauth.credentials import forget_all

            forget_all()

    return receiver


def _forget_on_delete(sender: Any, **_: Any) -> None:
    from spool.oauth.credentials import forget_all

    forget_all()


class OAuthConfig(AppConfig):
    name = "spool.oauth"
    label = "oauth"

    def ready(self) -> None:
        from spool.core.events import subscribe
        from spool.identities.events import AccountDeactivated

        # Deactivating signs every app out (signing in again does not bring old tokens back). Deleting the
        # account deletes its tokens with it; a password change voids them through the token's stamp.
        subscribe(AccountDeactivated, _sign_apps_out)

        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from spool.identities.models import Account
        from spool.oauth.models import Token

        post_save.connect(_forget_on_save(_ACCOUNT_FIELDS), sender=Account, weak=False)
        post_save.connect(_forget_on_save(_USER_FIELDS), sender=get_user_model(), weak=False)
        for model in (Account, get_user_model(), Token):
            post_delete.connect(_forget_on_delete, sender=model, weak=False)
