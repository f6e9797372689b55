"""Custom feeds and the other unranked feeds: stored definitions (topics, profiles, keywords; Top or
Recent), pins and the default feed, Liked, Saved, topic feeds (Top and Recent) and the fediverse feed.

Modules: ``models`` (rows), ``validation`` (checking a definition), ``services`` (every write),
``access`` (who may read or change a feed), ``selection`` (one bounded query per feed), ``pipeline``
(hidden words and cards for a page), ``menu`` (the feed switcher's entries and the default feed).
"""
