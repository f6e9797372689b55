"""Settings → Hidden words: the person's own words, phrases and emoji (added and removed here), the switch
for Spool's default list of offensive words, and the filters made elsewhere (Mastodon apps), listed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spool.core.errors import SpoolError
from spool.identities.models import WordFilter
from spool.identities.services import word_filters as services
from spool.web.views.base import signed_in, spool_errors


def _page(request: HttpRequest, *, error: str = "", word: str = "", status: int = 200) -> HttpResponse:
    account = request.viewer  # type: ignore[attr-defined]
    mine = services.hidden_words_filter(account)
    words = sorted(mine.keywords.all(), key=lambda k: k.id) if mine else []
    others = WordFilter.objects.filter(account=account).order_by("id")
    if mine is not None:
        others = others.exclude(id=mine.id)
    context = {
        "nav": "settings",
        "words": words,
        "others": list(others),
        "default_on": account.hide_offensive_words,
        "error": error,
        "word": word,
    }
    return render(request, "web/settings/hidden_words.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def hidden_words(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST ``word``: hide it."""
    if request.method != "POST":
        return _page(request)
    word = request.POST.get("word", "")
    try:
        services.add_hidden_word(request.viewer, word)  # type: ignore[attr-defined]
    except SpoolError as exc:
        return _page(request, error=exc.message, word=word, status=exc.status)
    messages.success(request, "Hidden.")
    return redirect("web:settings_hidden_words")


@spool_errors
@signed_in
@require_POST
def remove_hidden_word(request: HttpRequest, keyword_id: int) -> HttpResponse:
    services.remove_hidden_word(request.viewer, keyword_id)  # type: ignore[attr-defined]
    return redirect("web:settings_hidden_words")


@spool_errors
@signed_in
@require_POST
def default_list(request: HttpRequest) -> HttpResponse:
    """``enabled=on`` or ``enabled=off``: Spool's default list of offensive words."""
    enabled = request.POST.get("enabled")
    services.set_hide_offensive_words(
        request.viewer,  # type: ignore[attr-defined]
        True if enabled == "on" else False if enabled == "off" else enabled,
    )
    return redirect("web:settings_hidden_words")
