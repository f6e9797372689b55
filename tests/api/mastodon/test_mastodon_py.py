"""Spool driven end to end by the real Mastodon.py library against a live server on loopback: register an
app, complete the OAuth code flow through the sign-in and consent pages, post with an image and with a
poll, reply, boost, favourite, follow, read home and notifications page by page, and receive updates over
the streaming API (statuses and notifications over WebSockets, statuses as server-sent events)."""

from __future__ import annotations

import html
import io
import queue
import re
import threading
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from mastodon import Mastodon, StreamListener
from PIL import Image

from spool.identities.services import register_account
from tests.live import LiveSpool, live_spool  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
REDIRECT = "https://app.example/callback"
SCOPES = ["read", "write", "follow"]
WAIT = 10  # seconds to wait for a streamed event before failing


class Recorder(StreamListener):
    """Collects streamed events; ``ready`` is set once the server has answered on the stream (the first
    heartbeat of server-sent events, or the error frame a WebSocket gets for a stream that does not exist,
    sent after every earlier subscription was handled)."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.ready = threading.Event()

    def on_update(self, status: Any) -> None:
        self.events.put(("update", status))

    def on_notification(self, notification: Any) -> None:
        self.events.put(("notification", notification))

    def on_delete(self, status_id: Any) -> None:
        self.events.put(("delete", status_id))

    def handle_heartbeat(self) -> None:
        self.ready.set()

    def on_websocket_error(self, error: Any, for_stream: Any = None) -> None:
        self.ready.set()

    def next(self, event: str) -> Any:
        while True:
            name, data = self.events.get(timeout=WAIT)
            if name == event:
                return data


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def form_fields(page: str) -> dict[str, str]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in found}


def sign_in_and_consent(live: LiveSpool, api: Mastodon, email: str) -> str:
    """A person's browser: open the authorize URL, sign in on the sign-in page, press "authorize" on the
    consent page; the authorization code the app receives on its redirect URI."""
    browser = requests.Session()
    # ``allow_http``: the live server is plain HTTP on loopback.
    authorize = api.auth_request_url(redirect_uris=REDIRECT, scopes=SCOPES, allow_http=True)
    response = browser.get(authorize, allow_redirects=False)
    if response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login":
        login_url = urljoin(live.url, response.headers["Location"])
        login_page = browser.get(login_url)
        signed_in = browser.post(
            login_url,
            {**form_fields(login_page.text), "email": email, "password": PASSWORD},
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.text
        response = browser.get(urljoin(live.url, signed_in.headers["Location"]), allow_redirects=False)
    assert response.status_code == 200, response.text
    decided = browser.post(
        f"{live.url}/oauth/authorize",
        {**form_fields(response.text), "decision": "authorize"},
        allow_redirects=False,
    )
    assert decided.status_code == 302, decided.text
    location = decided.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)["code"][0]


def signed_in_client(live: LiveSpool, client_id: str, client_secret: str, email: str) -> Mastodon:
    api = Mastodon(
        client_id=client_id, client_secret=client_secret, api_base_url=live.url, version_check_mode="none"
    )
    code = sign_in_and_consent(live, api, email)
    api.log_in(code=code, redirect_uri=REDIRECT, scopes=SCOPES, allow_http=True)
    return api


def test_mastodon_py_drives_spool_end_to_end(live_spool: LiveSpool) -> None:  # noqa: F811
    live = live_spool
    for handle in ("ana", "bob"):
        register_account(email=f"{handle}@example.com", password=PASSWORD, handle=handle)

    client_id, client_secret = Mastodon.create_app(
        "Spool end-to-end", scopes=SCOPES, redirect_uris=REDIRECT, api_base_url=live.url
    )
    ana = signed_in_client(live, client_id, client_secret, "ana@example.com")
    bob = signed_in_client(live, client_id, client_secret, "bob@example.com")
    me = ana.account_verify_credentials()
    assert me.acct == "ana"

    # Bob follows Ana and listens: his user stream over a WebSocket, the local public stream as SSE.
    relationship = bob.account_follow(me.id)
    assert relationship.following
    home_listener, public_listener = Recorder(), Recorder()
    socket = bob.stream_open_websocket(listener=home_listener)
    socket.subscribe("user")
    socket.subscribe("no-such-stream")  # answered after "user" is in place
    assert home_listener.ready.wait(WAIT)
    sse = bob.stream_public(public_listener, local=True, run_async=True)
    assert public_listener.ready.wait(WAIT)
    # Ana listens to her notifications.
    alerts = Recorder()
    anas_socket = ana.stream_open_websocket(listener=alerts)
    anas_socket.subscribe("user:notification")
    anas_socket.subscribe("no-such-stream")
    assert alerts.ready.wait(WAIT)

    try:
        # Ana posts with an image, then a poll; both reach Bob live, rendered for him.
        media = ana.media_post(png(), mime_type="image/png", description="A blue square")
        with_image = ana.status_post("A blue square", media_ids=[media])
        assert with_image.media_attachments[0].description == "A blue square"
        streamed = home_listener.next("update")
        assert streamed.id == with_image.id and streamed.account.acct == "ana"
        assert public_listener.next("update").id == with_image.id

        with_poll = ana.status_post("Tea or coffee?", poll=ana.make_poll(["Tea", "Coffee"], expires_in=3600))
        assert [o.title for o in with_poll.poll.options] == ["Tea", "Coffee"]
        assert home_listener.next("update").id == with_poll.id

        # Bob replies, boosts and favourites; Ana's notifications say so.
        reply = bob.status_post("Tea, always", in_reply_to_id=with_poll.id)
        assert reply.in_reply_to_id == with_poll.id
        boost = bob.status_reblog(with_image.id)
        assert boost.reblog.id == with_image.id
        assert bob.status_favourite(with_poll.id).favourited
        assert bob.poll_vote(with_poll.poll.id, [0]).voted
        streamed_alerts = [alerts.next("notification") for _ in range(3)]
        assert [n.type for n in streamed_alerts] == ["mention", "reblog", "favourite"]
        assert streamed_alerts[2].status.id == with_poll.id
    finally:
        socket.close()
        anas_socket.close()
        # Mastodon.py's close of a server-sent-event stream waits until its reader thread reads again (the
        # next heartbeat, 15 s away): let it finish in the background; the server ends the stream when the
        # fixture stops it.
        threading.Thread(target=sse.close, daemon=True).start()

    # Home, two at a time, then the next page through the Link header.
    first = ana.timeline_home(limit=2)
    assert [s.id for s in first] == [with_poll.id, with_image.id]
    assert not ana.fetch_next(first)  # nothing older
    bobs_home = bob.timeline_home(limit=1)
    assert bobs_home[0].reblog.id == with_image.id  # his boost, newest
    older = bob.fetch_next(bobs_home)
    assert [s.id for s in older] == [with_poll.id]

    # Notifications: favourite, boost, reply, follow — one page of two, then the rest.
    page = ana.notifications(limit=2)
    assert len(page) == 2
    rest = ana.fetch_next(page)
    kinds = [n.type for n in [*page, *rest]]
    assert {"favourite", "reblog", "mention", "follow"} <= set(kinds)
    assert all(n.account.acct == "bob" for n in [*page, *rest])
