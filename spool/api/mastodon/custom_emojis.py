"""``/api/v1/custom_emojis``: Spool has no custom emoji, so the list is empty."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

router = Router(tags=["custom_emojis"])


@router.get("/v1/custom_emojis", auth=None)
def custom_emojis(request: HttpRequest) -> list[dict[str, str]]:
    return []
