"""``/api/v1/notifications``: the Activity tab as Mastodon notifications.

Spool's kinds map onto Mastodon's types: ``like`` → ``favourite``, ``repost`` → ``reblog``, ``reply`` and
``mention`` → ``mention`` (``spool.kind`` tells a reply from a mention), ``quote`` → ``quote``, ``follow``,
``follow_request``, ``poll_ended`` → ``poll``, ``moderation`` → ``moderation_warning``.
``types[]``/``exclude_types[]`` take Mastodon's names;
names of types Spool never produces select nothing, unknown names are ignored, as Mastodon does.

A page costs a fixed number of queries: the notifications (actors and posts joined), the actors' entities,
the statuses (batched) and the hidden-words check; notifications about a status a ``hide`` filter catches
(in the ``notifications`` context) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router

from spool.api.mastodon.accounts import account_id as record_id
from spool.api.mastodon.auth import me, scoped
from spool.api.mastodon.entities import iso, render_accounts
from spool.api.mastodon.filters import render_screened
from spool.api.mastodon.pagination import Window, link_header
from spool.api.mastodon.params import read_params
from spool.core.errors import NotFound, ValidationError
from spool.identities.models import Account
from spool.notifications import services
from spool.notifications.models import Kind, Notification

router = Router(tags=["notifications"])

TYPE_OF_KIND: dict[str, str] = {
    Kind.LIKE: "favourite",
    Kind.REPOST: "reblog",
    Kind.REPLY: "mention",
    Kind.MENTION: "mention",
    Kind.QUOTE: "quote",
    Kind.FOLLOW: "follow",
    Kind.FOLLOW_REQUEST: "follow_request",
    Kind.POLL_ENDED: "poll",
    Kind.MODERATION: "moderation_warning",
}
KINDS_OF_TYPE: dict[str, list[str]] = {}
for _kind, _type in TYPE_OF_KIND.items():
    KINDS_OF_TYPE.setdefault(_type, []).append(_kind)
MAX_UNREAD = 1000
# Types Mastodon groups by default (``grouped_types[]``): likes and reposts of one post, follows of one day.
GROUPED_TYPES = ("favourite", "reblog", "follow")
SAMPLE_ACCOUNTS = 8


def group_key(n: Notification, grouped: tuple[str, ...] | list[str] = GROUPED_TYPES) -> str:
    """Mastodon's opaque group key: ``favourite-<status>``, ``reblog-<status>``, ``follow-<YYYYMMDD>`` (UTC),
    else ``ungrouped-<id>``."""
    kind = TYPE_OF_KIND.get(n.kind, n.kind)
    if kind in grouped and kind in ("favourite", "reblog") and n.post_id is not None:
        return f"{kind}-{n.post_id}"
    if kind in grouped and kind == "follow":
        return f"follow-{n.created_at.astimezone(UTC):%Y%m%d}"
    return f"ungrouped-{n.id}"


def _types(params: dict[str, Any], name: str) -> list[str] | None:
    """Spool kinds named by the Mastodon types in ``name[]`` (``None`` when the parameter is absent)."""
    raw = params.get(name)
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ValidationError(f"Validation failed: {name} must be a list of types", field=name)
    return [
        kind
        for value in raw
        for part in str(value).split(",")
        for kind in KINDS_OF_TYPE.get(part.strip(), [])
    ]


def selected(request: HttpRequest, account: Account) -> QuerySet[Notification]:
    """The account's visible notifications narrowed by ``types[]``, ``exclude_types[]`` and ``account_id``."""
    params = read_params(request)
    rows = services.visible_notifications(account)
    wanted = _types(params, "types")
    if wanted is not None:
        rows = rows.filter(kind__in=wanted)
    unwanted = _types(params, "exclude_types")
    if unwanted:
        rows = rows.exclude(kind__in=unwanted)
    if params.get("account_id"):
        try:
            rows = rows.filter(actor_id=int(params["account_id"]))
        except (TypeError, ValueError):
            raise ValidationError("Validation failed: account_id must be an ID", field="account_id") from None
    return rows


def render_notifications(viewer: Account, rows: Sequence[Notification]) -> list[dict[str, Any]]:
    """Notification entities, batched; those about a status a ``hide`` filter catches are left out."""
    posts = list({n.post_id: n.post for n in rows if n.post is not None}.values())
    statuses = {int(s["id"]): s for s in render_screened(viewer, posts, "notifications")}
    # The clock's notifications (a poll of one's own ended) have no actor: Mastodon names the poll's author.
    actors = [n.actor or (n.post.author if n.post is not None else viewer) for n in rows]
    accounts = {a["id"]: a for a in render_accounts(viewer, list({a.pk: a for a in actors}.values()))}
    out = []
    for n, actor in zip(rows, actors, strict=True):
        if n.post_id is not None and n.post_id not in statuses:
            continue
        entity: dict[str, Any] = {
            "id": str(n.id),
            "type": TYPE_OF_KIND.get(n.kind, n.kind),
            "group_key": group_key(n),
            "created_at": iso(n.created_at),
            "account": accounts[str(actor.pk)],
            "status": statuses.get(n.post_id) if n.post_id is not None else None,
            "spool": {"kind": n.kind, "read": n.read},
        }
        out.append(entity)
    return out


def _loaded(rows: QuerySet[Notification]) -> QuerySet[Notification]:
    return rows.select_related("actor", "post", "post__author", "post__topic", "post__card")


@router.get("/v1/notifications", auth=scoped("read:notifications"))
def list_notifications(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    account = me(request)
    window = Window.from_request(request, default=40, cap=80)
    rows = window.apply(_loaded(selected(request, account)))
    link_header(request, response, [n.id for n in rows])
    return render_notifications(account, rows)


@router.get("/v1/notifications/unread_count", auth=scoped("read:notifications"))
def unread_count(request: HttpRequest) -> dict[str, int]:
    """Unread notifications (read ones are those up to the ``notifications`` marker, or read on the web),
    counted up to ``limit`` (default 100, at most 1000)."""
    limit = _unread_limit(request)
    return {"count": selected(request, me(request)).filter(read=False)[:limit].count()}


def _unread_limit(request: HttpRequest) -> int:
    raw = request.GET.get("limit") or "100"
    try:
        return max(1, min(int(raw), MAX_UNREAD))
    except ValueError:
        raise ValidationError("Validation failed: limit must be a number", field="limit") from None


@router.post("/v1/notifications/clear", auth=scoped("write:notifications"))
def clear(request: HttpRequest) -> dict[str, Any]:
    services.clear_notifications(me(request))
    return {}


@router.get("/v1/notifications/{notification_id}", auth=scoped("read:notifications"))
def get_notification(request: HttpRequest, notification_id: str) -> dict[str, Any]:
    account = me(request)
    row = _loaded(services.visible_notifications(account)).filter(pk=record_id(notification_id)).first()
    rendered = render_notifications(account, [row]) if row is not None else []
    if not rendered:
        raise NotFound("Record not found")
    return rendered[0]


@router.post("/v1/notifications/{notification_id}/dismiss", auth=scoped("write:notifications"))
def dismiss(request: HttpRequest, notification_id: str) -> dict[str, Any]:
    try:
        services.dismiss_notification(me(request), record_id(notification_id))
    except NotFound:
        raise NotFound("Record not found") from None
    return {}


# --- Grouped notifications (v2) ------------------------------------------------------------------------


def _grouped_types(params: dict[str, Any]) -> list[str]:
    raw = params.get("grouped_types")
    if raw is None:
        return list(GROUPED_TYPES)
    return [raw] if isinstance(raw, str) else [str(value) for value in raw]


def _group_rows(rows: Sequence[Notification], grouped: list[str]) -> dict[str, list[Notification]]:
    """Rows (newest first) by group key, groups in order of their newest row."""
    groups: dict[str, list[Notification]] = {}
    for n in rows:
        groups.setdefault(group_key(n, grouped), []).append(n)
    return groups


def _group_totals(account: Account, groups: dict[str, list[Notification]]) -> dict[tuple[str, int], int]:
    """How many visible notifications each like/repost group holds in all (not just on this page): one
    query."""
    keyed = {
        (g[0].kind, g[0].post_id)
        for key, g in groups.items()
        if not key.startswith(("ungrouped-", "follow-"))
    }
    if not keyed:
        return {}
    counts = (
        services.visible_notifications(account)
        .filter(kind__in={k for k, _ in keyed}, post_id__in={p for _, p in keyed})
        .values("kind", "post_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {(row["kind"], row["post_id"]): row["total"] for row in counts}


def render_groups(account: Account, rows: Sequence[Notification], grouped: list[str]) -> dict[str, Any]:
    """``GroupedNotificationsResults`` for a page of notifications (newest first), batched like v1."""
    rendered = {n["id"]: n for n in render_notifications(account, rows)}
    kept = [n for n in rows if str(n.id) in rendered]
    groups = _group_rows(kept, grouped)
    totals = _group_totals(account, groups)
    accounts: dict[str, dict[str, Any]] = {}
    statuses: dict[str, dict[str, Any]] = {}
    out = []
    for key, members in groups.items():
        newest = rendered[str(members[0].id)]
        sample: list[str] = []
        for n in members:
            entity = rendered[str(n.id)]
            accounts.setdefault(entity["account"]["id"], entity["account"])
            if entity["status"] is not None:
                statuses.setdefault(entity["status"]["id"], entity["status"])
            if entity["account"]["id"] not in sample and len(sample) < SAMPLE_ACCOUNTS:
                sample.append(entity["account"]["id"])
        out.append(
            {
                "group_key": key,
                "notifications_count": totals.get((members[0].kind, members[0].post_id or 0), len(members)),
                "type": newest["type"],
                "most_recent_notification_id": members[0].id,
                "page_max_id": str(members[0].id),
                "page_min_id": str(members[-1].id),
                "latest_page_notification_at": newest["created_at"],
                "sample_account_ids": sample,
                "status_id": newest["status"]["id"] if newest["status"] is not None else None,
            }
        )
    return {
        "accounts": list(accounts.values()),
        "statuses": list(statuses.values()),
        "notification_groups": out,
    }


def _in_group(account: Account, key: str) -> QuerySet[Notification]:
    """The visible notifications of the group ``key`` (see :func:`group_key`); none for a malformed key."""
    kind, _, rest = key.partition("-")
    rows = services.visible_notifications(account)
    try:
        if kind == "ungrouped":
            return rows.filter(pk=int(rest))
        if kind in ("favourite", "reblog"):
            return rows.filter(kind__in=KINDS_OF_TYPE[kind], post_id=int(rest))
        if kind == "follow":
            day = datetime.strptime(rest, "%Y%m%d").replace(tzinfo=UTC)
            return rows.filter(kind=Kind.FOLLOW, created_at__gte=day, created_at__lt=day + timedelta(days=1))
    except ValueError:
        pass
    return rows.none()


@router.get("/v2/notifications", auth=scoped("read:notifications"))
def grouped_notifications(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """A page of notifications (``limit`` 40, max 80, counted in notifications) grouped: likes and reposts of
    one status, follows of one day. ``expand_accounts=partial_avatars`` is answered with full accounts."""
    account = me(request)
    window = Window.from_request(request, default=40, cap=80)
    rows = window.apply(_loaded(selected(request, account)))
    link_header(request, response, [n.id for n in rows])
    return render_groups(account, rows, _grouped_types(read_params(request)))


@router.get("/v2/notifications/unread_count", auth=scoped("read:notifications"))
def grouped_unread_count(request: HttpRequest) -> dict[str, int]:
    """Unread notification groups among the newest ``limit`` unread notifications (100, at most 1000)."""
    limit = _unread_limit(request)
    grouped = _grouped_types(read_params(request))
    rows = selected(request, me(request)).filter(read=False).only("id", "kind", "post_id", "created_at")
    return {"count": len({group_key(n, grouped) for n in rows.order_by("-id")[:limit]})}


@router.get("/v2/notifications/{key}", auth=scoped("read:notifications"))
def notification_group(request: HttpRequest, key: str) -> dict[str, Any]:
    account = me(request)
    rows = list(_loaded(_in_group(account, key)).order_by("-id")[:80])
    result = render_groups(account, rows, list(GROUPED_TYPES))
    if not result["notification_groups"]:
        raise NotFound("Record not found")
    return result


@router.get("/v2/notifications/{key}/accounts", auth=scoped("read:notifications"))
def notification_group_accounts(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    return notification_group(request, key)["accounts"]


@router.post("/v2/notifications/{key}/dismiss", auth=scoped("write:notifications"))
def dismiss_group(request: HttpRequest, key: str) -> dict[str, Any]:
    account = me(request)
    ids = list(_in_group(account, key).values_list("id", flat=True)[: services.MAX_MARK_READ_IDS])
    if not ids:
        raise NotFound("Record not found")
    services.dismiss_notifications(account, ids)
    return {}
