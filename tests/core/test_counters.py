"""Counters summed to the end of a batch's transaction (:mod:`spool.core.counters`): applied when the block
ends, a savepoint's share dropped when it rolls back, never below zero, at once outside a batch."""

from __future__ import annotations

import pytest
from django.db import transaction

from spool.core import counters
from spool.posts.models import Topic

pytestmark = pytest.mark.django_db


def _count(topic: Topic) -> int:
    topic.refresh_from_db(fields=["posts_count"])
    return topic.posts_count


def test_changes_are_summed_and_applied_when_the_block_ends() -> None:
    topic = Topic.objects.create(name="quokkas", display="quokkas")
    with transaction.atomic(), counters.deferring():
        counters.add(Topic, topic.pk, "posts_count", 1)
        counters.add(Topic, topic.pk, "posts_count", 1)
        assert _count(topic) == 0  # not yet
    assert _count(topic) == 2


def test_a_rolled_back_savepoint_takes_its_changes_with_it() -> None:
    topic = Topic.objects.create(name="wombats", display="wombats")
    with transaction.atomic(), counters.deferring():
        counters.add(Topic, topic.pk, "posts_count", 1)
        with pytest.raises(RuntimeError), counters.scope(), transaction.atomic():
            counters.add(Topic, topic.pk, "posts_count", 5)
            raise RuntimeError("this item failed")
        with counters.scope(), transaction.atomic():
            counters.add(Topic, topic.pk, "posts_count", 2)
    assert _count(topic) == 3


def test_a_block_that_raises_applies_nothing_and_counters_never_go_below_zero() -> None:
    topic = Topic.objects.create(name="numbats", display="numbats")
    with pytest.raises(RuntimeError), transaction.atomic(), counters.deferring():
        counters.add(Topic, topic.pk, "posts_count", 4)
        raise RuntimeError("the batch failed")
    assert _count(topic) == 0
    counters.add(Topic, topic.pk, "posts_count", 1)  # outside a batch: at once
    assert _count(topic) == 1
    with transaction.atomic(), counters.deferring():
        counters.add(Topic, topic.pk, "posts_count", -3)
    assert _count(topic) == 0
