"""Turns domain events into notifications, inside the transaction that caused them."""

from __future__ import annotations


def connect() -> None:
    """Subscribe the notification handlers to the events they react to."""
