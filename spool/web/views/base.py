"""What every page view shares: who is looking, sign-in gates, htmx detection, safe redirects, and turning
service errors into pages (404 for what the viewer may not see, a message for everything else)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from spool.core.errors import Forbidden, NotFound, SpoolError
from spool.core.requests import signed_in_account
from spool.identities.models import Account

View = TypeVar("View", bound=Callable[..., HttpResponse])


def viewer_of(request: HttpRequest) -> Account | None:
    """The signed-in person's Account, or ``None`` for a logged-out visitor."""
    account: Account | None = signed_in_account(request)
    return account


def signed_in(view: View) -> View:
    """Logged-out visitors are sent to the sign-in page and come back afterwards; the view receives the
    viewer's Account as ``request.viewer``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = viewer_of(request)
        if account is None:
            target = request.get_full_path() if request.method == "GET" else _referer_path(request)
            return redirect_to_login(target)
        request.viewer = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def spool_errors(view: View) -> View:
    """``NotFound`` becomes the 404 page and ``Forbidden`` the 403 page — the same for missing and hidden
    things, so a page never tells what exists. Other service errors on an action (a button, not a form) come
    back as a message on the page the person was on."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as exc:
            if request.method == "POST" and not is_htmx(request):
                messages.error(request, exc.message)
                return redirect_back(request)
            raise PermissionDenied(exc.message) from None
        except SpoolError as exc:
            if is_htmx(request):
                return render(request, "web/_error.html", {"message": exc.message}, status=exc.status)
            messages.error(request, exc.message)
            return redirect_back(request)

    return cast(View, wrapper)


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (and wants a fragment rather than a page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The ``next`` parameter when it points to this site, else ``default`` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def redirect_back(request: HttpRequest, default: str = "/") -> HttpResponseRedirect:
    """Back to ``next``, else to the page the form was on (same site only), else ``default``."""
    return HttpResponseRedirect(safe_next(request, _referer_path(request) or default))


def _referer_path(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return ""


def parse_post_id(value: str) -> int:
    """An ID from a form field; an unparsable one is a 404 like any post one may not see."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if number <= 0:
        raise Http404
    return number
