"""``manage.py grant_role @handle moderator|admin`` (or ``--revoke``): an operator names moderators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spool.core.errors import SpoolError
from spool.identities.models import Account
from spool.moderation.models import RoleName
from spool.moderation.services import grant_role, revoke_role


class Command(BaseCommand):
    help = "Make a local profile a moderator or an admin (or with --revoke take its role away)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle")
        parser.add_argument("role", nargs="?", choices=RoleName.values)
        parser.add_argument("--revoke", action="store_true", help="take the role away")

    def handle(self, *args: Any, **options: Any) -> None:
        handle = options["handle"].lstrip("@")
        account = Account.objects.local().by_handle(handle).first()
        if account is None:
            raise CommandError(f"No local profile @{handle}.")
        if options["revoke"]:
            had = revoke_role(None, account)
            self.stdout.write(f"@{account.handle} {'no longer has a role' if had else 'had no role'}.")
            return
        if not options["role"]:
            raise CommandError("Name the role: moderator or admin.")
        try:
            grant_role(None, account, options["role"])
        except SpoolError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"@{account.handle} is now {options['role']}.")
