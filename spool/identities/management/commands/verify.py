"""``manage.py verify @handle [--remove]``: an operator gives or takes a local profile's verified badge."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spool.identities.models import Account
from spool.identities.services import set_verified


class Command(BaseCommand):
    help = "Give (or with --remove take) the verified badge of a local profile."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle")
        parser.add_argument("--remove", action="store_true", help="take the badge away")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.local().by_handle(options["handle"]).first()
        if account is None:
            raise CommandError(f"No local profile @{options['handle'].lstrip('@')}.")
        set_verified(None, account, not options["remove"])
        state = "no longer verified" if options["remove"] else "verified"
        self.stdout.write(f"@{account.handle} is {state}.")
