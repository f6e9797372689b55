"""A lean HTTP/1.1 load driver for when ``wrk`` is not installed: ``python -m bench.pyload --url URL
[--url URL…] --seconds S --connections C`` (one ``--url`` per server process, the connections shared out
evenly; path and tokens from ``SPOOL_BENCH_PATH`` / ``SPOOL_BENCH_TOKENS``, as for
wrk's script). One asyncio process, raw keep-alive sockets, responses read by ``Content-Length`` (or
chunked), no HTTP library. Prints one ``JSON {…}`` line with the same fields as the wrk hook."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import time
from urllib.parse import urlsplit


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = -1
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length > 0:
        await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, requests: list[bytes], offset: int, until: float, out: dict
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    n = offset
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(requests[n % len(requests)])
            n += 1
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                out["failures"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            out["latencies"].append(time.perf_counter() - started)
            if not 200 <= status < 300:
                out["failures"] += 1
    finally:
        writer.close()


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


async def main_async(urls: list[str], seconds: float, connections: int) -> dict:
    """Connection ``i`` goes to ``urls[i % len(urls)]``: each server process gets the same share."""
    addresses = [(parts.hostname or "127.0.0.1", parts.port or 80) for parts in map(urlsplit, urls)]
    host, port = addresses[0]
    path = os.environ.get("SPOOL_BENCH_PATH", "/")
    tokens = [t for t in open(os.environ["SPOOL_BENCH_TOKENS"]).read().split("\n") if t]  # noqa: SIM115
    base = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    requests = [
        (base + (f"Authorization: Bearer {t}\r\n" if t else "") + "\r\n").encode() for t in (tokens or [""])
    ]
    out: dict = {"latencies": [], "failures": 0}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(
            _connection(*addresses[i % len(addresses)], requests, i * 7919, until, out)
            for i in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(out["latencies"])
    return {
        "requests": len(ordered),
        "duration_us": int(elapsed * 1e6),
        "failures": out["failures"],
        "p50_us": int(_percentile(ordered, 0.5) * 1e6),
        "p95_us": int(_percentile(ordered, 0.95) * 1e6),
        "p99_us": int(_percentile(ordered, 0.99) * 1e6),
        "max_us": int((ordered[-1] if ordered else 0) * 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", action="append", required=True, help="once per server process")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print("JSON " + json.dumps(asyncio.run(main_async(args.url, args.seconds, args.connections))))


if __name__ == "__main__":
    main()
