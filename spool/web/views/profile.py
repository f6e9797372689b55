"""Profiles. (Being wired to spool.posts.timelines.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def profile(request: HttpRequest, handle: str) -> HttpResponse:
    return render(request, "web/stub.html", {"nav": "profile"})
