"""The composer's plain-text syntaxes, so every post option works in a form without JavaScript.

- Text spoilers: ``||hidden text||`` marks a range. The markers are removed and the ranges passed to the
  post services as ``(offset, length)`` pairs, counted in characters (code points) of the text without
  markers.
- Text attachment styles: ``**bold**``, ``//italic//``, ``__underline__``, ``~~strikethrough~~`` and
  ``==highlight==`` become styling ranges ``{"offset", "length", "styles"}`` over the attachment text.

Both directions exist so the edit form can show a post's spoilers in the same syntax. Nothing here decides
whether the result is allowed (how many ranges, how long the text): the services do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

SPOILER_MARK = "||"

STYLE_MARKS: dict[str, str] = {
    "**": "bold",
    "//": "italic",
    "__": "underline",
    "~~": "strikethrough",
    "==": "highlight",
}


def parse_spoilers(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """``raw`` without its ``||`` markers, and the ``(offset, length)`` of each non-empty marked range.

    An unmatched final ``||`` stays in the text as typed (it is not a spoiler)."""
    pieces = raw.split(SPOILER_MARK)
    if len(pieces) % 2 == 0:
        # Odd number of markers: the last one has no partner, so glue it back as literal text.
        pieces[-2:] = [pieces[-2] + SPOILER_MARK + pieces[-1]]
    text: list[str] = []
    ranges: list[tuple[int, int]] = []
    offset = 0
    for index, piece in enumerate(pieces):
        if index % 2 == 1 and piece:
            ranges.append((offset, len(piece)))
        text.append(piece)
        offset += len(piece)
    return "".join(text), ranges


def spoiler_syntax(text: str, ranges: Iterable[Sequence[int] | dict[str, int]]) -> str:
    """``text`` with ``||`` markers around each spoiler range (the inverse of :func:`parse_spoilers`)."""
    spans = sorted(_as_pair(r) for r in ranges)
    out: list[str] = []
    cursor = 0
    for start, length in spans:
        start = max(start, cursor)
        end = min(start + length, len(text))
        if end <= start:
            continue
        out.append(text[cursor:start])
        out.append(f"{SPOILER_MARK}{text[start:end]}{SPOILER_MARK}")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _as_pair(value: Sequence[int] | dict[str, int]) -> tuple[int, int]:
    if isinstance(value, dict):
        return int(value["offset"]), int(value["length"])
    return int(value[0]), int(value[1])


def parse_styles(raw: str) -> tuple[str, list[dict[str, Any]]]:
    """``raw`` without its style markers, and the styling ranges they marked.

    Markers pair up left to right per kind; styles may nest (``**//both//**``). Unpaired markers stay as
    text."""
    # First pass: find which marker occurrences pair up, per kind, scanning left to right.
    positions: list[tuple[int, str]] = []
    i = 0
    while i < len(raw):
        mark = raw[i : i + 2]
        if mark in STYLE_MARKS:
            positions.append((i, mark))
            i += 2
        else:
            i += 1
    open_at: dict[str, int] = {}
    pairs: list[tuple[int, int, str]] = []
    for pos, mark in positions:
        if mark in open_at:
            pairs.append((open_at.pop(mark), pos, mark))
        else:
            open_at[mark] = pos
    used = {start for start, _, _ in pairs} | {end for _, end, _ in pairs}
    # Second pass: drop the paired markers and map raw positions to positions in the clean text.
    clean: list[str] = []
    mapping: dict[int, int] = {}
    i = 0
    while i < len(raw):
        mapping[i] = len(clean)
        if i in used:
            i += 2
            continue
        clean.append(raw[i])
        i += 1
    mapping[len(raw)] = len(clean)
    ranges = []
    for start, end, mark in sorted(pairs):
        offset = mapping[start + 2] if start + 2 in mapping else mapping[start]
        length = mapping[end] - offset
        if length > 0:
            ranges.append({"offset": offset, "length": length, "styles": [STYLE_MARKS[mark]]})
    return "".join(clean), ranges


def style_syntax(text: str, ranges: Iterable[dict[str, Any]]) -> str:
    """``text`` with style markers around each styling range (the inverse of :func:`parse_styles`)."""
    marker_of = {style: mark for mark, style in STYLE_MARKS.items()}
    # (position, closings before openings, nesting order, marker): what opens later closes first.
    inserts: list[tuple[int, int, int, str]] = []
    order = 0
    for item in ranges:
        offset, length = int(item["offset"]), int(item["length"])
        for style in item.get("styles", ()):
            mark = marker_of.get(style)
            if mark and length > 0:
                order += 1
                inserts.append((offset, 1, order, mark))
                inserts.append((offset + length, 0, -order, mark))
    inserts.sort()
    out: list[str] = []
    cursor = 0
    for position, _, _, mark in inserts:
        out.append(text[cursor:position])
        out.append(mark)
        cursor = position
    out.append(text[cursor:])
    return "".join(out)
