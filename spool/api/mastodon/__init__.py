"""The Mastodon-compatible client API (``/api/v1/``, ``/api/v2/``): paths, parameters and entity shapes as
Mastodon documents them, so existing apps and libraries work. Spool-only fields sit under a ``spool`` key."""
