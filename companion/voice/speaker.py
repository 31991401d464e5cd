"""Speakers that make sound: render (through the cache), then play. And the tee that keeps the
transcript mirror in front of any voice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Protocol

from companion.dialogue.protocols import Line, Speaker, TimelineUnavailable, Voice
from companion.voice.audio import Audio
from companion.voice.cache import AudioCache
from companion.voice.engine import SpeechUnavailable
from companion.voice.mix import mixed_blocks
from companion.voice.player import BLOCK_SECONDS


class Player(Protocol):
    """What VoiceSpeaker needs of a player (SoundDevicePlayer, or a fake in tests)."""

    def play(self, audio: Audio, interrupted: Callable[[], bool] | None = None) -> bool: ...

    def play_blocks(
        self, blocks: Iterable[bytes], rate: int, interrupted: Callable[[], bool] | None = None
    ) -> int | None: ...


CUE_GAP_SECONDS = 0.05  # between a cue's tone and its word
TAIL_SECONDS = 0.03  # kept after a cue's last sound


def trimmed(audio: Audio, threshold: int = 64) -> Audio:
    """The audio without its trailing quiet (espeak-ng ends each line with a pause)."""
    pcm = audio.pcm
    end = len(pcm)
    while end >= 2 and abs(int.from_bytes(pcm[end - 2 : end], "little", signed=True)) < threshold:
        end -= 2
    keep = min(len(pcm), end + 2 * round(TAIL_SECONDS * audio.rate))
    return Audio(pcm[:keep], audio.rate)


def line_audio(cache: AudioCache, line: Line, voice: Voice) -> Audio:
    """What a line sounds like: its speech, or for a breathing cue its tone and/or its word,
    trimmed of trailing quiet so it never runs into the next cue."""
    if line.kind != "cue":
        return cache.get(line.text, voice)
    if not line.tone:
        return trimmed(cache.get(line.text, voice))
    from companion.breathing.tones import RATE, tone_pcm

    pcm = tone_pcm(line.tone, RATE)
    if line.spoken:
        speech = trimmed(cache.get(line.text, voice))
        if speech.rate != RATE:
            raise SpeechUnavailable(f"a cue rendered at {speech.rate} Hz, tones are {RATE} Hz")
        pcm += bytes(2 * round(CUE_GAP_SECONDS * RATE)) + speech.pcm
    return Audio(pcm, RATE)


class VoiceSpeaker:
    """Speak each line aloud. If speech fails part-way (the device goes away), say so once and
    go quiet: the session carries on in text."""

    def __init__(
        self,
        cache: AudioCache,
        player: Player,
        *,
        interrupted: Callable[[], bool] | None = None,
        notice: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.cache = cache
        self.player = player
        self.interrupted = interrupted
        self.notice = notice
        self.working = True
        self._cues: dict[tuple[Line, Voice], Audio] = {}  # breathing cues, kept in memory

    def say(self, line: Line, voice: Voice) -> bool:
        if not self.working or line.kind == "heard":
            return True
        if not line.spoken and not line.tone:
            return True
        try:
            return self.player.play(self._audio(line, voice), self.interrupted)
        except SpeechUnavailable as e:
            self.working = False
            self.notice(f"{e.message}; showing text only from here")
            return True

    def play_timeline(
        self,
        cues: Sequence[tuple[float, Line]],
        seconds: float,
        voice: Voice,
        shown: Callable[[Line], object],
    ) -> float | None:
        """Play cues at their times (seconds from now) as one continuous stream `seconds` long,
        so they land on exact samples of the device's own clock. Each cue's line is shown as
        its block goes out. None when played to the end; else the seconds played when the
        person cut in (their input is then waiting)."""
        from companion.breathing.tones import RATE

        if not self.working:
            raise TimelineUnavailable
        audio = [(at, line, self._audio(line, voice)) for at, line in cues]
        if any(a.rate != RATE for _, _, a in audio):
            raise TimelineUnavailable
        placed = [(round(at * RATE), a.pcm) for at, _, a in audio]
        marks = sorted(((round(at * RATE), line) for at, line, _ in audio), key=lambda m: m[0])
        block = round(RATE * BLOCK_SECONDS)

        def blocks() -> Iterator[bytes]:
            for first, chunk in mixed_blocks(placed, round(seconds * RATE), block):
                while marks and marks[0][0] < first + block:
                    shown(marks.pop(0)[1])
                yield chunk

        try:
            cut = self.player.play_blocks(blocks(), RATE, self.interrupted)
        except SpeechUnavailable as e:
            self.working = False
            self.notice(f"{e.message}; showing text only from here")
            raise TimelineUnavailable from None
        return None if cut is None else cut / RATE

    def _audio(self, line: Line, voice: Voice) -> Audio:
        """A cue's audio is made once and kept: when its time comes it only has to be played."""
        if line.kind != "cue":
            return line_audio(self.cache, line, voice)
        key = (replace(line, detail=""), voice)
        if key not in self._cues:
            self._cues[key] = line_audio(self.cache, line, voice)
        return self._cues[key]


class TeeSpeaker:
    """The transcript mirror first (every line printed), then the voice."""

    def __init__(self, text: Speaker, voice: Speaker) -> None:
        self.text = text
        self.voice = voice

    def say(self, line: Line, voice: Voice) -> bool:
        self.text.say(line, voice)
        return self.voice.say(line, voice)

    def play_timeline(
        self, cues: Sequence[tuple[float, Line]], seconds: float, voice: Voice
    ) -> float | None:
        play = getattr(self.voice, "play_timeline", None)
        if play is None:
            raise TimelineUnavailable
        result: float | None = play(cues, seconds, voice, lambda line: self.text.say(line, voice))
        return result
