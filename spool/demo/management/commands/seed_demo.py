"""``manage.py seed_demo``: load the demo site once (see :mod:`spool.demo.data`)."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from spool.demo import data


class Command(BaseCommand):
    help = "Create demo people, follows and three weeks of posts through the real services (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=os.environ.get("SPOOL_DEMO_PASSWORD", ""),
            help="Password of demo@spool.local (default: $SPOOL_DEMO_PASSWORD, else a random one).",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed of the demo script.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = data.seed(password=options["password"] or None, random_seed=options["seed"])
        if summary is None:
            self.stdout.write("Demo data is already loaded (the @demo account exists); nothing to do.")
            return
        path = data.write_login_file(summary)
        self.stdout.write(f"Demo data loaded in {time.monotonic() - started:.1f} s: {summary.line()}.")
        if summary.skipped and options["verbosity"] > 1:
            for reason in summary.skipped:
                self.stdout.write(f"  left out: {reason}")
        elif summary.skipped:
            self.stdout.write(
                f"  ({len(summary.skipped)} planned actions were refused by the services; -v 2 lists them.)"
            )
        self.stdout.write(f"Demo login: {data.DEMO_EMAIL} / {summary.password} (saved in {path})")
