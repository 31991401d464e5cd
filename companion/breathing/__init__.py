"""Breathing: the pure schedule (`schedule.py`) that turns a pattern into timed cues."""
