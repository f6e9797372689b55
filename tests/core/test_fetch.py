"""The SSRF-safe fetcher. The guard tests run with ``fetch_allow_private`` off and prove no connection is
made; the behaviour tests fetch from a real HTTP server on 127.0.0.1, reached either with the guard off or
through a faked transport (name resolution and connect) that makes a public address lead to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from spool.core.fetch import FetchError, fetch, fetch_page_meta, is_public_address, parse_page_meta

PAGE = b"""<!doctype html><html><head>
<title>Plain title</title>
<meta property="og:title" content="The &amp; <b>Real</b> Title">
<meta property="og:description" content="  A   description\n with  spaces ">
<meta property="og:image" content="/img/cover.png">
<meta property="og:site_name" content="Example Site">
</head><body><p>Body</p></body></html>"""


class LocalServer:
    """A small HTTP server on 127.0.0.1 with a few routes; records the requests it saw."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {
            "/page": lambda h: self.send(h, 200, PAGE),
            "/image": lambda h: self.send(h, 200, b"\x89PNG", "image/png"),
            "/missing": lambda h: self.send(h, 404, b"no"),
            "/big": lambda h: self.send(h, 200, b"x" * 5000),
            "/big-unannounced": lambda h: self.send(h, 200, b"x" * 5000, length=False),
            "/slow": self.slow,
            "/loop": lambda h: self.redirect(h, "/loop"),
            "/to-page": lambda h: self.redirect(h, "/page"),
            "/to-private": lambda h: self.redirect(h, "http://internal.test/page"),
            "/to-file": lambda h: self.redirect(h, "file:///etc/passwd"),
        }
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Host", "")))
                route = server.routes.get(self.path.split("?")[0])
                try:
                    if route is None:
                        server.send(self, 404, b"")
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the fetcher hung up on purpose (too large, too slow)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @staticmethod
    def send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        kind: str = "text/html; charset=utf-8",
        length: bool = True,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def slow(self, handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        self.send(handler, 200, PAGE)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture
def strict(settings: Any) -> None:
    """The guard as in production: private addresses refused."""
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_allow_private": False})


@pytest.fixture
def lenient(settings: Any) -> None:
    """Private addresses allowed, so the local test server can be reached directly."""
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_allow_private": True})


def fails(url: str, code: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.code == code, caught.value
    return caught.value


# --- The address guard ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://localhost/",
    ],
)
def test_private_and_special_addresses_are_refused(strict: None, url: str) -> None:
    fails(url, "blocked_address")


def test_the_guard_refuses_before_connecting(strict: None, server: LocalServer) -> None:
    fails(server.url("/page"), "blocked_address")
    fails(f"http://[::ffff:127.0.0.1]:{server.port}/page", "blocked_address")
    assert server.requests == []


def test_public_addresses_pass_the_check() -> None:
    for address in ("8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert is_public_address(address), address
    for address in ("127.0.0.1", "::ffff:127.0.0.1", "not an ip", "192.0.2.1", "2001:db8::1"):
        assert not is_public_address(address), address


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/file", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("http:///no-host", "bad_url"),
        ("http://user:secret@example.com/", "bad_url"),
        ("http://example.com:99999/", "bad_url"),
    ],
)
def test_only_plain_http_urls_are_fetched(strict: None, url: str, code: str) -> None:
    fails(url, code)


# --- A public name leading to the local server, faked at the transport ---------------------------------


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch, server: LocalServer) -> dict[str, Any]:
    """Names resolve as the table says; connecting to 93.184.216.34:80 reaches the local server."""
    table: dict[str, list[str]] = {
        "public.test": ["93.184.216.34"],
        "internal.test": ["10.0.0.5"],
        "mixed.test": ["93.184.216.34", "192.168.0.7"],
    }
    lookups: list[str] = []
    real_connect = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "127.0.0.1":  # the faked connect reaching the local server
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        answers = table.get(host)
        if answers is None:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        if host == "rebind.test":
            table["rebind.test"] = ["127.0.0.1"]  # a second lookup would get a private address
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers]

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        if address == ("93.184.216.34", 80):
            return real_connect(("127.0.0.1", server.port), *args, **kwargs)
        raise OSError("unreachable in tests")

    table["rebind.test"] = ["93.184.216.34"]
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return {"lookups": lookups}


def test_a_public_host_is_fetched_with_its_own_host_header(
    strict: None, internet: Any, server: LocalServer
) -> None:
    result = fetch("http://public.test/page")
    assert result.status == 200 and result.content_type == "text/html" and b"og:title" in result.body
    assert server.requests == [("/page", "public.test")]


def test_a_host_with_any_private_address_is_refused(strict: None, internet: Any, server: LocalServer) -> None:
    fails("http://mixed.test/page", "blocked_address")
    assert server.requests == []


def test_each_redirect_hop_is_checked_again(strict: None, internet: Any, server: LocalServer) -> None:
    fails("http://public.test/to-private", "blocked_address")
    fails("http://public.test/to-file", "bad_scheme")
    assert fetch("http://public.test/to-page").url == "http://public.test/page"


def test_the_host_is_resolved_once_so_dns_rebinding_cannot_switch_it(
    strict: None, internet: Any, server: LocalServer
) -> None:
    assert fetch("http://rebind.test/page").status == 200
    assert internet["lookups"].count("rebind.test") == 1
    assert server.requests == [("/page", "rebind.test")]


# --- Limits and content type (guard off, local server) -------------------------------------------------


def test_redirects_are_limited(lenient: None, server: LocalServer) -> None:
    fails(server.url("/loop"), "too_many_redirects")
    assert len(server.requests) == 4  # the first request and three redirects


def test_size_is_limited(lenient: None, server: LocalServer, settings: Any) -> None:
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_max_bytes": 1000})
    fails(server.url("/big"), "too_large")
    fails(server.url("/big-unannounced"), "too_large")


def test_time_is_limited(lenient: None, server: LocalServer, settings: Any) -> None:
    settings.SPOOL = settings.SPOOL.model_copy(update={"fetch_timeout_seconds": 0.3})
    started = time.monotonic()
    fails(server.url("/slow"), "timeout")
    assert time.monotonic() - started < 1.2


def test_only_pages_are_taken_for_cards(lenient: None, server: LocalServer) -> None:
    fails(server.url("/image"), "wrong_type")
    fails(server.url("/missing"), "http_error")


def test_page_metadata_is_read_and_cleaned(lenient: None, server: LocalServer) -> None:
    meta = fetch_page_meta(server.url("/page"))
    assert meta.title == "The & Real Title"
    assert meta.description == "A description with spaces"
    assert meta.image_url == server.url("/img/cover.png")
    assert meta.site_name == "Example Site"


def test_metadata_falls_back_to_title_and_twitter_tags() -> None:
    page = """<html><head><title> Only &amp; <i>a</i> title </title>
    <meta name="twitter:description" content="From twitter">
    <meta name="twitter:image" content="javascript:alert(1)"></head></html>"""
    meta = parse_page_meta(page, "https://example.com/a")
    assert meta.title == "Only & a title"
    assert meta.description == "From twitter"
    assert meta.image_url == ""
    assert meta.site_name == "example.com"
    assert parse_page_meta("<html><head><title>" + "x" * 500, "https://e.com").title.endswith("…")
