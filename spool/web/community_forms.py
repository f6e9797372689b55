"""The "start a community" form: what was typed, split for the service (flair options are separated by
commas). :func:`spool.communities.services.create_community` checks everything; this form only parses."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from spool.communities.services import ALLOWED_LIKE_EMOJI, MAX_DESCRIPTION, MAX_FLAIRS, MAX_NAME

# Service field names that differ from the form's.
ERROR_FIELDS = {"flair": "flair_options"}


class CommunityForm(forms.Form):
    topic = forms.CharField(label="Topic", required=False, help_text="The topic its feed follows: Gardening")
    name = forms.CharField(
        label="Name", required=False, widget=forms.TextInput(attrs={"maxlength": MAX_NAME})
    )
    slug = forms.CharField(
        label="Address",
        required=False,
        help_text="/c/<address>: lowercase letters, digits and hyphens; left empty, it is made from the name",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_DESCRIPTION}),
    )
    like_emoji = forms.CharField(
        label="Like emoji",
        required=False,
        initial=ALLOWED_LIKE_EMOJI[0],
        help_text=f"How likes show in the community: {' '.join(ALLOWED_LIKE_EMOJI)} or any single emoji",
    )
    flair_options = forms.CharField(
        label="Flairs", required=False, help_text=f"Up to {MAX_FLAIRS}, separated by commas: Beginner, Expert"
    )

    def values(self) -> dict[str, Any]:
        """The keyword arguments of ``create_community``."""
        data = self.cleaned_data
        return {
            "topic": data["topic"],
            "name": data["name"],
            "slug": data["slug"].strip(),
            "description": data["description"],
            "like_emoji": data["like_emoji"].strip(),
            "flair_options": [p.strip() for p in re.split(r",", data["flair_options"]) if p.strip()],
        }
