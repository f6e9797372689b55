"""``/api/v1/preferences``: posting and reading defaults, derived from the account (Spool keeps no separate
preferences: posts follow the profile's privacy, media spoilers are chosen per post)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from spool.api.mastodon.auth import me, scoped

router = Router(tags=["preferences"])


@router.get("/v1/preferences", auth=scoped("read:accounts"))
def preferences(request: HttpRequest) -> dict[str, Any]:
    account = me(request)
    return {
        "posting:default:visibility": "private" if account.is_private else "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "posting:default:quote_policy": "nobody" if account.is_private else "public",
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
        "reading:autoplay:gifs": False,
    }
