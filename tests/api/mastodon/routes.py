"""Every operation of the Mastodon NinjaAPI, found by introspection (not a hand list), with the auth rule
it declares. Shared by the scope walk and the OpenAPI snapshot."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spool.api.mastodon.auth import Scoped

PREFIX = "/api"
# Mastodon's documented operations and their ``security``, extracted from the mastodon-openapi description
# (refresh: ``python -m tests.api.mastodon.routes path/to/mastodon-openapi.json``).
SECURITY = Path(__file__).parent / "snapshots" / "mastodon-security.json"
_PARAM = re.compile(r"\{(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)\}")


def template(method: str, path: str) -> str:
    """``GET /api/v1/statuses/{}``: parameters unnamed and no trailing slash, to compare with Mastodon's."""
    return f"{method.upper()} {_PARAM.sub('{}', path).rstrip('/')}"


# Mastodon's admin methods are left out of that description; these are documented on
# docs.joinmastodon.org (methods/admin/domain_blocks, methods/admin/domain_allows) with these scopes.
_ADMIN_DOCUMENTED: dict[str, str] = {
    "GET /api/v1/admin/domain_blocks": "admin:read:domain_blocks",
    "GET /api/v1/admin/domain_blocks/{}": "admin:read:domain_blocks",
    "POST /api/v1/admin/domain_blocks": "admin:write:domain_blocks",
    "PUT /api/v1/admin/domain_blocks/{}": "admin:write:domain_blocks",
    "DELETE /api/v1/admin/domain_blocks/{}": "admin:write:domain_blocks",
    "GET /api/v1/admin/domain_allows": "admin:read:domain_allows",
    "GET /api/v1/admin/domain_allows/{}": "admin:read:domain_allows",
    "POST /api/v1/admin/domain_allows": "admin:write:domain_allows",
    "DELETE /api/v1/admin/domain_allows/{}": "admin:write:domain_allows",
}


@cache
def mastodon_security() -> dict[str, list[dict[str, list[str]]] | None]:
    """Mastodon's documented ``security`` of each of its operations, keyed by :func:`template`."""
    kept: dict[str, list[dict[str, list[str]]] | None] = json.loads(SECURITY.read_text())
    kept.update({key: [{"OAuth2": [scope]}] for key, scope in _ADMIN_DOCUMENTED.items()})
    return kept


def _extract(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        template(method, path): operation.get("security")
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
    }


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as served, with {param} placeholders: /api/v1/statuses/{id}
    auth: Scoped | None  # None: no token needed at all (e.g. registering an app)
    view: Any

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def anonymous(self) -> bool:
        """Whether a request without a token is served (and not refused with 401)."""
        return self.auth is None or self.auth.optional

    @property
    def template(self) -> str:
        return template(self.method, self.path)

    def url(self, value: str = "1") -> str:
        return _PARAM.sub(value, self.path)


def routes() -> Iterator[Route]:
    from spool.api.mastodon.api import api
    from spool.api.mastodon.auth import Scoped

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                schemes = [cb for cb in operation.auth_callbacks if isinstance(cb, Scoped)]
                assert len(schemes) == len(operation.auth_callbacks) <= 1, (
                    f"{path}: Mastodon endpoints authenticate with one scoped(...) rule"
                )
                for method in operation.methods:
                    full = f"{PREFIX}{prefix}{path}".replace("//", "/")
                    yield Route(method, full, schemes[0] if schemes else None, operation.view_func)


if __name__ == "__main__":
    import sys

    extracted = _extract(json.loads(Path(sys.argv[1]).read_text()))
    SECURITY.write_text(json.dumps(extracted, indent=1, sort_keys=True) + "\n")
