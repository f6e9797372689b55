"""Sign up, sign in, sign out."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spool.core.errors import SpoolError
from spool.core.requests import client_address
from spool.identities.services import AccountSuspended, authenticate_account, register_account
from spool.moderation.models import ActionKind
from spool.moderation.notices import notices_of, suspended_token
from spool.web.forms import LoginForm, SignupForm, add_service_error
from spool.web.views.base import safe_next, viewer_of


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
            )
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("web:home")
    status = 200 if not form.errors else 422
    return render(request, "web/auth/signup.html", {"form": form, "nav": "signup"}, status=status)


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
                form.cleaned_data["email"] or "", form.cleaned_data["password"], client_address(request)
            )
        except AccountSuspended as exc:
            return _suspended(request, exc)
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            if account is None:
                form.add_error(None, "The email address or the password is not correct.")
            else:
                login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
                return HttpResponseRedirect(next_url)
    status = 200 if not form.errors else 422
    context = {"form": form, "next": next_url, "nav": "login"}
    return render(request, "web/auth/login.html", context, status=status)


def _suspended(request: HttpRequest, exc: AccountSuspended) -> HttpResponse:
    """No session for a suspended account: the moderators' notice, with a short-lived link to appeal."""
    action = notices_of(exc.account).filter(kind=ActionKind.SUSPEND, reversed_at__isnull=True).last()
    context = {"action": action, "token": suspended_token(exc.account), "nav": "login"}
    return render(request, "web/auth/suspended.html", context, status=403)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:new")
