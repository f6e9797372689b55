"""``manage.py federation_demo`` (``make federation-demo``): two Spool instances on loopback that follow
and reply to each other, then keep running so you can look around in a browser."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from spool.federation.devpair import Instance, make_pair, wait_for


class Command(BaseCommand):
    help = "Start two federating Spool instances on loopback and show them following and replying."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ports", default="9601,9602", help="Ports of the two instances.")
        parser.add_argument("--once", action="store_true", help="Stop after the story instead of serving on.")

    def handle(self, *args: Any, **options: Any) -> None:
        ports = tuple(int(p) for p in options["ports"].split(","))
        root = Path(settings.DATA_DIR) / "federation-demo"
        if root.exists():
            import shutil

            shutil.rmtree(root)
        self.stdout.write("Migrating and setting up two instances (a minute or so)…")
        a, b = make_pair(root, (ports[0], ports[1]), (["ana"], ["ben"]))
        try:
            a.start()
            b.start()
            self._story(a, b)
            if not options["once"]:
                self.stdout.write(f"\nBrowse {a.url}/@ana and {b.url}/@ben. Ctrl-C stops both.")
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            a.stop()
            b.stop()

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    def _story(self, a: Instance, b: Instance) -> None:
        ana, ben = a.client("ana"), b.client("ben")
        self._say(f"A: {a.url}   B: {b.url}")
        ben_on_a = ana.get("/api/v2/search", q=f"@ben@{b.domain}", resolve="true", type="accounts")[
            "accounts"
        ][0]
        ana.post(f"/api/v1/accounts/{ben_on_a['id']}/follow")
        self._say(f"A  @ana follows @ben@{b.domain}")
        ben_id = b.people["ben"]["id"]
        followers = wait_for("the follow on B", lambda: ben.get(f"/api/v1/accounts/{ben_id}/followers"))
        self._say(f"B  @ben's followers: {[f['acct'] for f in followers]}")
        post = ben.post("/api/v1/statuses", {"status": "Hello from instance B!"})
        self._say("B  @ben posts: Hello from instance B!")
        home = wait_for(
            "the post on A",
            lambda: [s for s in ana.get("/api/v1/timelines/home") if "instance B" in s["content"]],
        )
        self._say(f"A  @ana's home shows @{home[0]['account']['acct']}: {home[0]['content']}")
        ana.post("/api/v1/statuses", {"status": "Hi Ben, greetings from A", "in_reply_to_id": home[0]["id"]})
        self._say("A  @ana replies: Hi Ben, greetings from A")
        replies = wait_for(
            "the reply on B", lambda: ben.get(f"/api/v1/statuses/{post['id']}/context")["descendants"]
        )
        self._say(f"B  replies under @ben's post: {[(r['account']['acct'], r['content']) for r in replies]}")
