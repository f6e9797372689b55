"""Spool's own JSON API (``/api/spool/v1/``): every Spool feature, including the ones Mastodon's API cannot
express. Thin: each endpoint parses input, calls one service or read function, and serialises the result."""
