from datetime import UTC, datetime, timedelta

from spool.core.snowflake import id_at, next_id, time_of


def test_ids_increase_and_fit_signed_64_bits():
    ids = [next_id() for _ in range(10_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**63 for i in ids)


def test_id_encodes_its_creation_time():
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    made = next_id()
    after = datetime.now(UTC) + timedelta(milliseconds=5)
    assert before <= time_of(made) <= after
    assert id_at(before) <= made < id_at(after)
