"""Settings: the public profile (name, bio, links, avatar, privacy) and the account (date of birth,
deactivate, delete)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spool.accounts.services import confirm_password, is_under_18
from spool.core.errors import SpoolError
from spool.identities.services import (
    deactivate_account,
    delete_account,
    remove_avatar,
    set_avatar,
    set_birth_date,
    update_profile,
)
from spool.web.forms import (
    MAX_PROFILE_LINKS,
    BirthDateForm,
    DeleteAccountForm,
    ProfileForm,
    add_service_error,
)
from spool.web.views.base import signed_in

PROFILE_ERROR_ALIASES = {f"links.{i}": f"link_{i + 1}" for i in range(MAX_PROFILE_LINKS)} | {
    f"links.{i}.url": f"link_{i + 1}" for i in range(MAX_PROFILE_LINKS)
}


def _profile_initial(request: HttpRequest) -> dict[str, object]:
    account = request.viewer  # type: ignore[attr-defined]
    initial: dict[str, object] = {
        "display_name": account.display_name,
        "bio": account.bio,
        "is_private": account.is_private,
    }
    for index, link in enumerate(account.links or [], start=1):
        initial[f"link_{index}"] = link.get("url", "") if isinstance(link, dict) else str(link)
    return initial


@signed_in
@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    account = request.viewer  # type: ignore[attr-defined]
    if request.method != "POST":
        form = ProfileForm(initial=_profile_initial(request))
        return render(request, "web/settings/profile.html", {"form": form, "nav": "settings"})
    form = ProfileForm(request.POST)
    if form.is_valid():
        upload = request.FILES.get("avatar")
        try:
            # One form, up to two services: text fields and the avatar change together or not at all.
            with transaction.atomic():
                update_profile(
                    account,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    links=form.links(),
                    is_private=form.cleaned_data["is_private"],
                )
                if upload is not None:
                    set_avatar(account, upload)
                elif form.cleaned_data["remove_avatar"]:
                    remove_avatar(account)
        except SpoolError as exc:
            account.refresh_from_db()
            add_service_error(form, exc, PROFILE_ERROR_ALIASES)
        else:
            messages.success(request, "Profile saved.")
            return redirect("web:settings_profile")
    return render(request, "web/settings/profile.html", {"form": form, "nav": "settings"}, status=422)


def _account_context(request: HttpRequest, **forms: object) -> dict[str, object]:
    user = request.user
    born = getattr(user, "birth_date", None)
    return {
        "delete_form": DeleteAccountForm(),
        "birth_form": BirthDateForm(initial={"birth_date": born.isoformat() if born else ""}),
        "is_minor": is_under_18(user),  # type: ignore[arg-type]
        "nav": "settings",
        **forms,
    }


@signed_in
@require_http_methods(["GET"])
def account_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "web/settings/account.html", _account_context(request))


@signed_in
@require_POST
def birth_date(request: HttpRequest) -> HttpResponse:
    form = BirthDateForm(request.POST)
    if form.is_valid():
        try:
            minor = set_birth_date(request.viewer, form.cleaned_data["birth_date"])  # type: ignore[attr-defined]
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                "Saved. Your profile is private and only people you follow can message you."
                if minor
                else "Saved.",
            )
            return redirect("web:settings_account")
    return render(
        request, "web/settings/account.html", _account_context(request, birth_form=form), status=422
    )


@signed_in
@require_POST
def deactivate(request: HttpRequest) -> HttpResponse:
    deactivate_account(request.viewer)  # type: ignore[attr-defined]
    logout(request)
    messages.success(request, "Your profile is deactivated. Log in again to bring it back.")
    return redirect("web:login")


@signed_in
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    account = request.viewer  # type: ignore[attr-defined]
    form = DeleteAccountForm(request.POST)
    if form.is_valid():
        try:
            confirm_password(request.user, form.cleaned_data["password"])  # type: ignore[arg-type]
        except SpoolError as exc:
            add_service_error(form, exc)
        else:
            delete_account(account)
            logout(request)
            messages.success(request, "Your account and everything in it are deleted.")
            return redirect("web:new")
    return render(
        request, "web/settings/account.html", _account_context(request, delete_form=form), status=422
    )
