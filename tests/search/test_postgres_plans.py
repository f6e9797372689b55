"""PostgreSQL's two plans for "the newest matches" (walking the key, collecting from the GIN index) find the
same posts in the same order with the same relevance, whichever the estimate picks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from spool.search.backends import get_backend
from spool.search.query import parse_query

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search plans")


def test_the_walk_and_the_gin_plan_agree(people, post):
    from spool.search.backends.postgres import collected, walked

    ana = people("ana")
    texts = ["red roses", "white roses", "red tulips", "roses are red", "red red roses", "lilies"] * 3
    ids = [post(ana, text).id for text in texts]
    for q in ("roses", "red roses", '"red roses"', "roses -white", "tulips or lilies"):
        text = parse_query(q).websearch()
        for before, upto in ((None, None), (ids[-2], None), (None, ids[10]), (ids[15], ids[12])):
            for limit in (1, 3, 50):
                for relevance in (True, False):
                    found = collected(text, before, upto, limit, relevance)
                    assert walked(text, before, upto, limit, relevance) == found
                    backend = get_backend().newest_matches(
                        parse_query(q), before=before, upto=upto, limit=limit, relevance=relevance
                    )
                    assert [i for i, _ in backend] == [i for i, _ in found]


def test_the_plan_estimate_is_shared_with_other_processes_through_the_cache(people, post):
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    from spool.search.backends import postgres

    post(people("ana"), "red roses")
    query = parse_query("red roses")
    words = ("red", "roses")
    cache.delete(postgres._estimate_key(query.websearch(), words, postgres._period()))

    def explains() -> int:
        postgres._estimate.cache_clear()  # as in a process that never ran this search
        with CaptureQueriesContext(connection) as ctx:
            found = get_backend().newest_matches(query, before=None, upto=None, limit=5)
        assert len(found) == 1
        return sum(q["sql"].startswith("EXPLAIN") for q in ctx.captured_queries)

    assert explains() == 1
    assert explains() == 0


def test_profile_search_by_prefix_can_use_the_prefix_indexes(people):
    from spool.identities.models import Account

    people("ana")
    qs = Account.objects.filter(Q(handle__istartswith="an") | Q(display_name__istartswith="an"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few accounts would be read whole
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "identities_account_handle_prefix" in plan, plan
    assert "identities_account_display_name_prefix" in plan, plan
