"""Sign up, sign in (with the two-factor step), sign out, and the links sent by email: password reset and
confirming an address."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spool.accounts import email_flows, two_factor
from spool.accounts.invites import invites_required
from spool.accounts.models import User
from spool.core.errors import SpoolError
from spool.core.requests import client_address
from spool.identities.services import (
    AccountSuspended,
    authenticate_account,
    reactivate_account,
    register_account,
)
from spool.moderation.models import ActionKind
from spool.moderation.notices import notices_of, suspended_token
from spool.web.forms import (
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SignupForm,
    TwoFactorCodeForm,
    add_service_error,
)
from spool.web.views.base import safe_next, viewer_of

# Between the password and the code: who passed the first step, when, and where to go afterwards. It is
# kept in the (anonymous) session; nobody is signed in until the code is right.
PENDING_KEY = "spool_two_factor"
PENDING_SECONDS = 300


def sign_in(request: HttpRequest, user: User) -> None:
    """Start a signed-in session for ``user`` (a new session key; ``user_logged_in`` lists it in Settings →
    Sessions). A deactivated profile comes back here, after every step of signing in."""
    account = getattr(user, "account", None)
    if account is not None and not account.is_active:
        reactivate_account(account)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if viewer_of(request) is not None:
        return redirect("web:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = register_account(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                handle=form.cleaned_data["handle"],
                display_name=form.cleaned_data["display_name"],
                client_address=client_address(request),
                birth_date=form.cleaned_data["birth_date"] or None,
                invite=form.cleaned_data["invite"],
            )
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            sign_in(request, account.user)  # type: ignore[arg-type]
            if settings.SPOOL.require_email_confirmation:
                messages.info(request, "We sent you a link: open it to confirm your email address.")
            return redirect("web:home")
    status = 200 if not form.errors else 422
    context = {"form": form, "nav": "signup", "invite_only": invites_required()}
    return render(request, "web/auth/signup.html", context, status=status)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, "/")
    if viewer_of(request) is not None:
        return HttpResponseRedirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Signing in again is also how a deactivated profile comes back (as on Threads).
            account = authenticate_account(
                form.cleaned_data["email"] or "",
                form.cleaned_data["password"],
                client_address(request),
                reactivate=False,
            )
        except AccountSuspended as exc:
            return _suspended(request, exc)
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            if account is None:
                form.add_error(None, "The email address or the password is not correct.")
            elif two_factor.is_enabled(account.user):  # type: ignore[arg-type]
                request.session.cycle_key()
                request.session[PENDING_KEY] = {"user": account.user_id, "at": time.time(), "next": next_url}
                return redirect("web:login_two_factor")
            else:
                sign_in(request, account.user)  # type: ignore[arg-type]
                return HttpResponseRedirect(next_url)
    status = 200 if not form.errors else 422
    context = {"form": form, "next": next_url, "nav": "login"}
    return render(request, "web/auth/login.html", context, status=status)


@require_http_methods(["GET", "POST"])
def login_two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    pending = request.session.get(PENDING_KEY) or {}
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, "Log in again: the sign-in took too long.")
        return redirect("web:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = two_factor.verify_second_factor(user, form.cleaned_data["code"])
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            if accepted:
                del request.session[PENDING_KEY]
                sign_in(request, user)
                return HttpResponseRedirect(pending.get("next") or "/")
            form.add_error("code", "That code is not right. Try the newest one, or a recovery code.")
    status = 200 if not form.errors else 422
    return render(request, "web/auth/two_factor.html", {"form": form, "nav": "login"}, status=status)


def _suspended(request: HttpRequest, exc: AccountSuspended) -> HttpResponse:
    """No session for a suspended account: the moderators' notice, with a short-lived link to appeal."""
    action = notices_of(exc.account).filter(kind=ActionKind.SUSPEND, reversed_at__isnull=True).last()
    context = {"action": action, "token": suspended_token(exc.account), "nav": "login"}
    return render(request, "web/auth/suspended.html", context, status=403)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:new")


@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email_flows.request_password_reset(form.cleaned_data["email"], client_address(request))
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "web/auth/password_reset_sent.html", {"nav": "login"})
    status = 200 if not form.errors else 422
    return render(request, "web/auth/password_reset.html", {"form": form, "nav": "login"}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email_flows.user_for_reset_token(token)
    except SpoolError as exc:
        return render(request, "web/auth/bad_link.html", {"message": exc.message, "nav": "login"}, status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email_flows.reset_password(token, form.cleaned_data["password"])
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            logout(request)
            messages.success(request, "Your password is changed. Every device was signed out; log in again.")
            return redirect("web:login")
    status = 200 if not form.errors else 422
    context = {"form": form, "token": token, "nav": "login"}
    return render(request, "web/auth/password_reset_confirm.html", context, status=status)


@require_http_methods(["GET"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email_flows.confirm_email(token)
    except SpoolError as exc:
        return render(request, "web/auth/bad_link.html", {"message": exc.message, "nav": "login"}, status=400)
    messages.success(request, "Your email address is confirmed.")
    return redirect("web:home" if viewer_of(request) is not None else "web:login")
