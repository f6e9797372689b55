"""Feeds: timeline stores and fan-out, For You, custom feeds, lists, markers, trending."""
