"""The Following feed's timeline store: post IDs per person, filled by hybrid fan-out, kept in SQL
(embedded) or Redis (scale-out)."""
