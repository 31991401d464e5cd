"""Speakers that make sound: render (through the cache), then play. And the tee that keeps the
transcript mirror in front of any voice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from companion.dialogue.protocols import Line, Speaker, Voice
from companion.voice.audio import Audio
from companion.voice.cache import AudioCache
from companion.voice.engine import SpeechUnavailable


class Player(Protocol):
    """What VoiceSpeaker needs of a player (SoundDevicePlayer, or a fake in tests)."""

    def play(self, audio: Audio, interrupted: Callable[[], bool] | None = None) -> bool: ...


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

    def say(self, line: Line, voice: Voice) -> bool:
        if not self.working or line.kind == "heard":
            return True
        try:
            return self.player.play(self.cache.get(line.text, voice), self.interrupted)
        except SpeechUnavailable as e:
            self.working = False
            self.notice(f"{e.message}; showing text only from here")
            return True


class TeeSpeaker:
    """The transcript mirror first (every line printed), then the voice."""

    def __init__(self, text: Speaker, voice: Speaker) -> None:
        self.text = text
        self.voice = voice

    def say(self, line: Line, voice: Voice) -> bool:
        self.text.say(line, voice)
        return self.voice.say(line, voice)
