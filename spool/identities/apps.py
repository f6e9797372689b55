from typing import Any

from django.apps import AppConfig


class IdentitiesConfig(AppConfig):
    name = "spool.identities"
    label = "identities"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Signing in again is how a deactivated profile comes back, whichever view signs the person in.
        user_logged_in.connect(_reactivate_on_sign_in, dispatch_uid="spool.identities.reactivate_on_sign_in")


def _reactivate_on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from spool.identities.services import reactivate_account

    account = getattr(user, "account", None)
    if account is not None and not account.is_active:
        reactivate_account(account)
