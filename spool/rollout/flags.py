"""The features Spool stages through rollout flags, with the answer each gives while no admin has saved a
flag of that name. A flag saved on the admin page replaces its default entirely."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownFlag:
    name: str
    description: str
    default: bool


DEAR_ALGO = "dear_algo"

KNOWN_FLAGS: dict[str, KnownFlag] = {
    flag.name: flag
    for flag in (
        KnownFlag(
            DEAR_ALGO,
            "Dear Algo requests: steering For You in your own words (Settings → For You, the native API and "
            "posts starting “Dear Algo”).",
            default=True,
        ),
    )
}
