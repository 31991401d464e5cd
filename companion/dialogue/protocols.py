"""The small contracts the dialogue talks to, and the values that cross them.

The dialogue never imports an engine: it speaks through a `Speaker`, hears through a `Listener`
and keeps time with a `Clock`. Real ones live in `companion.voice`, `companion.listen` and
`companion.app`; tests use scripted fakes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal, Protocol

RATE_MIN, RATE_MAX, RATE_STEP, RATE_DEFAULT = 80, 450, 25, 160
VOLUME_MIN, VOLUME_MAX, VOLUME_STEP = 0.1, 1.0, 0.1
PITCH_MIN, PITCH_MAX, PITCH_DEFAULT = 0, 100, 50


@dataclass(frozen=True)
class Voice:
    """How lines are spoken. Text speakers ignore it; voice speakers render with it."""

    rate: int = RATE_DEFAULT  # words per minute, RATE_MIN..RATE_MAX
    volume: float = 1.0  # 0.1..1.0
    name: str = ""  # an engine voice id; "" is the engine's default
    pitch: int = PITCH_DEFAULT  # 0..100

    def with_rate(self, rate: int) -> Voice:
        return replace(self, rate=max(RATE_MIN, min(RATE_MAX, rate)))

    def with_volume(self, volume: float) -> Voice:
        return replace(self, volume=round(max(VOLUME_MIN, min(VOLUME_MAX, volume)), 2))


LineKind = Literal["say", "ask", "cue", "summary", "heard"]


@dataclass(frozen=True)
class Line:
    """One line of the session. "heard" lines echo what was heard: printed, not spoken.

    Breathing cues may carry a tone (the phase kind: in, top, hold, out) to play, may be tone
    only (spoken False: the text is printed, not said), and may carry a detail that is printed
    after the text but never said ("1:52 left")."""

    text: str
    kind: LineKind = "say"
    tone: str = ""
    spoken: bool = True
    detail: str = ""


class Speaker(Protocol):
    def say(self, line: Line, voice: Voice) -> bool:
        """Speak (or show) one line; return when it has finished: True, or False if the person
        cut it short (a key press while it played). Their input is then waiting to be heard."""


class TimelineUnavailable(Exception):
    """A speaker cannot play cues as one timed stream (text only, export, speech failed): the
    session times the cues itself."""


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds."""

    def sleep(self, seconds: float) -> None: ...


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "not sure"
    PHRASE = "phrase"  # the step's own phrase was said ("thank you")
    NEXT = "next"  # move on from a thinking pause


class Command(StrEnum):
    REPEAT = "repeat"
    SKIP = "skip"
    BACK = "back"
    PAUSE = "pause"
    RESUME = "resume"
    HELP = "help"
    STOP = "stop"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    SOFTER = "softer"


class Miss(StrEnum):
    SILENCE = "silence"  # nothing heard before the time limit
    UNCLEAR = "unclear"  # something heard that is not an answer or a command
    ENDED = "ended"  # the input is gone for good (standard input closed)


@dataclass(frozen=True)
class Heard:
    value: Answer | Command | Miss
    text: str = ""  # what was heard or typed, for the transcript


ExpectKind = Literal["yes_no", "phrase", "next"]


@dataclass(frozen=True)
class Expect:
    """What a step listens for. Commands are always listened for as well."""

    kind: ExpectKind = "yes_no"
    phrase: str = ""  # for kind "phrase": the words, e.g. "thank you"
    accept: tuple[str, ...] = ()  # other wordings that count as the phrase

    @property
    def answers(self) -> frozenset[Answer]:
        if self.kind == "phrase":
            return frozenset({Answer.PHRASE})
        if self.kind == "next":
            return frozenset({Answer.NEXT})
        return frozenset({Answer.YES, Answer.NO, Answer.UNSURE})


YES_NO = Expect()
NEXT = Expect("next")

InputMode = Literal["voice", "keys"]


class Listener(Protocol):
    mode: InputMode  # which wording the prompts use: "say yes" or "press y"

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        """Wait up to `timeout` seconds (None: no limit) for one answer or command."""
