"""Sections of ``docs/performance.md`` that one benchmark owns, between ``<!-- bench.NAME:start -->`` and
``<!-- bench.NAME:end -->`` markers: a benchmark rewrites only its own section, and ``python -m bench``
(which renders the page anew) carries the others over."""

from __future__ import annotations

from pathlib import Path

# The benchmarks that run on their own and keep a section of the page, in page order.
OWNED = ("messaging", "search", "federation")


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench.{name}:start -->", f"<!-- bench.{name}:end -->"


def _block(name: str, text: str) -> tuple[int, int] | None:
    """Where ``name``'s section (markers included) lies in ``text``."""
    start, end = _markers(name)
    if start not in text or end not in text:
        return None
    return text.index(start), text.index(end) + len(end)


def carry_over(previous: str, report: str) -> str:
    """``report`` (a freshly rendered page) with every owned section of ``previous`` appended."""
    for name in OWNED:
        where = _block(name, previous)
        if where is not None:
            report = report.rstrip("\n") + "\n\n" + previous[slice(*where)] + "\n"
    return report


def write_section(name: str, path: Path, section: str) -> None:
    """Put ``section`` between ``name``'s markers in ``path`` (appended the first time)."""
    text = path.read_text() if path.exists() else "# Performance\n"
    start, end = _markers(name)
    block = f"{start}\n{section.strip()}\n{end}"
    where = _block(name, text)
    if where is None:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = text[: where[0]] + block + text[where[1] :]
    path.write_text(text)
