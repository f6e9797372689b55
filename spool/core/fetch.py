"""Fetching a URL someone typed, safely (link previews now; remote media and federation fetches later).

A server that fetches URLs for its users can be turned against its own network (SSRF). This fetcher:

- takes ``http`` and ``https`` URLs only, on any port, without credentials in the URL;
- resolves the host **once** and refuses it if *any* address it resolves to is private, loopback, link-local,
  multicast, reserved, unspecified or otherwise not globally routable — IPv4 and IPv6, looking inside
  IPv4-mapped (``::ffff:a.b.c.d``), NAT64, 6to4 and Teredo addresses;
- connects to that checked IP itself while sending the original ``Host`` header and TLS server name, so a
  second DNS answer can never swap in another address (no DNS rebinding);
- follows at most a few redirects, checking every hop as if it were the first URL;
- stops after ``SPOOL.fetch_timeout_seconds`` in total and ``SPOOL.fetch_max_bytes`` of body, and checks the
  content type before reading the body.

``SPOOL.fetch_allow_private`` switches the address check off, for tests that fetch from a server on
127.0.0.1; everything else still applies. Callers may pass ``allow_private`` themselves (federation's
development mode, which is refused outside debug mode, does so for loopback instances).

Federation uses the same function for signed GETs and for POSTs to inboxes: ``method``, ``body`` and
``headers`` are sent as given, and ``sign`` is called for every hop (a redirect changes the signed
request-target) to add signature headers.

:func:`parse_page_meta` reads a page's OpenGraph/Twitter card/``<title>``/description with the standard
library's HTML parser and returns plain, whitespace-collapsed text.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from spool.core.sanitize import strip_html

MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """The URL was not fetched. ``code`` says why (``blocked_address``, ``bad_url``, ``timeout``, …)."""

    def __init__(self, message: str, *, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes

    def text(self) -> str:
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


# --- The address guard --------------------------------------------------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IPv4 or IPv6 literal) is a globally routable unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded:
            return all(is_public_address(str(v4)) for v4 in embedded)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int, allow_private: bool = False) -> str:
    """One DNS lookup; the address to connect to, after checking every address the host has."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(f"Could not resolve {host}.", code="dns_failed") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(f"Could not resolve {host}.", code="dns_failed")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise FetchError(f"{host} resolves to a non-public address.", code="blocked_address")
    return addresses[0]


# --- Connections pinned to a checked address ----------------------------------------------------------------


def _pinned(connection: http.client.HTTPConnection, address: str) -> http.client.HTTPConnection:
    """Make ``connection`` connect to ``address`` while keeping its host name for Host and SNI."""

    def create_connection(_addr: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
        return socket.create_connection((address, connection.port), timeout, source_address)

    connection._create_connection = create_connection  # type: ignore[attr-defined]
    return connection


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError("That URL is not valid.", code="bad_url") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("Only http and https URLs can be fetched.", code="bad_scheme")
    if not parts.hostname:
        raise FetchError("That URL has no host.", code="bad_url")
    if parts.username or parts.password:
        raise FetchError("URLs with credentials are not fetched.", code="bad_url")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    if any(ch in path for ch in "\r\n ") or any(ch in parts.hostname for ch in "\r\n /"):
        raise FetchError("That URL is not valid.", code="bad_url")
    return _Target(url, scheme, parts.hostname, port or (443 if scheme == "https" else 80), path)


# Adds headers (e.g. an HTTP signature) for one hop: (method, url, headers so far) -> extra headers.
Signer = Callable[[str, str, dict[str, str]], dict[str, str]]


def fetch(
    url: str,
    *,
    accept: tuple[str, ...] | None = HTML_TYPES,
    max_redirects: int = MAX_REDIRECTS,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    sign: Signer | None = None,
    allow_private: bool | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """Request ``url`` (GET unless ``method`` says otherwise) under every rule of this module; raise
    :class:`FetchError` when any fails (including a non-2xx answer, whose status it carries, or a content
    type outside ``accept``; ``accept=None`` takes any type). A POST is never redirected."""
    config = settings.SPOOL
    deadline = time.monotonic() + config.fetch_timeout_seconds
    private_ok = config.fetch_allow_private if allow_private is None else allow_private
    limit = max_bytes or config.fetch_max_bytes
    for _hop in range(max_redirects + 1):
        target = _target(url)
        extra = _headers(target, method, headers, accept)
        if sign is not None:
            extra.update(sign(method, target.url, extra))
        response, connection = _request(target, deadline, method, body, extra, private_ok)
        try:
            if response.status in REDIRECT_STATUSES and method == "GET":
                location = response.getheader("Location")
                if not location:
                    raise FetchError("A redirect without a location.", code="bad_redirect")
                url = urljoin(target.url, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise FetchError(
                    f"The server answered {response.status}.", code="http_error", status=response.status
                )
            content_type, charset = _content_type(response.getheader("Content-Type", ""))
            if accept is not None and content_type not in accept:
                raise FetchError(f"Not a page ({content_type or 'no type'}).", code="wrong_type")
            data = _read_body(response, connection, limit, deadline)
            return FetchResult(target.url, response.status, content_type, charset, data)
        finally:
            connection.close()
    raise FetchError("Too many redirects.", code="too_many_redirects")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("The fetch took too long.", code="timeout")
    return left


def _headers(
    target: _Target, method: str, given: dict[str, str] | None, accept: tuple[str, ...] | None
) -> dict[str, str]:
    default_port = 443 if target.scheme == "https" else 80
    host = target.host if target.port == default_port else f"{target.host}:{target.port}"
    headers = {
        "Host": host,
        "User-Agent": f"Spool/0.1 (+{settings.SPOOL.public_url})",
        "Accept": ", ".join((*accept, "*/*;q=0.1")) if accept else "*/*",
        "Accept-Encoding": "identity",
    }
    headers.update(given or {})
    return headers


def _request(
    target: _Target,
    deadline: float,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    allow_private: bool = False,
) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    address = _resolve(target.host, target.port, allow_private)
    timeout = _remaining(deadline)
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    _pinned(connection, address)
    try:
        connection.request(
            method, target.path, body=body, headers=headers or _headers(target, method, None, HTML_TYPES)
        )
        return connection.getresponse(), connection
    except TimeoutError as exc:
        connection.close()
        raise FetchError("The fetch took too long.", code="timeout") from exc
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        connection.close()
        raise FetchError(f"Could not connect to {target.host}.", code="connect_failed") from exc


def _content_type(header: str) -> tuple[str, str | None]:
    kind, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip().strip("\"'") or None
    return kind.strip().lower(), charset


def _read_body(
    response: http.client.HTTPResponse, connection: http.client.HTTPConnection, limit: int, deadline: float
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError("The page is too large.", code="too_large")
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if connection.sock is not None:
                connection.sock.settimeout(_remaining(deadline))
            chunk = response.read(min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FetchError("The page is too large.", code="too_large")
            _remaining(deadline)
    except TimeoutError as exc:
        raise FetchError("The fetch took too long.", code="timeout") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError("The connection failed while reading.", code="connect_failed") from exc
    return b"".join(chunks)


# --- Page metadata ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageMeta:
    title: str = ""
    description: str = ""
    image_url: str = ""
    site_name: str = ""


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "title":
            self.in_title = True
        elif tag == "meta":
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"]
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.in_title and not self.done:
            self.title_parts.append(data)


def clean_text(value: str, limit: int) -> str:
    """Plain text: tags removed, entities decoded, whitespace collapsed, cut to ``limit`` characters."""
    import html

    text = html.unescape(strip_html(value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def parse_page_meta(page: str, base_url: str) -> PageMeta:
    """Title, description, image and site name of an HTML page (OpenGraph first, then Twitter cards, then
    ``<title>`` and ``<meta name=description>``). The image URL is made absolute and kept only if http(s)."""
    parser = _MetaParser()
    try:
        parser.feed(page)
        parser.close()
    except Exception:  # noqa: S110 - a broken page still yields what was parsed before the break
        pass
    meta = parser.meta

    def pick(*keys: str) -> str:
        for key in keys:
            if meta.get(key, "").strip():
                return meta[key]
        return ""

    title = pick("og:title", "twitter:title") or "".join(parser.title_parts)
    description = pick("og:description", "twitter:description", "description")
    image = pick(
        "og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"
    ).strip()
    image_url = ""
    if image:
        absolute = urljoin(base_url, image)
        if urlsplit(absolute).scheme in ("http", "https") and len(absolute) <= 2000:
            image_url = absolute
    return PageMeta(
        title=clean_text(title, 300),
        description=clean_text(description, 1000),
        image_url=image_url,
        site_name=clean_text(pick("og:site_name"), 200) or (urlsplit(base_url).hostname or "")[:200],
    )


def fetch_page_meta(url: str) -> PageMeta:
    """Fetch ``url`` as an HTML page and return its metadata (raises :class:`FetchError`)."""
    result = fetch(url, accept=HTML_TYPES)
    return parse_page_meta(result.text(), result.url)
