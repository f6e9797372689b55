"""Home (Following), What's new, topics and the composer. (Being wired to spool.posts.timelines.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/stub.html", {"nav": "home"})


def whats_new(request: HttpRequest) -> HttpResponse:
    return render(request, "web/stub.html", {"nav": "new"})


def compose(request: HttpRequest) -> HttpResponse:
    return render(request, "web/stub.html", {"nav": "compose"})
