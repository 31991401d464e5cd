"""Text-to-speech engines. The contract is one method, as in OpenVoiceOS: render a line to a WAV
file. Caching lives in the wrapper (`cache.py`), not in the engine.

The offline engine is pyttsx3 on espeak-ng. pyttsx3 is used only to render: one line per
`runAndWait`, into a file we name, with its "Audio saved to" chatter kept off our output. It is
never asked to play (its `say` shells out to aplay and can return before the sound ends).
"""

from __future__ import annotations

import contextlib
import io
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
        self.id = f"pyttsx3-{version}-{driver}"
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
        # pyttsx3 queues property changes with the utterances; measured here, setting them
        # before every line left about 1 render in 10 empty, setting them only when they
        # change left none in 650. So: only when they change.
        wanted = (
            self.find_voice(voice.name).id if voice.name else "",
            voice.rate,
            voice.volume,
            voice.pitch,
        )
        # pyttsx3.init() hands every caller the same driver, so what was last applied is kept
        # per driver, not per Pyttsx3Engine: another instance may have changed it since.
        if wanted != _APPLIED.get(id(e)):
            if wanted[0]:
                e.setProperty("voice", wanted[0])
            e.setProperty("rate", voice.rate)
            e.setProperty("volume", voice.volume)
            e.setProperty("pitch", voice.pitch)
            _APPLIED[id(e)] = wanted
        # Should the driver still write a WAV with no audio in it, it is never passed on.
        for _ in range(RENDER_TRIES):
            with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved to"
                e.save_to_file(text, str(path))
                e.runAndWait()
            if _has_audio(path):
                return
        raise SpeechUnavailable(f"espeak-ng gave no audio for {text[:40]!r}")


RENDER_TRIES = 3
_APPLIED: dict[
    int, tuple[str, int, float, int]
] = {}  # per pyttsx3 driver: voice, rate, volume, pitch


def _has_audio(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() > 0
    except (OSError, EOFError, wave.Error):
        return False
