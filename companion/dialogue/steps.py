"""The steps a session is made of. Plain data; `session.py` runs them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from companion.dialogue.protocols import YES_NO, Answer, Expect, LineKind


@dataclass(frozen=True)
class Say:
    """Speak a line. An anchor is a place that "back" and "repeat" return to (a journal prompt)."""

    text: str
    kind: LineKind = "say"
    anchor: bool = False


@dataclass(frozen=True)
class Instructions:
    """A line whose wording depends on how the person answers: by voice or by keys."""

    voice: str
    keys: str


@dataclass(frozen=True)
class Ask:
    """Ask and listen until an expected answer, a skip, or a stop. Always an anchor."""

    id: str
    text: str
    short: str  # the first reprompt restates the question with this
    expect: Expect = YES_NO
    reply: str = ""  # said after an expected answer


@dataclass(frozen=True)
class Pause:
    """Quiet thinking time. With no time limit (--timeout off) it waits for "next"."""

    seconds: float
    text: str = ""


@dataclass(frozen=True)
class Cue:
    at: float  # seconds from the start of the breathing
    text: str
    cycle: int


@dataclass(frozen=True)
class Breathe:
    """Breathing cues on one absolute timeline: speaking time never pushes later cues."""

    cues: tuple[Cue, ...]
    seconds: float  # total length


@dataclass(frozen=True)
class Summary:
    """A line made from the answers so far, by a pure function."""

    compose: Callable[[Mapping[str, Answer]], str]


Step = Say | Instructions | Ask | Pause | Breathe | Summary
