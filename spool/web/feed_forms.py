"""The custom feed form: a name, Top or Recent, and topics, profiles and keywords typed as text (commas
between items; spaces also separate profiles). The services check everything; this form only splits."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from spool.feeds.custom.models import CustomFeed, FeedMode
from spool.feeds.custom.validation import MAX_KEYWORDS, MAX_PROFILES, MAX_TOPICS


def _split(text: str, pattern: str = r",") -> list[str]:
    return [part.strip() for part in re.split(pattern, text or "") if part.strip()]


class FeedForm(forms.Form):
    name = forms.CharField(label="Name", required=False, widget=forms.TextInput(attrs={"maxlength": 50}))
    mode = forms.ChoiceField(
        label="Order", choices=FeedMode.choices, initial=FeedMode.RECENT, widget=forms.RadioSelect
    )
    topics = forms.CharField(
        label="Topics", required=False, help_text=f"Up to {MAX_TOPICS}, separated by commas: Cinema, #books"
    )
    profiles = forms.CharField(
        label="Profiles", required=False, help_text=f"Up to {MAX_PROFILES} handles: @ana @bob@example.social"
    )
    keywords = forms.CharField(
        label="Keywords", required=False, help_text=f"Up to {MAX_KEYWORDS}, separated by commas"
    )
    shared = forms.BooleanField(
        label="Share this feed (a public page and your profile's Feeds tab)", required=False
    )

    def definition(self) -> dict[str, Any]:
        """What the services take, from the cleaned fields."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "mode": data["mode"],
            "topics": _split(data["topics"]),
            "profiles": _split(data["profiles"], r"[,\s]+"),
            "keywords": _split(data["keywords"]),
        }

    @classmethod
    def initial_of(cls, feed: CustomFeed, handles: dict[int, str]) -> dict[str, Any]:
        return {
            "name": feed.name,
            "mode": feed.mode,
            "topics": ", ".join(feed.topics),
            "profiles": " ".join(f"@{handles[p]}" for p in feed.profiles if p in handles),
            "keywords": ", ".join(feed.keywords),
            "shared": feed.is_shared,
        }
