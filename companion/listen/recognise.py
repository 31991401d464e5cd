"""What a speech recogniser gives back, and the audio it takes. No engine is imported here.

Every recogniser takes one utterance as 16 kHz mono 16-bit little-endian PCM and the step's
`Expect`, and returns a `Recognition`: what it heard as words, what that means for the step
(through the same `interpret` the keyboard uses), a confidence, and how long decoding took.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol, cast

from companion.dialogue.protocols import Answer, Command, Expect, Heard, Miss

SAMPLE_RATE = 16_000  # every recogniser here works on 16 kHz mono int16
SAMPLE_WIDTH = 2


@dataclass(frozen=True)
class Recognition:
    heard: Heard
    text: str = ""  # the words heard ("" when nothing was)
    confidence: float | None = None  # 0..1, or None when the engine gives none
    ms: float = 0.0  # decode time in milliseconds

    @property
    def label(self) -> str:
        """One word for what was decided: yes, no, unsure, phrase, next, unclear, silence,
        or a command word (stop, repeat, ...)."""
        value = self.heard.value
        if value is Answer.UNSURE:
            return "unsure"
        if isinstance(value, (Answer, Command, Miss)):
            return str(value.value)
        return str(value)  # pragma: no cover - Heard.value is always one of the three


class Recogniser(Protocol):
    name: str  # "pocketsphinx", "vosk", ...: shown by mic-check and recognize
    offline: bool  # False: audio leaves the machine

    def recognise(self, pcm: bytes, expect: Expect) -> Recognition:
        """Decide one utterance (16 kHz mono int16 PCM) for a step expecting `expect`."""


def speech_recognition() -> ModuleType:
    """Import SpeechRecognition, which imports `aifc` and `audioop` (deprecated in Python 3.11,
    harmless here): their warnings are silenced for that import only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*(aifc|audioop)")
        import speech_recognition as sr
    return cast(ModuleType, sr)


class AudioFileError(Exception):
    """An audio file cannot be read: the message says why in plain words."""


def read_audio_file(path: str) -> bytes:
    """A WAV, AIFF or FLAC file (any rate, mono or stereo) as 16 kHz mono int16 PCM."""
    import os

    if not os.path.exists(path):
        raise AudioFileError("no such file")
    if os.path.isdir(path):
        raise AudioFileError("is a folder, not an audio file")
    sr = speech_recognition()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            with sr.AudioFile(path) as source:
                data = sr.Recognizer().record(source)
            pcm: bytes = data.get_raw_data(convert_rate=SAMPLE_RATE, convert_width=SAMPLE_WIDTH)
    except PermissionError:
        raise AudioFileError("cannot be read (permission denied)") from None
    except (ValueError, EOFError, OSError, AssertionError):
        raise AudioFileError("is not a WAV, AIFF or FLAC file that can be read") from None
    return pcm
