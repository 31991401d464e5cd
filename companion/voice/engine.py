"""Text-to-speech engines. The contract is one method, as in OpenVoiceOS: render a line to a WAV
file. Caching lives in the wrapper (`cache.py`), not in the engine.

The offline engine is pyttsx3 on espeak-ng. pyttsx3 is used only to render: one line per
`runAndWait`, into a file we name, with its "Audio saved to" chatter kept off our output. It is
never asked to play (its `say` shells out to aplay and can return before the sound ends).
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from companion.dialogue.protocols import Voice
from companion.errors import CompanionError, ExitCode


class SpeechUnavailable(CompanionError):
    """Speech cannot be made here. The message says what to install or check."""

    exit_code = ExitCode.NO_DEVICE


class Engine(Protocol):
    id: str  # part of every cache key: which engine and version made the audio

    def render(self, text: str, voice: Voice, path: Path) -> None:
        """Write `text`, spoken with `voice`, as a 16-bit mono WAV file at `path`."""


@dataclass(frozen=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]


class Pyttsx3Engine:
    """pyttsx3 with its espeak driver (espeak-ng on Debian)."""

    def __init__(self) -> None:
        try:
            import pyttsx3

            self._engine: Any = pyttsx3.init()
        except Exception as e:  # a missing libespeak-ng raises OSError or RuntimeError
            hint = (
                "" if shutil.which("espeak-ng") else " (install it: sudo apt-get install espeak-ng)"
            )
            raise SpeechUnavailable(f"speech needs espeak-ng{hint}: {e}") from None
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as package_version

        try:
            version = package_version("pyttsx3")
        except PackageNotFoundError:
            version = "unknown"
        driver = type(self._engine.proxy._driver).__module__.rsplit(".", 1)[-1]
        # "-2": settings inside the text; renders cached before it may carry a wrong rate.
        self.id = f"pyttsx3-{version}-{driver}-2"
        self._voices: list[VoiceInfo] | None = None

    def voices(self) -> list[VoiceInfo]:
        """The usable voices. MBROLA voices (mb-*) are left out: Debian main lacks MBROLA and
        they render silence."""
        if self._voices is None:
            found = []
            for v in self._engine.getProperty("voices"):
                if str(v.id).startswith(("mb-", "mb/")) and not shutil.which("mbrola"):
                    continue
                languages = tuple(
                    lang.decode() if isinstance(lang, bytes) else str(lang)
                    for lang in (v.languages or [])
                )
                found.append(VoiceInfo(str(v.id), str(v.name), languages))
            self._voices = found
        return self._voices

    def find_voice(self, wanted: str) -> VoiceInfo:
        """A voice by id or name, case-insensitively; a clear error naming close ones."""
        key = wanted.strip().lower()
        for v in self.voices():
            if key in (v.id.lower(), v.name.lower()):
                return v
        import difflib

        names = [v.name for v in self.voices()] + [v.id for v in self.voices()]
        close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see: companion voices"
        raise CompanionError(f"no voice called {wanted!r}{hint}", ExitCode.USAGE)

    def render(self, text: str, voice: Voice, path: Path) -> None:
        e = self._engine
        wanted = self.find_voice(voice.name).id if voice.name else self._default_voice()
        if wanted and e.getProperty("voice") != wanted:
            e.setProperty("voice", wanted)
        # Rate, volume and pitch travel inside the text, as espeak-ng's embedded commands, not
        # as driver properties. espeak-ng applies properties on its own thread, and one set
        # just after the last line ended was sometimes lost: measured here, 9 renders in 30 came
        # out at the previous line's rate (a "faster" that did not take, cached under the new
        # rate). Inside the text they apply to that line, every time (0 wrong in 60).
        spoken = _embedded_settings(voice) + _CONTROL.sub(" ", text)
        # Should the driver still write a WAV with no audio in it, it is never passed on.
        for _ in range(RENDER_TRIES):
            with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to"
                e.save_to_file(spoken, str(path))
                e.runAndWait()
            if _has_audio(path):
                return
        raise SpeechUnavailable(f"espeak-ng gave no audio for {text[:40]!r}")

    def _default_voice(self) -> str:
        """The voice pyttsx3 starts with, by id; "" if it cannot be told."""
        from pyttsx3.drivers.espeak import EspeakDriver

        name = str(getattr(EspeakDriver, "_defaultVoice", "") or "")
        try:
            return self.find_voice(name).id if name else ""
        except CompanionError:
            return ""


RENDER_TRIES = 3
# Control characters would be read by espeak-ng as embedded commands of their own.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _embedded_settings(voice: Voice) -> str:
    """espeak-ng's embedded commands for one line: speed in words a minute (S), amplitude in
    percent (A, the same scale pyttsx3's volume is turned into) and pitch 0-99 (P)."""
    return f"\x01{voice.rate}S\x01{round(voice.volume * 100)}A\x01{voice.pitch}P"


def _has_audio(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False
