"""The steps a session is made of. Plain data; `session.py` runs them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

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


CueSound = Literal["voice", "tone", "both"]


@dataclass(frozen=True)
class Cue:
    at: float  # seconds from the start of the breathing
    text: str  # always printed; spoken unless sound is "tone"
    cycle: int
    kind: str = ""  # the phase: in, top, hold, out ("" for a count within a phase)
    slot: float = 0.0  # seconds until the next cue: what a spoken cue must fit in
    sound: CueSound = "voice"


@dataclass(frozen=True)
class Breathe:
    """Breathing cues on one absolute timeline: speaking time never pushes later cues."""

    cues: tuple[Cue, ...]
    seconds: float  # total length

    def stretched(self, from_cycle: int, factor: float) -> Breathe:
        """Breaths from `from_cycle` on take `factor` times as long (slower > 1 > faster).
        Earlier cues keep their times, so nothing already said moves."""
        later = [c for c in self.cues if c.cycle >= from_cycle]
        if not later:
            return self
        pivot = later[0].at

        def moved(at: float) -> float:
            return at if at < pivot else pivot + (at - pivot) * factor

        cues = tuple(
            replace(c, at=round(moved(c.at), 6), slot=round(c.slot * factor, 6))
            if c.cycle >= from_cycle
            else c
            for c in self.cues
        )
        return Breathe(cues, round(moved(self.seconds), 6))


@dataclass(frozen=True)
class Summary:
    """A line made from the answers so far, by a pure function."""

    compose: Callable[[Mapping[str, Answer]], str]


Step = Say | Instructions | Ask | Pause | Breathe | Summary
