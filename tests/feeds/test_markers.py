"""Read positions: saved per timeline with a version, all or nothing, and the notifications position marks
notifications read."""

from __future__ import annotations

import pytest

from spool.core.errors import ValidationError
from spool.feeds.markers import get_markers, save_markers
from spool.feeds.models import Marker
from spool.identities.services import follow_account
from spool.notifications.models import Notification


def test_markers_are_saved_and_versioned(people):
    ana = people("ana")
    assert get_markers(ana, ["home", "notifications"]) == {}
    saved = save_markers(ana, {"home": "1000"})
    assert (saved["home"].last_read_id, saved["home"].version) == (1000, 1)
    first_update = saved["home"].updated_at
    saved = save_markers(ana, {"home": 2000, "notifications": 7})
    assert (saved["home"].last_read_id, saved["home"].version) == (2000, 2)
    assert saved["home"].updated_at >= first_update
    assert saved["notifications"].version == 1
    assert set(get_markers(ana, ["home", "notifications", "other"])) == {"home", "notifications"}
    assert get_markers(ana, []) == {}
    assert get_markers(people("bo"), ["home"]) == {}


@pytest.mark.parametrize(
    "positions", [{"home": "x"}, {"home": -1}, {"home": 5, "notifications": None}, {"feed": 5}, {}]
)
def test_bad_positions_save_nothing(people, positions):
    ana = people("ana")
    with pytest.raises(ValidationError):
        save_markers(ana, positions)
    assert not Marker.objects.exists()


def test_the_notifications_position_marks_notifications_read(people):
    ana, bo, cy = people("ana"), people("bo"), people("cy")
    follow_account(bo, ana)
    follow_account(cy, ana)
    first, _second = Notification.objects.filter(recipient=ana).order_by("id")
    save_markers(ana, {"notifications": first.id})
    assert list(Notification.objects.filter(recipient=ana).order_by("id").values_list("read", flat=True)) == [
        True,
        False,
    ]
