"""The machine a run happened on, and ``docs/performance.md`` rendered from the figures."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def machine() -> dict[str, str]:
    return {
        "cores (nproc)": str(cores()),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "OS": f"{platform.system()} {platform.release()}",
    }


def _ratio(before: float, after: float) -> str:
    if after <= 0:
        return "—"
    return f"{before / after:.1f}x"


def render(
    *,
    command: str,
    machine: dict[str, str],
    head: str,
    baseline: str | None,
    databases: list[str],
    results: dict[str, dict[str, Any]],
) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `python -m bench` (`make bench`); do not edit by hand. The bench builds a seeded",
        "dataset through the real services in a throwaway database, then times the read paths every page",
        "goes through.",
        "Times are wall-clock milliseconds in one process (Python query building, SQL, and turning rows into",
        "cards), the median and 95th percentile of the timed runs after three untimed ones; *queries* is the",
        "number of SQL queries of one call. Set `DATABASE_URL=postgres://…` to add PostgreSQL (the bench",
        "creates and drops its own database on that server).",
        "",
        "*Same viewer* repeats a read for one person, as the pages of one session do; *a new viewer each",
        "time* is a person's first read in this process (`Post.objects.visible_to` keeps the rule it built",
        "per viewer, so only that first read builds it). *Before* runs the same scenarios on the `spool`",
        "package of the commit named below (`--baseline`), in the same invocation.",
        "",
        "## This run",
        "",
        f"- Command: `{command}`",
        f"- Code: `{head}`" + (f"; before = `{baseline}`" if baseline else ""),
    ]
    lines += [f"- {name}: {value}" for name, value in machine.items()]
    first = next(iter(results.values()))
    lines += [
        f"- {first['python']}, {first['django']}",
        f"- Dataset: {', '.join(f'{n} {k}' for k, n in first['dataset'].items())}",
        "",
    ]
    for database in databases:
        after = results[f"{database}:after"]
        before = results.get(f"{database}:before")
        lines += [f"## {after['database']}", ""]
        lines += [f"Dataset built in {after['dataset_seconds']} s.", ""]
        if before is not None:
            lines += [
                "| Scenario | runs | before median | before p95 | after median | after p95 | median speed-up "
                "| queries before → after |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            ]
            old = {f["scenario"]: f for f in before["figures"]}
            for figure in after["figures"]:
                was = old.get(figure["scenario"])
                if was is None:
                    continue
                lines.append(
                    f"| {figure['scenario']} | {figure['runs']} "
                    f"| {was['median_ms']:.2f} | {was['p95_ms']:.2f} "
                    f"| {figure['median_ms']:.2f} | {figure['p95_ms']:.2f} "
                    f"| {_ratio(was['median_ms'], figure['median_ms'])} "
                    f"| {was['queries']} → {figure['queries']} |"
                )
        else:
            lines += ["| Scenario | runs | median | p95 | queries |", "|---|---:|---:|---:|---:|"]
            for figure in after["figures"]:
                lines.append(
                    f"| {figure['scenario']} | {figure['runs']} | {figure['median_ms']:.2f} "
                    f"| {figure['p95_ms']:.2f} | {figure['queries']} |"
                )
        lines.append("")
        lines += _http_table(after)
    return "\n".join(lines)


def _http_table(result: dict[str, Any]) -> list[str]:
    """The Mastodon API over real HTTP (:mod:`bench.mastodon_api`), for the current tree."""
    figures = result.get("http") or []
    if not figures:
        return []
    lines = [
        "Mastodon API over real HTTP (one uvicorn process on loopback, client threads in the bench process, "
        "a different person's token on each request; a new status enqueues its fan-out task, which no worker "
        "runs during the bench: `bench.fanout` times fan-out):",
        "",
        "| Request | requests | client threads | requests/s | p50 ms | p99 ms | failures |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| `{f['scenario']}` | {f['requests']} | {f['concurrency']} | {f['per_second']:.1f} "
            f"| {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['failures']} |"
        )
    return [*lines, ""]
