"""``manage.py create_invite [--uses N] [--days D]``: an operator makes an invite code from the shell, e.g.
for the first people (the administrators included) on a server that starts invite-only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spool.accounts.invites import create_invite_code
from spool.core.errors import SpoolError


class Command(BaseCommand):
    help = "Create an invite code for sign-up on an invite-only server (SPOOL_INVITE_ONLY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uses", default="1", help="how many sign-ups it admits (1 to 1000)")
        parser.add_argument(
            "--days", default="7", help="days until it expires (1 to 365; 'never' for no end)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = None if options["days"] == "never" else options["days"]
        try:
            invite = create_invite_code(None, max_uses=options["uses"], expires_in_days=days)
        except SpoolError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(invite.code)
