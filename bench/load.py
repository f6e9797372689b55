"""The load driver: requests per second and latency percentiles of one endpoint over keep-alive
connections, from a separate process that costs the server as little CPU as possible.

``wrk`` (Debian's package; ``scripts/ensure-wrk`` installs it) is used when it is on the PATH: C, one
thread per server process (each process has a port of its own, :mod:`bench.serve`, and gets the same share
of the connections), a Lua hook that puts a different person's token on each request. Otherwise
:mod:`bench.pyload`, a lean asyncio driver over raw sockets (about five times the client CPU per request,
which the report says).
Every non-2xx answer counts as a failure and is shown.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

_WRK_SCRIPT = """
local ports, threads = {}, 0
for port in string.gmatch(os.getenv("SPOOL_BENCH_PORTS_LOADED"), "%d+") do ports[#ports + 1] = port end
setup = function(thread)
  threads = threads + 1
  thread.addr = wrk.lookup("127.0.0.1", ports[((threads - 1) % #ports) + 1])[1]
end
local tokens = {}
for line in io.lines(os.getenv("SPOOL_BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local path = os.getenv("SPOOL_BENCH_PATH")
local n = 0
request = function()
  n = n + 1
  local headers = {}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] end
  return wrk.format("GET", path, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nJSON {"requests": %d, "duration_us": %d, "failures": %d, "p50_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class LoadFigure:
    scenario: str
    driver: str
    connections: int
    seconds: float
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    failures: int
    # The server's CPU (all its processes) per request during the load, when measured (bench.serve).
    server_cpu_ms_per_request: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def driver_name() -> str:
    return "wrk" if shutil.which("wrk") else "bench.pyload"


def run(
    scenario: str, urls: list[str], path: str, tokens: list[str], *, seconds: float, connections: int
) -> LoadFigure:
    """Load ``path`` on the server processes at ``urls`` (loopback, one port each, an equal share of the
    connections each) for ``seconds`` over ``connections`` keep-alive connections, cycling ``tokens``
    (none: anonymous)."""
    with tempfile.TemporaryDirectory(prefix="spool-load-") as tmp:
        token_file = Path(tmp) / "tokens"
        token_file.write_text("".join(f"{t}\n" for t in tokens))
        env = {"SPOOL_BENCH_TOKENS": str(token_file), "SPOOL_BENCH_PATH": path, "PATH": "/usr/bin:/bin"}
        if shutil.which("wrk"):
            script = Path(tmp) / "rotate.lua"
            script.write_text(_WRK_SCRIPT)
            env["SPOOL_BENCH_PORTS_LOADED"] = ",".join(str(urlsplit(url).port) for url in urls)
            command = ["wrk", f"-t{len(urls)}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
            command += ["--timeout", "10s", "-s", str(script), urls[0]]
        else:
            command = [sys.executable, "-m", "bench.pyload", "--seconds", str(seconds)]
            command += ["--connections", str(connections), *(f"--url={url}" for url in urls)]
            env["PYTHONPATH"] = str(ROOT)
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("JSON "))
    raw = json.loads(line[5:])
    elapsed = raw["duration_us"] / 1e6
    return LoadFigure(
        scenario=scenario,
        driver=driver_name(),
        connections=connections,
        seconds=round(elapsed, 1),
        requests=raw["requests"],
        per_second=round(raw["requests"] / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(raw["p50_us"] / 1000, 1),
        p95_ms=round(raw["p95_us"] / 1000, 1),
        p99_ms=round(raw["p99_us"] / 1000, 1),
        max_ms=round(raw["max_us"] / 1000, 1),
        failures=raw["failures"],
    )
