"""The voice listener: the default microphone, SpeechRecognition's endpointing, a recogniser.

Why sounddevice and our own `AudioSource` rather than `sr.Microphone`: `sr.Microphone` needs
PyAudio, which has no Linux wheel (it builds from source and needs a compiler and
portaudio19-dev); sounddevice installs as a wheel, its raw streams give bytes with no numpy, and
the program already plays its voice through it. `sr.Microphone` also swallows "no device": its
`with` block does not raise and the first listen fails with an AssertionError. Opening a
`MicrophoneSource` says "no microphone found" at once, before anything is spoken.

One capture stream is kept open for the whole session (opening one through ALSA's pulse plugin
can take a second or more), but its audio is kept only while listening: a callback drops every
block that arrives between listens, so the listener never hears the program's own voice, which
plays before it listens. Each listen starts from fresh audio.

Endpointing is SpeechRecognition's `Recognizer.listen`: an energy threshold calibrated once on
half a second of the room at the start, then following the room while nobody speaks; a phrase
ends after `PAUSE_SECONDS` of quiet, so an answer is decided within about 0.4 s of its end.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from companion.dialogue.protocols import Expect, Heard, InputMode, Miss
from companion.errors import CompanionError, ExitCode
from companion.listen.recognise import (
    SAMPLE_RATE,
    SAMPLE_WIDTH,
    Recogniser,
    Recognition,
    speech_recognition,
)

sr: Any = speech_recognition()
_AudioSource: Any = sr.AudioSource
_Recognizer: Any = sr.Recognizer

__all__ = [
    "MicrophoneSource",
    "NoMicrophone",
    "VoiceListener",
]

# 20 ms blocks: the endpointer decides on whole blocks, so a smaller block ends a phrase sooner
# after the last sound (SpeechRecognition's own microphone reads 64 ms blocks).
CHUNK_FRAMES = 320
CALIBRATE_SECONDS = 0.5  # of the room, once at the start; an answer spoken then is lost
PAUSE_SECONDS = 0.25  # of quiet that ends a phrase (SpeechRecognition's default is 0.8)
KEEP_SECONDS = 0.25  # of quiet kept before and after the phrase, for the recogniser
MIN_PHRASE_SECONDS = 0.1  # shorter sounds are clicks; a short "no" is about 0.3 s
PHRASE_LIMIT_SECONDS = 5.0  # the longest answer; `timeout` bounds only the wait for its start
THRESHOLD_RATIO = 1.5  # speech starts this far above the room's level (SpeechRecognition's own)
# The threshold never falls below -50 dBFS (RMS 100 of 32768): a digitally silent input would
# otherwise take every click for speech. Speech from the development corpus peaks at -10 to
# -28 dBFS in 20 ms blocks.
MIN_THRESHOLD = 100.0
# SpeechRecognition raises the threshold towards the level it hears, during speech too: after
# a loud start, the rest of an answer (20 dB softer, still plainly speech) counted as quiet and
# was cut off. Within one listen it may rise at most this much (6 dB): enough to follow a room
# that grows louder over a few listens, too little to take speech for quiet.
MAX_RISE = 2.0
READ_TIMEOUT_SECONDS = 5.0  # no audio for this long while listening: the microphone is gone

NO_MICROPHONE = "no microphone found; use --input keys"


class NoMicrophone(CompanionError):
    """No microphone can be used here (none found, it cannot be opened, it went silent)."""

    exit_code = ExitCode.NO_DEVICE


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the block: PortAudio and ALSA print their own
    noise there (hundreds of ALSA and JACK lines on some machines) when they start. Python's
    own errors still arrive, as exceptions, after the block."""
    saved: int | None = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
        saved = os.dup(2)
    if saved is None:  # no usable descriptor 2: nothing to hide
        yield
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def rms(pcm: bytes) -> float:
    """Root mean square of 16-bit little-endian samples (0 for none)."""
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":  # pragma: no cover - every machine we run on is little-endian
        samples.byteswap()
    if not samples:
        return 0.0
    return math.sqrt(math.fsum(s * s for s in samples) / len(samples))


def dbfs(level: float) -> float:
    """An RMS level of 16-bit audio in dB relative to full scale."""
    return 20 * math.log10(level / 32768) if level > 0 else -math.inf


class _Capture:
    """The stream `Recognizer.listen` reads from: a sounddevice `RawInputStream` whose callback
    keeps blocks only while collecting. `read(frames)` blocks until that much audio is there."""

    def __init__(self, sd: Any, device: int | str | None, chunk: int) -> None:
        self._ready = threading.Condition()
        self._buffer = bytearray()
        self._collecting = False
        self._skip = 0
        self.stream: Any = sd.RawInputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=chunk,
            device=device,
            callback=self._callback,
        )
        self.latency = float(self.stream.latency)
        self.chunk = chunk

    def _callback(self, data: Any, frames: int, time_info: Any, status: Any) -> None:
        with self._ready:
            if not self._collecting:
                return  # between listens: the program may be speaking
            if self._skip > 0:
                self._skip -= 1
                return
            self._buffer += data
            self._ready.notify()

    def start(self) -> None:
        self.stream.start()

    def collect(self) -> None:
        """Keep audio from now on. The first blocks, as long as the input's latency, left the
        microphone before this moment (the tail of what the program just said): dropped too."""
        with self._ready:
            self._buffer.clear()
            self._skip = math.ceil(self.latency * SAMPLE_RATE / self.chunk)
            self._collecting = True

    def pause(self) -> None:
        with self._ready:
            self._collecting = False
            self._buffer.clear()

    def read(self, frames: int) -> bytes:
        wanted = frames * SAMPLE_WIDTH
        deadline = time.monotonic() + READ_TIMEOUT_SECONDS
        with self._ready:
            while len(self._buffer) < wanted:
                left = deadline - time.monotonic()
                if left <= 0 or not self.stream.active:
                    raise NoMicrophone("the microphone stopped sending sound; use --input keys")
                self._ready.wait(min(left, 0.5))
            block = bytes(self._buffer[:wanted])
            del self._buffer[:wanted]
        return block

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.close()


class MicrophoneSource(_AudioSource):  # type: ignore[misc]
    """The default input device as a SpeechRecognition `AudioSource`: 16 kHz mono int16 in
    20 ms blocks, through sounddevice. Opening raises `NoMicrophone` when there is none."""

    SAMPLE_RATE = SAMPLE_RATE
    SAMPLE_WIDTH = SAMPLE_WIDTH
    CHUNK = CHUNK_FRAMES

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device
        self.stream: _Capture | None = None
        self.device_name = ""  # "default (ALSA)", known once open

    def __enter__(self) -> MicrophoneSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        if self.stream is not None:
            return
        with quiet_stderr():
            try:
                import sounddevice as sd
            except OSError as e:  # PortAudio itself is missing
                raise NoMicrophone(
                    f"no audio library ({_short(e)}); install it: sudo apt-get install "
                    "libportaudio2, or use --input keys"
                ) from None
            try:
                info = sd.query_devices(self.device, kind="input")
            except Exception:  # PortAudioError, ValueError: no input device at all
                raise NoMicrophone(NO_MICROPHONE) from None
            if int(info.get("max_input_channels", 0)) < 1:
                raise NoMicrophone(NO_MICROPHONE)
            try:
                capture = _Capture(sd, self.device, self.CHUNK)
                capture.start()
            except Exception as e:
                raise NoMicrophone(
                    f"the microphone cannot be opened ({_short(e)}); use --input keys"
                ) from None
        self.stream = capture
        host = _host_api_name(sd, info)
        self.device_name = f"{info.get('name', '?')} ({host})" if host else str(info.get("name"))

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None


def _host_api_name(sd: Any, info: Any) -> str:
    try:
        return str(sd.query_hostapis(info["hostapi"])["name"])
    except Exception:
        return ""


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__


class _Endpointer(_Recognizer):  # type: ignore[misc]
    """SpeechRecognition's recogniser, tuned to decide quickly, with its energy threshold held
    between a floor and a ceiling (set for each listen)."""

    def __init__(self) -> None:
        self._threshold = MIN_THRESHOLD
        self.ceiling = math.inf
        super().__init__()
        self.dynamic_energy_threshold = True  # follow the room while nobody speaks
        self.pause_threshold = PAUSE_SECONDS
        self.non_speaking_duration = KEEP_SECONDS
        self.phrase_threshold = MIN_PHRASE_SECONDS

    @property
    def energy_threshold(self) -> float:
        return self._threshold

    @energy_threshold.setter
    def energy_threshold(self, value: float) -> None:
        self._threshold = max(MIN_THRESHOLD, min(self.ceiling, float(value)))


class VoiceListener:
    """Answers by voice from the default microphone. Opening it (building it) opens the
    microphone, loads the recogniser and listens to the room for half a second: do it before
    anything is spoken. Use as a context manager, or call `close()`."""

    mode: InputMode = "voice"

    def __init__(
        self,
        recogniser: Recogniser | Callable[[], Recogniser] | None = None,
        *,
        source: MicrophoneSource | None = None,
        calibrate_seconds: float = CALIBRATE_SECONDS,
        phrase_limit: float = PHRASE_LIMIT_SECONDS,
    ) -> None:
        """`recogniser`: one, or a function that builds one (called once the microphone is
        open, so "no microphone" is said before a model loads); None: pocketsphinx."""
        self.source = source or MicrophoneSource()
        self.source.open()
        self.phrase_limit = phrase_limit
        self.endpointer = _Endpointer()
        self.noise = 0.0  # the room's RMS level when calibrated
        self.last_phrase_seconds = 0.0  # the audio the last listen took, with its margins
        self.notice = ""  # a line to show and say before the first listen (online engines)
        try:
            capture = self._capture()
            capture.collect()  # the room is heard while the recogniser loads
            if recogniser is None:
                from companion.listen.sphinx import SphinxRecogniser

                recogniser = SphinxRecogniser
            if isinstance(recogniser, type) or not hasattr(recogniser, "recognise"):
                assert callable(recogniser)
                recogniser = recogniser()
            self.recogniser: Recogniser = recogniser  # type: ignore[assignment]
            self._calibrate(calibrate_seconds)
        except BaseException:
            self.source.close()
            raise

    def _capture(self) -> _Capture:
        if self.source.stream is None:
            raise NoMicrophone("the microphone is closed")
        return self.source.stream

    def _calibrate(self, seconds: float) -> None:
        """Set the threshold from the room's level: read `seconds` of audio (and drop it)."""
        capture = self._capture()
        try:
            blocks = max(1, round(seconds * SAMPLE_RATE / self.source.CHUNK))
            pcm = b"".join(capture.read(self.source.CHUNK) for _ in range(blocks))
        finally:
            capture.pause()
        self.noise = rms(pcm)
        self.endpointer.energy_threshold = THRESHOLD_RATIO * self.noise

    @property
    def device_name(self) -> str:
        return self.source.device_name

    @property
    def threshold(self) -> float:
        """The energy (RMS) above which sound counts as speech, now."""
        return float(self.endpointer.energy_threshold)

    def __enter__(self) -> VoiceListener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.source.close()

    def pending(self) -> bool:
        """Is the person speaking over a line? Always False: with no echo cancellation the
        microphone hears the program's own voice from the loudspeaker, which would cut every
        line short. Voice barge-in needs echo cancellation (or headphones) first."""
        return False

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        return self.hear(expect, timeout).heard

    def hear(self, expect: Expect, timeout: float | None) -> Recognition:
        """Wait up to `timeout` seconds (None: no limit) for speech to start, take the phrase
        until a short pause (at most `phrase_limit` seconds), and decide it."""
        self.last_phrase_seconds = 0.0
        if timeout is not None and timeout <= 0:
            return Recognition(Heard(Miss.SILENCE))  # nothing can be waiting: no barge-in
        capture = self._capture()
        before = self.endpointer.energy_threshold
        self.endpointer.ceiling = MAX_RISE * before
        capture.collect()
        try:
            audio = self.endpointer.listen(
                self.source, timeout=timeout, phrase_time_limit=self.phrase_limit
            )
        except sr.WaitTimeoutError:
            return Recognition(Heard(Miss.SILENCE))  # the threshold keeps following the room
        finally:
            capture.pause()
        pcm: bytes = audio.get_raw_data(convert_rate=SAMPLE_RATE, convert_width=SAMPLE_WIDTH)
        self.last_phrase_seconds = len(pcm) / SAMPLE_WIDTH / SAMPLE_RATE
        recognition = self.recogniser.recognise(pcm, expect)
        if recognition.heard.value is not Miss.SILENCE:
            # Words: give back what the threshold climbed during them, so a softer answer
            # next time is still heard. A "phrase" of noise alone keeps the rise: the room
            # got louder.
            self.endpointer.energy_threshold = min(before, self.endpointer.energy_threshold)
        return recognition
