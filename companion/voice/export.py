"""Export a whole session to one WAV file instead of playing it: a guided track for a phone.

The `Timeline` is the session's Clock: its "now" is the track's length so far, so a spoken line
advances it by the line's length and a pause by the pause's, and every line and breathing cue
is placed at its exact sample. The `ExportListener` stands in for the person: it answers from
`--answers`, says the receiving phrase, and lets thinking pauses and breaths run their length,
each after a quiet gap in which a listener can answer aloud.
"""

from __future__ import annotations

from pathlib import Path

from companion.dialogue.protocols import Answer, Expect, Heard, InputMode, Line, Miss, Voice
from companion.errors import CompanionError, ExitCode
from companion.voice.audio import Audio
from companion.voice.cache import AudioCache
from companion.voice.speaker import line_audio

ANSWER_GAP = 3.0  # seconds of quiet after a question, to answer aloud


class Timeline:
    def __init__(self, rate: int = 22050) -> None:
        self.rate = rate
        self.position = 0  # in frames
        self.segments: list[tuple[int, bytes]] = []

    def now(self) -> float:
        return self.position / self.rate

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.position += round(seconds * self.rate)

    def place(self, audio: Audio) -> None:
        if audio.rate != self.rate:
            raise CompanionError(
                f"cannot export: a line rendered at {audio.rate} Hz, the track is {self.rate} Hz"
            )
        self.segments.append((self.position, audio.pcm))
        self.position += audio.frames

    def audio(self) -> Audio:
        end = max([self.position, *(start + len(pcm) // 2 for start, pcm in self.segments)])
        track = bytearray(2 * end)
        for start, pcm in self.segments:
            track[2 * start : 2 * start + len(pcm)] = pcm
        return Audio(bytes(track), self.rate)

    def write(self, path: Path) -> Audio:
        audio = self.audio()
        audio.write(path)
        return audio


class ExportSpeaker:
    def __init__(self, cache: AudioCache, timeline: Timeline) -> None:
        self.cache = cache
        self.timeline = timeline

    def say(self, line: Line, voice: Voice) -> bool:
        if line.kind != "heard" and (line.spoken or line.tone):
            self.timeline.place(line_audio(self.cache, line, voice))
        return True


class ExportListener:
    mode: InputMode = "voice"  # the track is listened to: its lines say "say yes", not "press y"

    def __init__(self, answers: list[Answer], timeline: Timeline) -> None:
        self.answers = list(answers)
        self.given = len(answers)
        self.timeline = timeline

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        if timeout == 0:  # "was a line cut short?": never, in a track
            return Heard(Miss.SILENCE)
        if expect.kind == "yes_no":
            if not self.answers:
                raise CompanionError(
                    f"--answers gave {self.given} answers, but the session asks more questions",
                    ExitCode.USAGE,
                )
            self.timeline.sleep(ANSWER_GAP)
            answer = self.answers.pop(0)
            return Heard(answer, str(answer))
        if expect.kind == "phrase":
            self.timeline.sleep(ANSWER_GAP)
            return Heard(Answer.PHRASE, expect.phrase)
        if timeout is None:  # an untimed pause: a track cannot wait, so it moves on
            return Heard(Answer.NEXT, "next")
        self.timeline.sleep(timeout)
        return Heard(Miss.SILENCE)
