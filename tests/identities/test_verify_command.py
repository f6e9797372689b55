from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from spool.identities.models import Account
from spool.identities.services import register_account


def test_operators_verify_and_unverify_from_the_command_line(db):
    register_account(email="ana@example.com", password="a long enough passphrase", handle="Ana")
    out = StringIO()
    call_command("verify", "@ana", stdout=out)
    assert "@Ana is verified." in out.getvalue()
    assert Account.objects.get(handle="Ana").is_verified
    call_command("verify", "ana", "--remove", stdout=StringIO())
    assert not Account.objects.get(handle="Ana").is_verified


def test_unknown_handle_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No local profile @ghost"):
        call_command("verify", "@ghost")
