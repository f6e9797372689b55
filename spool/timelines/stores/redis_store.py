"""The Redis timeline store: packed fixed-width records, about 18 bytes per entry all told.

Each entry is one 16-byte record, ``>QQ`` (sort key, post ID; big-endian, so records sort as their sort
keys). A person's timeline is two strings:

- ``{prefix}:tl:{owner}`` — the body: records in ascending order, at most ``cap`` of them, written whole
  (``SET``), so Redis allocates exactly its size. The key existing (even empty) means the timeline is held.
- ``{prefix}:tl:{owner}:n`` — the tail: new records, ``APPEND``ed as they arrive, in any order. When it
  reaches ``TAIL_RECORDS`` records, the same script merges it into the body (sorted, deduplicated on the
  sort key, oldest cut beyond ``cap``) and deletes it.

Why not ``APPEND`` to the body alone: Redis grows an appended string greedily (to twice its new length
below 1 MB), so bodies that take appends sit at about double their size; a sorted set costs ~100 bytes an
entry. Both figures are measured by ``python -m bench.fanout``.

A fan-out chunk is one ``EVALSHA`` given the chunk's owner IDs (the script builds their key names, which
is half the caller's cost of passing them as ``KEYS``; it also means one Redis, not a Redis Cluster);
readers fetch body and tail in one ``MULTI``, bisect the body for the cursor and unpack only the window
they need.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings

from spool.core.redis import redis_client
from spool.timelines.stores import Entry, cap, entries_of

RECORD = struct.Struct(">QQ")
SIZE = RECORD.size
TAIL_RECORDS = 32

# Lua 5.1 numbers are doubles: sort keys are compared as two exact 32-bit halves, unpacked once per record.
_COMPACT = """
local function keyed(s, into)
  for i = 1, #s, 16 do
    local hi, lo = struct.unpack('>I4I4', s, i)
    into[#into + 1] = {hi, lo, string.sub(s, i, i + 15)}
  end
  return into
end
local function earlier(a, b)
  return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
end
local function in_order(recs)
  for i = 2, #recs do
    if earlier(recs[i], recs[i - 1]) then return false end
  end
  return true
end
local function joined(recs)
  local out, last_hi, last_lo = {}, -1, -1
  for _, r in ipairs(recs) do
    if r[1] ~= last_hi or r[2] ~= last_lo then
      out[#out + 1] = r[3]; last_hi = r[1]; last_lo = r[2]
    end
  end
  return table.concat(out)
end
-- Whether the records of s are in strictly ascending order, all after the sort key (hi, lo): fan-out's
-- usual case, merged by concatenation without unpacking records into tables.
local function ascending_after(s, hi, lo)
  for i = 1, #s, 16 do
    local h, l = struct.unpack('>I4I4', s, i)
    if h < hi or (h == hi and l <= lo) then return false end
    hi, lo = h, l
  end
  return true
end
local function compact(body, tail, cap)
  local new = redis.call('GET', tail)
  if not new then return end
  local old = redis.call('GET', body) or ''
  local hi, lo = -1, -1
  if #old > 0 then hi, lo = struct.unpack('>I4I4', old, #old - 15) end
  if ascending_after(new, hi, lo) then
    local excess = #old + #new - cap * 16
    if excess >= #old then
      redis.call('SET', body, string.sub(new, excess - #old + 1))
    elseif excess > 0 then
      redis.call('SET', body, string.sub(old, excess + 1) .. new)
    else
      redis.call('SET', body, old .. new)
    end
    redis.call('DEL', tail)
    return
  end
  local recs = keyed(new, {})
  if not in_order(recs) then table.sort(recs, earlier) end
  local merged
  if #old == 0 or earlier(keyed(string.sub(old, -16), {})[1], recs[1]) then
    merged = old .. joined(recs)
  else
    recs = keyed(old, recs)
    table.sort(recs, earlier)
    merged = joined(recs)
  end
  local excess = #merged - cap * 16
  if excess > 0 then merged = string.sub(merged, excess + 1) end
  redis.call('SET', body, merged)
  redis.call('DEL', tail)
end
"""

# ARGV: key prefix, record, tail bytes that trigger a merge, cap, owner IDs joined by commas. The keys are
# built here rather than passed as KEYS: packing two key names per owner costs the caller more than the
# writes cost Redis (one Redis is assumed; see the module docstring). Each owner costs one command: the
# record is appended to the tail first, and only when that made a new tail (its length is one record:
# after a merge, or the first entry) is the body checked for; a timeline not held loses the tail again.
_FAN_OUT = (
    _COMPACT
    + """
local prefix, rec, full, cap, n = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), 0
local one = #rec
for owner in string.gmatch(ARGV[5], '[^,]+') do
  local tail = prefix .. owner .. ':n'
  local size = redis.call('APPEND', tail, rec)
  if size == one and redis.call('EXISTS', prefix .. owner) == 0 then
    redis.call('DEL', tail)
  else
    if size >= full then compact(prefix .. owner, tail, cap) end
    n = n + 1
  end
end
return n
"""
)

# KEYS: body, tail. ARGV: records, cap, "1" to create the timeline when it is not held.
_ADD = (
    _COMPACT
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[3] ~= '1' then return 0 end
  redis.call('SET', KEYS[1], '')
end
if #ARGV[1] == 0 then return 1 end
redis.call('APPEND', KEYS[2], ARGV[1])
compact(KEYS[1], KEYS[2], tonumber(ARGV[2]))
return 1
"""
)

# KEYS: body, tail. ARGV: cap, then the 8-byte sort keys to drop.
_REMOVE = (
    _COMPACT
    + """
compact(KEYS[1], KEYS[2], tonumber(ARGV[1]))
local body = redis.call('GET', KEYS[1])
if not body then return 0 end
local gone = {}
for i = 2, #ARGV do gone[ARGV[i]] = true end
local kept = {}
for i = 1, #body, 16 do
  local r = string.sub(body, i, i + 15)
  if not gone[string.sub(r, 1, 8)] then kept[#kept + 1] = r end
end
redis.call('SET', KEYS[1], table.concat(kept))
return #body / 16 - #kept
"""
)


def _pack(entries: Sequence[Entry]) -> bytes:
    return b"".join(RECORD.pack(*e) for e in entries)


def _bisect(body: bytes, before: int) -> int:
    """How many records of ``body`` (ascending) have a sort key below ``before``."""
    lo, hi = 0, len(body) // SIZE
    while lo < hi:
        mid = (lo + hi) // 2
        if struct.unpack_from(">Q", body, mid * SIZE)[0] < before:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _window(body: bytes | None, tail: bytes | None, before: int | None, count: int) -> list[Entry] | None:
    """:meth:`RedisStore.read` of a timeline whose body and tail are these values."""
    if body is None:
        return None
    end = len(body) // SIZE if before is None else _bisect(body, before)
    start = max(0, end - count)
    window = entries_of(RECORD.iter_unpack(body[start * SIZE : end * SIZE]))
    if tail:
        fresh = entries_of(r for r in RECORD.iter_unpack(tail) if before is None or r[0] < before)
        if fresh:
            window = sorted({*window, *fresh})
    window.reverse()
    return window[:count]


class Prefetched:
    """One timeline's two strings read in another round trip of the same request (a
    :class:`spool.core.ratelimit.Rider`: ``keys`` to read there, ``take`` gets their values), then
    :meth:`read` as :meth:`RedisStore.read` would have read them at that moment. ``values`` stays None
    while nothing was read (embedded, or the round trip did not take riders)."""

    __slots__ = ("owner", "store", "values")

    def __init__(self, store: RedisStore, owner: int) -> None:
        self.store = store
        self.owner = owner
        self.values: list[bytes | None] | None = None

    def keys(self) -> list[str]:
        return self.store._keys(self.owner)

    def take(self, values: list[bytes | None]) -> None:
        self.values = values

    def read(self, before: int | None, count: int) -> list[Entry] | None:
        assert self.values is not None
        body, tail = self.values
        return _window(body, tail, before, count)


class RedisStore:
    name = "redis"
    # Entries a read may return beyond the cap: the tail not merged into the body yet.
    slack = TAIL_RECORDS - 1
    own_connection = True

    def __init__(self, client: Any = None, prefix: str | None = None) -> None:
        self.client = client or redis_client()
        self.prefix = f"{prefix or settings.KEY_PREFIX}:tl:"
        self._fan_out = self.client.register_script(_FAN_OUT)
        self._add = self.client.register_script(_ADD)
        self._remove = self.client.register_script(_REMOVE)

    def _keys(self, owner: int) -> list[str]:
        body = f"{self.prefix}{owner}"
        return [body, body + ":n"]

    def fan_out(self, owners: Sequence[int], entry: Entry) -> int:
        if not owners:
            return 0
        record = RECORD.pack(*entry)
        owner_ids = ",".join(map(str, owners))
        return int(self._fan_out(args=[self.prefix, record, TAIL_RECORDS * SIZE, cap(), owner_ids]))

    def add(self, owner: int, entries: Sequence[Entry], *, create: bool = False) -> None:
        if entries or create:
            newest = sorted(set(entries))[-cap() :]
            self._add(keys=self._keys(owner), args=[_pack(newest), cap(), "1" if create else "0"])

    def read(self, owner: int, before: int | None, count: int) -> list[Entry] | None:
        body, tail = cast(list[bytes | None], self.client.mget(self._keys(owner)))  # one command, no MULTI
        return _window(body, tail, before, count)

    def prefetch(self, owner: int) -> Prefetched | None:
        """A read of ``owner``'s timeline to send along another round trip to the site's Redis (see
        :class:`Prefetched`); None when this store talks to another Redis."""
        return Prefetched(self, owner) if self.client is redis_client() else None

    def remove(self, owner: int, sort_ids: Sequence[int]) -> None:
        if sort_ids:
            self._remove(keys=self._keys(owner), args=[cap(), *(struct.pack(">Q", s) for s in sort_ids)])

    def drop(self, owners: Sequence[int]) -> None:
        if owners:
            self.client.delete(*(key for owner in owners for key in self._keys(owner)))

    def trim(self) -> int:
        return 0
