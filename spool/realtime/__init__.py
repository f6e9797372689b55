"""Real-time delivery over WebSockets (Channels); events are pushed only after commit.

Public interface (for the Mastodon streaming API and the direct-messages app):

Groups (:mod:`spool.realtime.groups`) — a connection joins the groups it listens to through
:func:`spool.realtime.listeners.join` and leaves them through ``leave`` (on the Redis layer a home group's
listener is recorded for every process's pushes; a connection with a home group refreshes that record with
``keep_while_connected``); names are ASCII:

- ``account_group(id)`` ``account.<id>``: anything for one person's own devices (direct messages, typing,
  read receipts). Carries :func:`push_to_account` events.
- ``home_group(id)`` ``home.<id>``: posts entering that person's home feed.
- ``notifications_group(id)`` ``notifications.<id>``: that person's new notifications.
- ``direct_group(id)`` ``direct.<id>``: conversation updates (Mastodon's ``direct`` stream).
- ``public_group(locality, media=False)`` ``public[.local|.remote][.media]``: public top-level posts.
- ``hashtag_group(name, local=False)``: posts with that topic tag (any spelling of it).
- ``list_group(id)`` ``list.<id>``: posts by members of that list.

Messages on the layer are dicts with a ``type`` the consumer dispatches on (``realtime.event`` →
``realtime_event``) and ``group``, the group they were sent to (a connection may join several):

- ``{"type": "realtime.event", "event": name, "payload": str | JSON value}``: delivered as it is.
- ``{"type": "realtime.status", "event": "update" | "status.update", "post_id", "repost_id"}``: a post to
  render *for each recipient*, who may no longer (or never) be allowed to see it — the consumer re-checks.
- ``{"type": "realtime.notification", "notification_id"}``: a notification to render for its recipient.

Publishing (:mod:`spool.realtime.push`), from synchronous code after commit:

- ``push(group, message)`` / ``push_many(groups, message)``: send through the channel layer.
- ``push_to_account(account_id, event, payload)``: a ``realtime.event`` to ``account.<id>``.
- ``push_after_commit(...)``: the same, deferred until the current transaction commits (dropped on
  rollback); use it from code that may run inside a transaction.

Authentication (:mod:`spool.realtime.auth`), for a consumer's ``connect``:

- ``token_from_scope(scope)``: the OAuth bearer token a WebSocket handshake carries (``access_token`` query
  parameter, ``Authorization: Bearer`` header, or ``Sec-WebSocket-Protocol``) and whether it came as the
  subprotocol (the consumer must then accept with that subprotocol).
- ``token_account(raw)``: the live token's remembered credential with its person's account
  (:class:`~spool.oauth.services.Bearer`) or ``None``; what ends a token is seen on the next handshake.
- ``session_account(scope)``: the signed-in person of a same-origin browser connection (session cookie,
  ``AuthMiddlewareStack`` in :mod:`spool.asgi`), or ``None`` for another origin or nobody.

Which groups a domain event reaches is decided in :mod:`spool.realtime.delivery` (subscribed after commit in
``RealtimeConfig.ready``). Embedded, the in-process layer reaches connections of the same process only:
work done by the Celery worker process (poll endings) is not pushed live there; with ``REDIS_URL`` the
Redis layer reaches every process.
"""
