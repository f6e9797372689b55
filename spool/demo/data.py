"""The demo site: people, a follow graph and three weeks of posts, made through the real services.

:func:`seed` writes a script first — every sign-up, follow, post, reply, quote, repost, like, save and vote,
each at a moment of the past six weeks — and then plays it in time order with the :mod:`simulated clock
<spool.demo.clock>` set to each action's moment, calling the same services the pages and APIs call. So the
counters, notifications, topics, link cards and IDs are exactly what real use would have produced. The
script is drawn from a seeded random generator: the same seed gives the same site (up to the current time).

Everything runs in one transaction: the demo data is there completely or not at all, and running ``seed``
again when the demo account exists changes nothing.

Only ``@demo`` has a known password (printed by ``make run``). Everyone else gets a random password nobody
sees, hashed with Argon2 at its lowest cost so seeding stays fast; the hashes remain ordinary Argon2 ones.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from spool.core.errors import NotFound, SpoolError
from spool.demo import content
from spool.demo.clock import simulated_time
from spool.demo.images import avatar_png, scene_jpeg
from spool.demo.moderation import write_moderation
from spool.demo.people import CAST, DEMO, DEMO_EMAIL, DEMO_HANDLE, PALETTE, Person
from spool.identities import services as identities
from spool.identities.models import Account
from spool.notifications import services as notifications
from spool.notifications.models import Notification
from spool.posts import services as posts

DEMO_LOGIN_FILE = "demo-login.txt"  # read by ``manage.py serve`` to print the login
QUICK_HASHER = "spool.demo.hashers.QuickArgon2PasswordHasher"
HISTORY = timedelta(days=45)
POSTING_WINDOW = timedelta(days=21)


@dataclass
class Summary:
    password: str = ""
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        keys = ("people", "follows", "requests", "posts", "replies", "quotes", "reposts", "likes", "saves")
        return ", ".join(f"{self.counts[k]} {k}" for k in keys) + f", {self.counts['votes']} poll votes"


def demo_exists() -> bool:
    return Account.objects.by_handle(DEMO_HANDLE).exists()


def seed(
    *, password: str | None = None, random_seed: int = 2024, now: datetime | None = None
) -> Summary | None:
    """Create the demo site unless ``@demo`` already exists (then return ``None``)."""
    if demo_exists():
        return None
    summary = Summary(password=password or secrets.token_urlsafe(9))
    script = Script(random.Random(random_seed), now or timezone.now(), summary)
    script.write()
    with transaction.atomic(), simulated_time(script.start) as clock:
        for moment, _, name, action in sorted(script.actions, key=lambda a: (a[0], a[1])):
            clock.set(moment)
            try:
                action()
            except SpoolError as exc:
                # The services have the last word: an action the script got wrong is refused and left out.
                summary.skipped.append(f"{name}: {exc.message}")
    return summary


def write_login_file(summary: Summary) -> Path:
    path = Path(settings.DATA_DIR) / DEMO_LOGIN_FILE
    path.write_text(f"{DEMO_EMAIL} / {summary.password}\n")
    path.chmod(0o600)
    return path


class Script:
    """Plans the demo's history as ``(moment, order, name, action)`` entries; :func:`seed` plays them."""

    def __init__(self, rng: random.Random, now: datetime, summary: Summary) -> None:
        self.rng = rng
        self.now = now.replace(microsecond=0)
        self.start = self.now - HISTORY
        self.summary = summary
        self.actions: list[tuple[datetime, int, str, Callable[[], None]]] = []
        self.cast: list[Person] = [DEMO, *CAST]
        self.by_handle = {p.handle: p for p in self.cast}
        self.accounts: dict[str, Account] = {}
        self.joined: dict[str, datetime] = {}
        # (follower, followee) → when the follow took effect (for private profiles: when approved).
        self.follows: dict[tuple[str, str], datetime] = {}
        self.posts: dict[str, int] = {}  # post key → ID once created
        self.root_authors: dict[str, str] = {}  # reply key → author of the thread's first post
        self.post_meta: dict[str, tuple[str, datetime]] = {}  # post key → (author, when)
        self.used_texts: set[str] = set()
        self._serial = 0

    # --- Bookkeeping ------------------------------------------------------------------------------------

    def at(self, moment: datetime, name: str, action: Callable[[], None]) -> None:
        self._serial += 1
        self.actions.append((min(moment, self.now - timedelta(minutes=1)), self._serial, name, action))

    def account(self, handle: str) -> Account:
        """The demo person's account; ``NotFound`` (so the action is left out) if their sign-up was refused,
        e.g. because someone already has the handle."""
        account = self.accounts.get(handle)
        if account is None:
            raise NotFound(f"@{handle} was not created.")
        return account

    def can_see(self, viewer: str, author: str, moment: datetime) -> bool:
        if viewer == author or not self.by_handle[author].private:
            return True
        since = self.follows.get((viewer, author))
        return since is not None and since < moment

    def follows_at(self, viewer: str, author: str, moment: datetime) -> bool:
        since = self.follows.get((viewer, author))
        return since is not None and since < moment

    def later(self, moment: datetime, mean_hours: float, cap_hours: float = 72) -> datetime:
        hours = min(self.rng.expovariate(1 / mean_hours), cap_hours)
        return moment + timedelta(hours=hours, minutes=self.rng.randint(1, 9))

    def post_time(self) -> datetime:
        """A moment in the posting window, mostly in the daytime."""
        day = self.now - POSTING_WINDOW + timedelta(days=self.rng.randint(0, 20))
        hour = self.rng.choice((7, 8, 9, 10, 12, 13, 15, 17, 18, 19, 20, 21, 22))
        return day.replace(hour=hour, minute=self.rng.randint(0, 59), second=self.rng.randint(0, 59))

    # --- The script -------------------------------------------------------------------------------------

    def write(self) -> None:
        self.write_people()
        self.write_follows()
        self.write_posts()
        self.write_polls()
        self.write_specials()
        write_moderation(self)
        self.write_demo_inbox()

    def write_people(self) -> None:
        for index, person in enumerate(self.cast):
            joined = self.start + timedelta(hours=index * 5 + self.rng.randint(0, 4))
            self.joined[person.handle] = joined
            colour = person.colour or PALETTE[index % len(PALETTE)]
            self.at(joined, f"sign up @{person.handle}", self._sign_up(person, colour))

    def _sign_up(self, person: Person, colour: str) -> Callable[[], None]:
        def run() -> None:
            is_demo = person.handle == DEMO_HANDLE
            email = DEMO_EMAIL if is_demo else f"{person.handle.replace('.', '_')}@people.spool.example"
            if is_demo:
                account = identities.register_account(
                    email=email,
                    password=self.summary.password,
                    handle=person.handle,
                    display_name=person.name,
                )
            else:
                with override_settings(PASSWORD_HASHERS=[QUICK_HASHER]):
                    account = identities.register_account(
                        email=email,
                        password=secrets.token_urlsafe(24),
                        handle=person.handle,
                        display_name=person.name,
                    )
            identities.update_profile(
                account,
                bio=person.bio,
                links=[{"url": url, "title": title} for url, title in person.links],
                is_private=person.private,
            )
            if person.avatar:
                upload = SimpleUploadedFile("avatar.png", avatar_png(person.name, colour), "image/png")
                identities.set_avatar(account, upload)
            self.accounts[person.handle] = account
            self.summary.counts["people"] += 1

        return run

    def write_follows(self) -> None:
        demo_follows = {
            "mira.okafor",
            "hannah.bakes",
            "lucia.reads",
            "amara.n",
            "elif.codes",
            "ines.rides",
            "felix.brews",
            "zara.reads",
            "tomasz_w",
            "noor.film",
            "lena.roast",
            "yuki.draws",
            "kenji.sato",
            "sofia.cine",
        }
        demo_requests_pending = {"grace.k"}
        for follower in self.cast:
            for followee in self.cast:
                if follower is followee:
                    continue
                a, b = follower.handle, followee.handle
                if a == DEMO_HANDLE:
                    wanted = b in demo_follows or b in demo_requests_pending
                elif b == DEMO_HANDLE:
                    wanted = self.rng.random() < 0.5
                else:
                    shared = set(follower.interests) & set(followee.interests)
                    chance = 0.65 if followee.popular else 0.36 if shared else 0.06
                    wanted = self.rng.random() < chance
                if not wanted:
                    continue
                both = max(self.joined[a], self.joined[b])
                # Most follows happen in the first days; a few are recent, so the Activity tab has some news.
                if self.rng.random() < 0.08 and b == DEMO_HANDLE:
                    when = self.now - timedelta(hours=self.rng.randint(2, 60))
                else:
                    when = both + timedelta(hours=self.rng.randint(1, 24 * 8))
                self.at(when, f"@{a} follows @{b}", self._follow(a, b))
                if followee.private:
                    # Most requests are approved within a day; a few stay pending (the demo's one included).
                    pending = (a == DEMO_HANDLE and b in demo_requests_pending) or a in ("leo.py", "jonas.h")
                    if not pending and self.rng.random() < 0.85:
                        approved = when + timedelta(hours=self.rng.randint(1, 30))
                        self.follows[(a, b)] = approved
                        self.at(approved, f"@{b} approves @{a}", self._approve(b, a))
                else:
                    self.follows[(a, b)] = when

    def _follow(self, a: str, b: str) -> Callable[[], None]:
        def run() -> None:
            state = identities.follow_account(self.account(a), self.account(b))
            self.summary.counts["follows" if state == "following" else "requests"] += 1

        return run

    def _approve(self, target: str, requester: str) -> Callable[[], None]:
        def run() -> None:
            identities.approve_follow_request(self.account(target), self.account(requester))
            self.summary.counts["requests"] -= 1
            self.summary.counts["follows"] += 1

        return run

    def write_posts(self) -> None:
        for person in self.cast:
            count = max(1, round(self.rng.gauss(5.2 * person.activity, 1.5)))
            for _ in range(count):
                text, topic = self._text_for(person)
                if text is None:
                    break
                self.root_post(person.handle, self.post_time(), text, topic=topic)

    def _text_for(self, person: Person) -> tuple[str | None, str]:
        """An unused text from the person's interests (with its topic tag), else a general one."""
        interests = list(person.interests)
        self.rng.shuffle(interests)
        for interest in interests:
            display, texts = content.TOPICS[interest]
            fresh = [t for t in texts if t not in self.used_texts]
            if fresh:
                text = self.rng.choice(fresh)
                self.used_texts.add(text)
                roll = self.rng.random()
                if roll < 0.55:
                    return text, display
                if roll < 0.75 and " " not in display:
                    return f"{text} #{display}", ""
                return text, ""
        fresh = [t for t in content.GENERAL if t not in self.used_texts]
        if not fresh:
            return None, ""
        text = self.rng.choice(fresh)
        self.used_texts.add(text)
        return text, ""

    def root_post(
        self, author: str, when: datetime, text: str, *, interact: bool = True, **options: Any
    ) -> str:
        key = f"p{len(self.post_meta)}"
        self.post_meta[key] = (author, when)
        self.at(when, f"@{author} posts", self._create(key, author, text, **options))
        if interact:
            self.write_reactions(key, author, when, thread=True)
        return key

    def _create(self, key: str, author: str, text: str, **options: Any) -> Callable[[], None]:
        def run() -> None:
            images = options.pop("images", ())
            if "reply_to" in options:
                parent = self.posts.get(options.pop("reply_to"))
                if parent is None:
                    return
                options["reply_to_id"] = parent
            if "quote_of" in options:
                quoted = self.posts.get(options.pop("quote_of"))
                if quoted is None:
                    return
                options["quote_of_id"] = quoted
            media_ids = [
                posts.upload_media(
                    self.account(author), SimpleUploadedFile("photo.jpg", scene_jpeg(seed), "image/jpeg"), alt
                ).id
                for seed, alt in images
            ]
            post = posts.create_post(self.account(author), text=text, media_ids=media_ids, **options)
            self.posts[key] = post.id
            kind = "replies" if post.reply_to_id else "quotes" if post.quote_of_id else "posts"
            self.summary.counts[kind] += 1

        return run

    def audience(self, author: str, moment: datetime) -> list[str]:
        """Who might react to a post of ``author`` at ``moment``: followers first, then (if public) others."""
        followers = [
            p.handle for p in self.cast if p.handle != author and self.follows_at(p.handle, author, moment)
        ]
        if self.by_handle[author].private:
            return followers
        others = [p.handle for p in self.cast if p.handle != author and p.handle not in followers]
        return followers + self.rng.sample(others, k=min(len(others), 3))

    def write_reactions(
        self, key: str, author: str, when: datetime, *, thread: bool, upstream: tuple[str, ...] = ()
    ) -> None:
        """Likes and, for root posts, reposts, saves, a quote now and then and a thread of replies. Everyone
        reacting can see the post at that moment, and the ``upstream`` authors (of the parent and the thread's
        first post) too."""
        person = self.by_handle[author]
        crowd = [
            h
            for h in self.audience(author, when)
            if all(self.can_see(h, a, when) for a in (author, *upstream))
        ]
        weight = (1.8 if person.popular else 1.0) * (1 if thread else 0.35)
        for handle in crowd:
            if self.rng.random() < 0.1 * weight * self.by_handle[handle].activity:
                like_at = self.later(when, 6)
                if self.can_see(handle, author, like_at):
                    self.at(
                        like_at,
                        f"@{handle} likes {key}",
                        self._interact(posts.like_post, handle, key, "likes"),
                    )
        if not thread:
            return
        if not person.private:
            for handle in crowd:
                if self.rng.random() < 0.025 * weight:
                    self.at(
                        self.later(when, 10),
                        f"@{handle} reposts {key}",
                        self._interact(posts.repost_post, handle, key, "reposts"),
                    )
            if self.rng.random() < 0.06 * weight and crowd:
                quoter = self.rng.choice(crowd)
                self.root_post(
                    quoter,
                    self.later(when, 12),
                    self.rng.choice(content.QUOTES),
                    quote_of=key,
                    interact=False,
                )
        for handle in crowd:
            if self.rng.random() < 0.015:
                self.at(
                    self.later(when, 20),
                    f"@{handle} saves {key}",
                    self._interact(posts.save_post, handle, key, "saves"),
                )
        self.write_thread(key, author, when, crowd)

    def write_thread(self, key: str, author: str, when: datetime, crowd: list[str]) -> None:
        roll = self.rng.random()
        count = 0 if roll < 0.6 else self.rng.randint(1, 2) if roll < 0.9 else self.rng.randint(3, 5)
        repliers = [h for h in crowd if self.can_see(h, author, when)]
        for _ in range(min(count, len(repliers))):
            replier = self.rng.choice(repliers)
            reply_at = self.later(when, 3, cap_hours=36)
            reply_key = self.reply(
                key, replier, reply_at, self.rng.choice(content.REPLIES), root_author=author
            )
            back_at = self.later(reply_at, 2, cap_hours=24)
            # The thread's author answers now and then (if they can see the replier's posts).
            if self.rng.random() < 0.3 and self.can_see(author, replier, back_at):
                back_key = self.reply(reply_key, author, back_at, self.rng.choice(content.AUTHOR_REPLIES))
                if self.rng.random() < 0.3:
                    again_at = self.later(back_at, 2, cap_hours=24)
                    self.reply(back_key, replier, again_at, self.rng.choice(content.REPLIES))

    def reply(self, parent: str, author: str, when: datetime, text: str, *, root_author: str = "") -> str:
        """Plan a reply to the post ``parent``, then reactions to the reply; return the reply's key."""
        root_author = root_author or self.root_authors[parent]
        key = f"{parent}>r{len(self.post_meta)}"
        self.post_meta[key] = (author, when)
        self.root_authors[key] = root_author
        self.at(when, f"@{author} replies to {parent}", self._create(key, author, text, reply_to=parent))
        parent_author = self.post_meta[parent][0]
        self.write_reactions(key, author, when, thread=False, upstream=(root_author, parent_author))
        return key

    def _interact(
        self, service: Callable[[Account, Any], Any], handle: str, key: str, counter: str
    ) -> Callable[[], None]:
        def run() -> None:
            post_id = self.posts.get(key)
            if post_id is None:
                return
            service(self.account(handle), post_id)
            self.summary.counts[counter] += 1

        return run

    # --- Special posts -----------------------------------------------------------------------------------

    def write_polls(self) -> None:
        (open_q, open_options), (ended_q, ended_options) = content.POLLS
        opened = self.now - timedelta(hours=5)
        open_key = self.root_post("ines.rides", opened, open_q, poll_options=open_options, topic="Cycling")
        ended_at = self.now - timedelta(days=6, hours=3)
        ended_key = self.root_post("zara.reads", ended_at, ended_q, poll_options=ended_options, topic="Books")
        for key, author, start, votes in (
            (open_key, "ines.rides", opened, 9),
            (ended_key, "zara.reads", ended_at, 14),
        ):
            voters = [h for h in self.audience(author, start) if h != DEMO_HANDLE or key == ended_key]
            for handle in self.rng.sample(voters, k=min(votes, len(voters))):
                option = min(int(self.rng.expovariate(0.9)), 3)
                vote_at = start + timedelta(minutes=self.rng.randint(5, 60 * 4))
                self.at(vote_at, f"@{handle} votes in {key}", self._vote(handle, key, option))
        # The scheduler closes ended polls every minute; here it runs once, a minute after the 24 hours.
        self.at(ended_at + timedelta(hours=24, minutes=1), "close ended polls", self._close_polls)

    def _close_polls(self) -> None:
        posts.close_ended_polls()

    def _vote(self, handle: str, key: str, option: int) -> Callable[[], None]:
        def run() -> None:
            post_id = self.posts.get(key)
            if post_id is not None:
                posts.vote_in_poll(self.account(handle), post_id, option)
                self.summary.counts["votes"] += 1

        return run

    def write_specials(self) -> None:
        rng = self.rng
        # Spoilers: film and book people, mostly.
        spoiler_authors = ["noor.film", "lucia.reads", "clara.jazz", "yuki.draws", "zara.reads"]
        for (text, hidden), author in zip(content.SPOILERS, spoiler_authors, strict=True):
            spoilers = [[text.index(part), len(part)] for part in hidden]
            self.root_post(
                author, self.post_time(), text, spoilers=spoilers, topic=rng.choice(("Film", "Books"))
            )
        # Images, one of them behind a media spoiler.
        image_authors = [
            "mira.okafor",
            "hannah.bakes",
            "ravi.frames",
            "sam.garden",
            "kenji.sato",
            "lena.roast",
        ]
        for index, ((text, alt), author) in enumerate(zip(content.IMAGE_POSTS, image_authors, strict=True)):
            count = 3 if index == 0 else 1
            images = [(rng.randint(1, 10**6), alt) for _ in range(count)]
            self.root_post(author, self.post_time(), text, images=images)
        self.root_post(
            "noor.film",
            self.post_time(),
            "A frame from the last scene of tonight's film. Spoiler, obviously.",
            images=[(rng.randint(1, 10**6), "A still from the final scene of a film.")],
            media_spoiler=True,
            topic="Film",
        )
        # Links (their preview cards are fetched by the worker, in the background, like any post's).
        for text in content.LINKS:
            self.root_post(rng.choice(self.cast[1:]).handle, self.post_time(), text)
        # Mentions of people one follows, a few of them of @demo.
        for index, template in enumerate(content.MENTIONS * 3):
            author = rng.choice(self.cast[1:]).handle
            when = self.post_time()
            options = [h for (a, h), since in self.follows.items() if a == author and since < when]
            who = (
                DEMO_HANDLE
                if index % 4 == 0 and author != DEMO_HANDLE
                else rng.choice(options or ["mira.okafor"])
            )
            if who == author:
                continue
            self.root_post(author, when, template.format(who=who))
        # A long post with a styled text attachment.
        title, body = content.LONG_POST
        styles = [
            {"offset": 0, "length": len("A year ago I couldn't make toast."), "styles": ["bold"]},
            {
                "offset": body.index("Weigh everything."),
                "length": len("Weigh everything."),
                "styles": ["highlight"],
            },
        ]
        self.root_post(
            "hannah.bakes",
            self.now - timedelta(days=3, hours=4),
            title,
            attachment_text=body,
            attachment_styles=styles,
            topic="Sourdough",
        )
        # A ghost post, a few hours old (it archives itself 24 hours after posting).
        self.root_post(
            "hannah.bakes", self.now - timedelta(hours=2), content.GHOST, ghost=True, interact=False
        )
        # A post with limited replies, and an edited one (fixed within the 15 minutes).
        self.root_post(
            "amara.n",
            self.post_time(),
            "Only people I follow can reply to this one: what's the best street you've ever walked down?",
            reply_control="accounts_you_follow",
            interact=False,
        )
        typo_at = self.post_time()
        key = self.root_post(
            "tomasz_w",
            typo_at,
            "Postgres 17 made our nightly job twice as fast. Vacum less, worry less.",
            topic="Python",
        )
        self.at(
            typo_at + timedelta(minutes=4),
            "fix a typo",
            self._edit(
                key,
                "tomasz_w",
                "Postgres 17 made our nightly job twice as fast. Vacuum less, worry less.",
                "Python",
            ),
        )
        # The demo account's own posts.
        for text in (
            "Hello Spool! Trying out the demo account.",
            "What should I read next? Fiction, anything but crime.",
            "Rode to the coast and back today. Legs: gone. Mood: excellent. #Cycling",
            "Best coffee in town, go: ☕",
        ):
            self.root_post(
                DEMO_HANDLE, self.now - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 10)), text
            )

    def _edit(self, key: str, author: str, text: str, topic: str) -> Callable[[], None]:
        def run() -> None:
            post_id = self.posts.get(key)
            if post_id is not None:
                posts.edit_post(self.account(author), post_id, text=text, topic=topic)

        return run

    def write_demo_inbox(self) -> None:
        """The demo account has read what is older than two days; the rest is unread."""
        cutoff = self.now - timedelta(days=2)

        def run() -> None:
            account = self.account(DEMO_HANDLE)
            old = Notification.objects.filter(recipient=account, created_at__lt=cutoff).values_list(
                "id", flat=True
            )
            ids = list(old)
            for start in range(0, len(ids), notifications.MAX_MARK_READ_IDS):
                notifications.mark_read(account, ids[start : start + notifications.MAX_MARK_READ_IDS])

        self.at(self.now - timedelta(minutes=2), "demo reads old notifications", run)
