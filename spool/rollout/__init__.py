"""Staged rollout and regional availability of features. See ``docs/subsystems/rollout.md``."""
