"""A stand-in for the rest of the fediverse, at the transport: a real HTTP server on loopback that answers
for any number of remote host names (WebFinger, actor documents, objects) and records what our server
POSTs to their inboxes. Name resolution and connections of the SSRF-safe fetcher are pointed at it, so
Spool's own code — signing, fetching, verifying — runs unchanged.

The actor documents served here are made by the test (with keys the test holds, so it can sign as
them); the activities tests send are real captured payloads (``tests/fixtures/activitypub``)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from spool.federation import keys
from spool.federation.signatures import sign_request


@dataclass
class Received:
    host: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def activity(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class RemoteActor:
    uri: str
    username: str
    private_pem: str
    public_pem: str
    inbox: str
    shared_inbox: str
    locked: bool = False
    captured_key_id: str = ""  # the key id a captured actor document names

    @property
    def key_id(self) -> str:
        return self.captured_key_id or f"{self.uri}#main-key"

    def document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.username,
            "name": self.username.title(),
            "summary": "<p>A test actor on a stand-in server</p>",
            "inbox": self.inbox,
            "followers": f"{self.uri}/followers",
            "endpoints": {"sharedInbox": self.shared_inbox},
            "manuallyApprovesFollowers": self.locked,
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.public_pem},
        }


@dataclass
class Fediverse:
    port: int
    routes: dict[tuple[str, str], tuple[int, str, bytes]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    inbox_status: dict[str, list[int]] = field(default_factory=dict)
    inbox_delay: float = 0.0  # seconds each inbox POST takes to answer (a slow server)
    fetched: list[Received] = field(default_factory=list)  # every GET, with its headers

    def serve_json(
        self, url: str, data: Any, status: int = 200, content_type: str = "application/activity+json"
    ) -> None:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # Kept unquoted, as a server reads them: ``%3A`` and ``:`` in a query are the same request.
        self.routes[(parts.netloc, unquote(path))] = (status, content_type, json.dumps(data).encode())

    def serve_bytes(self, url: str, body: bytes, content_type: str, status: int = 200) -> None:
        parts = urlsplit(url)
        self.routes[(parts.netloc, unquote(parts.path))] = (status, content_type, body)

    def gets_of(self, url: str) -> int:
        """How many times ``url`` was fetched."""
        parts = urlsplit(url)
        return sum(1 for r in self.fetched if (r.host, r.path) == (parts.netloc, parts.path))

    def actor(self, uri: str, *, locked: bool = False) -> RemoteActor:
        """Serve a new actor at ``uri`` (with WebFinger for it) and return it with its keys."""
        parts = urlsplit(uri)
        username = parts.path.rstrip("/").rsplit("/", 1)[-1]
        private_pem, public_pem = keys.generate_key_pair()
        base = f"{parts.scheme}://{parts.netloc}"
        actor = RemoteActor(uri, username, private_pem, public_pem, f"{uri}/inbox", f"{base}/inbox", locked)
        self.serve_json(uri, actor.document())
        self.serve_json(
            f"{base}/.well-known/webfinger?resource=acct%3A{username}%40{parts.netloc}",
            {
                "subject": f"acct:{username}@{parts.netloc}",
                "links": [{"rel": "self", "type": "application/activity+json", "href": uri}],
            },
            content_type="application/jrd+json",
        )
        return actor

    def captured_actor(self, document: dict[str, Any]) -> RemoteActor:
        """Serve a captured actor ``document`` (with WebFinger for it) as it is, except its public key,
        replaced by one the test holds so it can sign as the actor; return the actor."""
        uri = document["id"]
        actor = self.actor(uri)  # keys and WebFinger
        actor.username = document["preferredUsername"]
        actor.inbox = document["inbox"]
        actor.shared_inbox = (document.get("endpoints") or {}).get("sharedInbox", "")
        actor.captured_key_id = document["publicKey"]["id"]
        served = {**document, "publicKey": {**document["publicKey"], "publicKeyPem": actor.public_pem}}
        self.serve_json(uri, served)
        return actor

    def deliveries(self, type_: str | None = None) -> list[Received]:
        return [r for r in self.received if type_ is None or r.activity.get("type") == type_]


def _handler(fediverse: Fediverse) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            fediverse.fetched.append(Received(self.headers.get("Host", ""), self.path, headers, b""))
            route = fediverse.routes.get((self.headers.get("Host", ""), unquote(self.path)))
            status, content_type, body = route or (404, "application/json", b'{"error":"not found"}')
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if fediverse.inbox_delay:
                time.sleep(fediverse.inbox_delay)
            url = f"{self.headers.get('Host', '')}{self.path}"
            statuses = fediverse.inbox_status.get(url)
            status = statuses.pop(0) if statuses else 202
            if status < 300:
                headers = {k.lower(): v for k, v in self.headers.items()}
                fediverse.received.append(Received(self.headers.get("Host", ""), self.path, headers, body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def _certificate(hosts: set[str]) -> tuple[bytes, bytes]:
    """A self-signed certificate (PEM) for ``hosts`` and its key: the stand-in servers' TLS identity."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stand-in fediverse")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in sorted(hosts)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def start(monkeypatch: Any, hosts: set[str], tmp_path: Any) -> tuple[Fediverse, list[ThreadingHTTPServer]]:
    """Serve the stand-in fediverse on loopback, over http (port 80 of every host) and https (443, with a
    certificate only the fetcher's patched trust store accepts)."""
    fediverse = Fediverse(0)
    plain = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fediverse))
    secure = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fediverse))
    cert_pem, key_pem = _certificate(hosts)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    secure.socket = server_context.wrap_socket(secure.socket, server_side=True)
    fediverse.port = plain.server_address[1]
    # 8080: GoToSocial's test fixtures name their server localhost:8080.
    ports = {80: plain.server_address[1], 443: secure.server_address[1], 8080: plain.server_address[1]}
    for server in (plain, secure):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection
    real_context = ssl.create_default_context

    def trusting_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = real_context(*args, **kwargs)
        context.load_verify_locations(cadata=cert_pem.decode())
        return context

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in hosts:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        if address[0] == "127.0.0.1" and address[1] in ports:
            return real_connect(("127.0.0.1", ports[address[1]]), *args, **kwargs)
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr("spool.core.fetch.socket.getaddrinfo", getaddrinfo)
    monkeypatch.setattr("spool.core.fetch.socket.create_connection", create_connection)
    monkeypatch.setattr("spool.core.fetch.ssl.create_default_context", trusting_context)
    return fediverse, [plain, secure]


def signed_headers(
    actor: RemoteActor, path: str, body: bytes | None, host: str = "testserver"
) -> dict[str, str]:
    """Django test-client keyword arguments for a POST (or, with ``body`` ``None``, a GET) signed as
    ``actor``."""
    added = sign_request(
        "POST" if body is not None else "GET",
        f"http://{host}{path}",
        {"Host": host},
        body,
        key_id=actor.key_id,
        private_pem=actor.private_pem,
    )
    return {f"HTTP_{name.upper()}": value for name, value in added.items()}


def serve_on_loopback(fediverse: Fediverse, count: int) -> list[ThreadingHTTPServer]:
    """``count`` stand-in servers on loopback ports of their own (``127.0.0.1:<port>`` are their names),
    for live instances in development mode, which reach them without any patching."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(fediverse)) for _ in range(count)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers
