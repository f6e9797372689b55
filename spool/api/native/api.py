from __future__ import annotations

from ninja import NinjaAPI

from spool.api.common.auth import session_auth
from spool.api.common.errors import install_error_handlers

api = NinjaAPI(
    title="Spool API",
    version="1",
    urls_namespace="spool-api",
    auth=session_auth,
    description='Spool\'s own JSON API. Errors: {"error", "code", "field"} with a 4xx status.',
)
install_error_handlers(api)


def _routers() -> None:
    # Each room of the API is a router module; they are imported here so the API sees them all.
    import importlib

    for name in (
        "accounts",
        "posts",
        "notifications",
        "messaging",
        "trending",
        "communities",
        "search",
        "reports",
        "federation",
        "security",
    ):
        try:
            module = importlib.import_module(f"spool.api.native.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"spool.api.native.{name}":
                raise
            continue
        api.add_router(f"/{name}/", module.router)
    # For You's paths sit beside other routers' (feeds/, posts/{id}/): mounted at the root.
    from spool.api.native import for_you

    api.add_router("/", for_you.router)
    # Mounted under /feeds/ (the module is named for what it holds: custom and the other unranked feeds).
    from spool.api.native import custom_feeds

    api.add_router("/feeds/", custom_feeds.router)


_routers()
