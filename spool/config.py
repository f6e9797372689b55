"""Typed configuration read from the environment.

Every knob Spool has lives here, with a default that suits the embedded mode (one machine, SQLite, no
other server). Scale-out is chosen by setting ``DATABASE_URL``, ``REDIS_URL`` and ``CELERY_BROKER_URL``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent.parent


class SpoolConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPOOL_", extra="ignore")

    debug: bool = False
    # In debug mode Django records every SQL statement (``connection.queries``); false turns that off
    # (spool.core.querylog). No effect outside debug mode, where nothing is recorded anyway.
    debug_queries: bool = True
    secret_key: str = "dev-insecure-change-me"  # noqa: S105 - replaced by SPOOL_SECRET_KEY in production
    domain: str = "127.0.0.1:8000"
    https: bool = False
    allowed_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost", "testserver"])
    data_dir: Path = BASE_DIR / "var"
    media_max_upload_bytes: int = 10 * 1024 * 1024
    avatar_size: int = 320
    image_max_side: int = 2048
    serve_media: bool = True
    # Prefix of every Redis key Spool writes, so several sites (or test runs) can share one Redis.
    key_prefix: str = "spool"
    # Accounts with more followers than this are merged into followers' feeds at read time.
    fanout_threshold: int = 10_000
    # Following timelines (spool.timelines): entries kept per person, people who have not read theirs for
    # this many days are no longer fanned out to (rebuilt when they return), posts copied in on a follow.
    timeline_cap: int = 800
    timeline_inactive_days: int = 30
    timeline_backfill: int = 40
    # Set to false to make link preview fetches refuse private addresses strictly (always, except in tests).
    fetch_allow_private: bool = False
    fetch_timeout_seconds: float = 5.0
    fetch_max_bytes: int = 1024 * 1024

    # Federation (ActivityPub; spool.federation). Development mode lets instances on loopback federate over
    # plain http with ports (tests, ``make federation-demo``); it is refused unless ``debug`` is on.
    federation_enabled: bool = True
    federation_dev_mode: bool = False
    federation_max_body_bytes: int = 256 * 1024
    # Signed requests whose Date is further than this from our clock are refused (replays, skew).
    federation_signature_max_age_seconds: int = 3600
    # Domains refused outright (besides the blocks stored by moderators), comma-separated in the environment.
    federation_blocked_domains: list[str] = Field(default_factory=list)
    # Servers whose accounts are limited ("silenced"): out of public and discovery surfaces except for their
    # followers; their follows need approval; their mentions notify only people who follow them.
    federation_silenced_domains: list[str] = Field(default_factory=list)
    # Allowlist mode: only these servers (and stored allowed servers) federate; every other one is refused.
    federation_allowlist_mode: bool = False
    federation_allowed_domains: list[str] = Field(default_factory=list)
    # Secure mode (Mastodon's "authorized fetch"): actors, posts and collections answer only signed GETs.
    federation_secure_mode: bool = False
    # Remote images (attachments, avatars, headers) are fetched on first view, up to this size, and cached.
    federation_remote_media_max_bytes: int = 8 * 1024 * 1024
    # Deliveries are retried with exponential backoff and given up after this many hours.
    federation_delivery_horizon_hours: float = 48.0
    # How long a worker holds a delivery it is sending before another may take it over (a dead worker).
    federation_delivery_lease_seconds: int = 300
    # How often the scheduler sends deliveries (and inbox items) whose retry time has come, or whose lease ran
    # out (``spool.federation.tasks.retry_deliveries``).
    federation_retry_interval_seconds: float = 60.0
    # How many deliveries one worker task sends at once (threads, each with its own connection): the wait on
    # remote servers overlaps instead of adding up. 1 sends one task per delivery, one at a time.
    federation_delivery_concurrency: int = 16

    # Data exports (spool.exports): ZIPs and their rows are deleted this many days after they were asked for
    # (the periodic task ``spool.exports.tasks.expire_data_exports``).
    export_retention_days: int = 7

    # Accounts (spool.accounts). Embedded servers often have no mail set up, so confirming the address is
    # off by default; turn it on once SPOOL_EMAIL_URL reaches a real mail server. Invite-only: sign-up
    # needs a code that admins and moderators create in Moderation → Invites.
    require_email_confirmation: bool = False
    invite_only: bool = False
    # Where account email goes: smtp://user:password@host:587 (STARTTLS), smtps://…:465 (TLS),
    # console:// (printed), or file:///path; empty = one file per message under <data_dir>/mail.
    email_url: str = ""
    email_from: str = ""
    # Staged rollout (spool.rollout): the request header a trusted proxy or CDN sets to the visitor's ISO
    # 3166 country code (e.g. ``CF-IPCountry``). Unset: every visitor's country is unknown.
    country_header: str = ""
    # Per-action rate limits (spool.core.ratelimit) overridden by scope, e.g. ``{"follows": 500}`` (JSON).
    rate_limits: dict[str, int] = Field(default_factory=dict)

    # Database connections across requests (spool.databases): a pool per process on PostgreSQL, each
    # thread's connection kept open on SQLite. Turn off behind an external pooler (PgBouncer).
    db_pool: bool = True
    db_pool_min_size: int = 2
    db_pool_max_size: int = 8
    db_pool_timeout_seconds: float = 30.0
    # Embedded mode's in-process cache (no Redis): entries kept per process (a rendered status is ~2 KB).
    local_cache_entries: int = 20_000
    # Warm home pages remembered per server process (spool.api.mastodon.page_cache) and served again while
    # nothing they were made from changed; 0 turns it off. A page keeps its statuses' bytes alive (~80 KB at
    # limit 40 in the worst case, mostly shared with the finished statuses every process keeps anyway).
    home_page_cache: int = 1000
    # PostgreSQL: each server process listens for the database's notices of changed rows
    # (spool.timelines.notices) and serves a remembered page without asking the database while none of its
    # rows changed. Off: every remembered page is checked by a statement, as on SQLite.
    page_notices: bool = True

    # Outside services: named as operators expect, so not prefixed with SPOOL_.
    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    redis_url: str = Field(default="", validation_alias="REDIS_URL")
    celery_broker_url: str = Field(default="", validation_alias="CELERY_BROKER_URL")

    @property
    def public_url(self) -> str:
        scheme = "https" if self.https else "http"
        return f"{scheme}://{self.domain}"


config = SpoolConfig()
