"""An account's life: sign-up, sign-in check, deactivation, deletion, the verified badge."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import IntegrityError, router, transaction
from django.db.models import F, FileField, Q
from django.db.models.deletion import Collector
from django.utils import timezone

from spool.accounts.email_flows import send_confirmation_email
from spool.accounts.invites import invites_required, redeem_invite_code
from spool.accounts.models import User
from spool.accounts.services import (
    PASSWORD_MAX,
    authenticate_user,
    check_birth_date,
    check_new_password,
    clean_email,
    create_user,
    email_taken,
    is_under_18,
)
from spool.core.errors import Conflict, Forbidden, ValidationError
from spool.core.events import publish
from spool.core.ratelimit import Limit, hit
from spool.identities.events import AccountDeactivated, AccountDeleted, AccountDeleting, AccountReactivated
from spool.identities.models import Account, Follow
from spool.identities.services._common import lock_account, lock_accounts
from spool.identities.services.profile import update_profile
from spool.identities.validation import clean_display_name, clean_handle

logger = logging.getLogger(__name__)

# Sign-ups per network address, and sign-in attempts per address and per email (password guessing).
SIGN_UP_LIMIT = Limit("sign-ups", 20, timedelta(hours=1))
SIGN_IN_LIMIT = Limit("sign-in attempts", 10, timedelta(minutes=15))


def handle_taken(handle: str) -> bool:
    return Account.objects.by_handle(handle).exists()


def register_account(
    *,
    email: str,
    password: str,
    handle: str,
    display_name: str = "",
    client_address: str | None = None,
    birth_date: Any = None,
    invite: Any = None,
) -> Account:
    """Create a ``User`` (email login, argon2 password) and its public ``Account`` in one transaction.

    ``client_address`` (the caller's network address, given by the web and API front doors) is limited to
    ``SIGN_UP_LIMIT`` sign-ups (``RateLimited`` 429).

    Checks, in order: email shape, handle rules (1 to 30 of letters, digits, ``_``, ``.``; not reserved),
    display name (≤50), Django's password validators, then that neither the email nor the handle is taken
    case-insensitively (``Conflict`` 409; a concurrent sign-up losing the race on the unique constraints gets
    the same answer). Each error names its field.

    ``birth_date`` (optional; a ``date`` or ``YYYY-MM-DD``): under 13 is refused; under 18 makes the person
    a minor (``User.is_minor``: no message requests from strangers) with a private profile.

    On an invite-only server (``SPOOL_INVITE_ONLY``) ``invite`` must be a valid code; one use of it is
    counted in the same transaction (``ValidationError``, field ``invite``, otherwise). When addresses must
    be confirmed (``SPOOL_REQUIRE_EMAIL_CONFIRMATION``) a confirmation link is emailed after the commit;
    until it is opened the person cannot post, follow or message.
    """
    email = clean_email(email)
    handle = clean_handle(handle)
    display_name = clean_display_name(display_name or "")
    check_new_password(password, email=email)
    born = check_birth_date(birth_date) if birth_date not in (None, "") else None
    if client_address is not None:
        hit(SIGN_UP_LIMIT, f"ip:{client_address}")
    if email_taken(email):
        raise Conflict(
            "An account with this email address already exists.", code="email_taken", field="email"
        )
    if handle_taken(handle):
        raise _handle_conflict()
    try:
        with transaction.atomic():
            if invites_required():
                redeem_invite_code(invite)
            user = create_user(email=email, password=password)
            minor = False
            if born is not None:
                user.birth_date = born
                user.is_minor = minor = is_under_18(user)
                user.save(update_fields=["birth_date", "is_minor"])
            account = Account.objects.create(
                user=user, handle=handle, display_name=display_name, is_private=minor
            )
    except IntegrityError:
        raise _handle_conflict() from None
    if settings.SPOOL.require_email_confirmation:
        _send_first_confirmation(user)
    return account


def _send_first_confirmation(user: User) -> None:
    # The account exists either way: a mail server that is down must not lose the sign-up; the person can
    # ask for the link again from Settings → Account.
    try:
        send_confirmation_email(user)
    except Exception:
        logger.exception("Could not send the confirmation email to user %s", user.pk)


def _handle_conflict() -> Conflict:
    return Conflict("This handle is taken. Try another.", code="handle_taken", field="handle")


class AccountSuspended(Forbidden):
    """Correct credentials of an account moderators suspended. Carries the account so the sign-in page can
    show the person the moderators' notice and let them appeal."""

    code = "account_suspended"

    def __init__(self, account: Account) -> None:
        super().__init__("This account is suspended.")
        self.account = account


def authenticate_account(
    email: str, password: str, client_address: str | None = None, *, reactivate: bool = True
) -> Account | None:
    """The local account whose credentials these are, or ``None``. A deactivated account is reactivated:
    signing in again is how people come back. With ``reactivate=False`` it is returned still deactivated:
    the web sign-in reactivates only after the two-factor step, when there is one. A suspended account
    (its user is inactive, so Django's backend refuses it) raises ``AccountSuspended`` when the password is
    right. Every attempt counts against ``SIGN_IN_LIMIT`` per email and, when given, per
    ``client_address`` (``RateLimited`` 429 past it)."""
    hit(SIGN_IN_LIMIT, f"email:{(email or '').strip().lower()}")
    if client_address is not None:
        hit(SIGN_IN_LIMIT, f"ip:{client_address}")
    user = authenticate_user(email, password)
    if user is None:
        _refuse_if_suspended(email, password)
    account = getattr(user, "account", None) if user is not None else None
    if account is None:
        return None
    if reactivate and not account.is_active:
        reactivate_account(account)
    return account


def _refuse_if_suspended(email: str, password: str) -> None:
    if not password or len(password) > PASSWORD_MAX:
        return
    suspended = (
        Account.objects.select_related("user")
        .filter(user__email=(email or "").strip().lower(), user__is_active=False, suspended_at__isnull=False)
        .first()
    )
    if suspended is not None and suspended.user is not None and suspended.user.check_password(password):
        raise AccountSuspended(suspended)


def deactivate_account(account: Account) -> None:
    """Hide the profile and its posts everywhere (``is_active=False``) without deleting anything; followers
    and counters are kept. Signing in again (or :func:`reactivate_account`) undoes it. Publishes
    ``AccountDeactivated``."""
    with transaction.atomic():
        current = lock_account(account)
        if not current.is_active:
            account.is_active = False
            return
        account.is_active = False
        account.save(update_fields=["is_active"])
        if account.user_id:
            User.objects.filter(pk=account.user_id).update(deactivated_at=timezone.now())
        publish(AccountDeactivated(account_id=account.pk))


def reactivate_account(account: Account) -> None:
    """Show a deactivated profile again. Publishes ``AccountReactivated``."""
    with transaction.atomic():
        current = lock_account(account)
        if current.is_active:
            account.is_active = True
            return
        account.is_active = True
        account.save(update_fields=["is_active"])
        if account.user_id:
            User.objects.filter(pk=account.user_id).update(deactivated_at=None)
        publish(AccountReactivated(account_id=account.pk))


def delete_account(account: Account) -> None:
    """Delete the account for good: its user, profile, graph edges and everything that references it (posts,
    likes, reposts, media…), and after commit every stored file of those rows (avatar, post images).

    Order inside one transaction: publish ``AccountDeleting`` (higher layers fix their counters while the rows
    still exist), lower ``followers_count`` of everyone the account followed and ``following_count`` of
    everyone following it, delete, publish ``AccountDeleted``. Confirming the password is the caller's job.
    """
    with transaction.atomic():
        account_id = account.pk
        following = Follow.objects.filter(follower_id=account_id).values("followee_id")
        followers = Follow.objects.filter(followee_id=account_id).values("follower_id")
        # Everyone whose counters change is locked first, in ID order (see ``lock_accounts``).
        lock_accounts(
            Account.objects.filter(Q(pk=account_id) | Q(pk__in=following) | Q(pk__in=followers)).values("pk")
        )
        publish(AccountDeleting(account_id=account_id))
        Account.objects.filter(pk__in=following, followers_count__gt=0).update(
            followers_count=F("followers_count") - 1
        )
        Account.objects.filter(pk__in=followers, following_count__gt=0).update(
            following_count=F("following_count") - 1
        )
        root: Any = User.objects.get(pk=account.user_id) if account.user_id else account
        collector = Collector(using=router.db_for_write(type(root)), origin=root)
        collector.collect([root])
        files = _stored_files(collector)
        collector.delete()
        publish(AccountDeleted(account_id=account_id))
        transaction.on_commit(lambda: _delete_files(files))


def _stored_files(collector: Collector) -> list[tuple[Storage, str]]:
    """Every stored file referenced by a row the collector is about to delete, whichever app owns it."""
    files: list[tuple[Storage, str]] = []
    for model, instances in collector.data.items():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
        for instance in instances:
            for field in fields:
                name = getattr(instance, field.attname)
                if name:
                    files.append((field.storage, str(name)))
    for queryset in collector.fast_deletes:
        fields = [f for f in queryset.model._meta.concrete_fields if isinstance(f, FileField)]
        for field in fields:
            names = queryset.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
            files.extend((field.storage, str(name)) for name in names if name)
    return files


def _delete_files(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        with contextlib.suppress(FileNotFoundError):
            storage.delete(name)


def set_verified(admin: User | None, account: Account, verified: bool) -> Account:
    """Give or take the verified badge. ``admin`` is the person doing it and must be active staff
    (``Forbidden`` otherwise); ``None`` means an operator's own tooling (``manage.py verify``)."""
    if admin is not None and not (admin.is_staff and admin.is_active):
        raise Forbidden("Only staff can set the verified badge.", code="staff_only")
    if not isinstance(verified, bool):
        raise ValidationError("verified must be true or false.", field="verified")
    with transaction.atomic():
        lock_account(account)
        account.is_verified = verified
        account.save(update_fields=["is_verified"])
    return account


def set_birth_date(account: Account, birth_date: Any) -> bool:
    """Record the person's date of birth (never shown to others) and whether they are under 18; returns
    that. Becoming a minor makes the profile private and stops message requests from strangers. A minor
    cannot make themselves an adult by changing it (``Forbidden`` ``age_locked``: an admin can); other
    changes are free. Nothing changes on refusal."""
    born = check_birth_date(birth_date)
    user = account.user
    if user is None or not account.is_local:
        raise Forbidden("Only local accounts have a date of birth.", code="not_local")
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        was_minor = is_under_18(current)
        current.birth_date = born
        minor = is_under_18(current)
        if was_minor and not minor:
            raise Forbidden(
                "You can't change your date of birth to an adult's yourself. Ask an admin.",
                code="age_locked",
                field="birth_date",
            )
        current.is_minor = minor
        current.save(update_fields=["birth_date", "is_minor"])
        if minor and not account.is_private:
            update_profile(account, is_private=True)
        user.birth_date, user.is_minor = born, minor
    return minor
