"""Playing audio on the default output device, stoppable within one block.

Why sounddevice: it ships as a wheel (no compiler; PyAudio builds from source and needs
portaudio19-dev), it serves both directions (the microphone listener can use it too), its raw
streams take bytes without numpy, and writing small blocks ourselves lets a key press stop a line
within a block (20 ms) plus the device's latency. PortAudio reaches PulseAudio or PipeWire
through ALSA's pulse plugin (Debian: libportaudio2, libasound2-plugins).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import Any

from companion.voice.audio import Audio
from companion.voice.engine import SpeechUnavailable

BLOCK_SECONDS = 0.02
# The device buffer. Measured through PulseAudio with every core busy: 9 ms ("low") glitched
# mid-line; 50 and 100 ms played bit-exact. Stopping does not wait for it (abort drops what is
# queued): a stop took 15-23 ms with either.
BUFFER_SECONDS = 0.1


class SoundDevicePlayer:
    def __init__(self) -> None:
        try:
            import sounddevice
        except OSError as e:  # PortAudio itself is missing
            raise SpeechUnavailable(
                f"no audio library ({e}); install it: sudo apt-get install libportaudio2"
            ) from None
        self._sd: Any = sounddevice
        self._stream: Any = None
        self._rate = 0
        self.first_write_at: float | None = None  # when the last line's first block went out

    def _open(self, rate: int) -> Any:
        if self._stream is not None and self._rate == rate:
            return self._stream
        self.close()
        try:
            self._sd.query_devices(kind="output")
            stream = self._sd.RawOutputStream(
                samplerate=rate, channels=1, dtype="int16", latency=BUFFER_SECONDS
            )
        except Exception as e:  # PortAudioError, or no device at all
            raise SpeechUnavailable(f"no audio output device found ({_short(e)})") from None
        self._stream, self._rate = stream, rate
        return stream

    def check(self, rate: int = 22050) -> None:
        """Open the output now, so a missing device is known before the session starts."""
        self._open(rate)

    def play(self, audio: Audio, interrupted: Callable[[], bool] | None = None) -> bool:
        """Play to the end (True) or until `interrupted()` says so (False, within one block)."""
        block = 2 * max(1, round(audio.rate * BLOCK_SECONDS))
        chunks = (audio.pcm[i : i + block] for i in range(0, len(audio.pcm), block))
        return self.play_blocks(chunks, audio.rate, interrupted) is None

    def play_blocks(
        self,
        blocks: Iterable[bytes],
        rate: int,
        interrupted: Callable[[], bool] | None = None,
    ) -> int | None:
        """Play a stream of blocks: None when all were played, else how many samples had gone
        out when `interrupted()` said stop (checked before each block)."""
        stream = self._open(rate)
        self.first_write_at = None
        written = 0
        try:
            stream.start()
            for chunk in blocks:
                if interrupted is not None and interrupted():
                    stream.abort()  # drop what is queued: silence now
                    return written
                stream.write(chunk)
                written += len(chunk) // 2
                if self.first_write_at is None:
                    self.first_write_at = time.perf_counter()
            # Stopping through ALSA's pulse plugin drops what is still buffered (measured: the
            # last 0.1 s of a line). Push the end out with a buffer of silence: when the
            # silence is written the sound has been heard, and only silence is dropped.
            stream.write(bytes(2 * round(rate * (BUFFER_SECONDS + BLOCK_SECONDS))))
            stream.stop()
            return None
        except self._sd.PortAudioError as e:
            self.close()
            raise SpeechUnavailable(f"the audio output failed ({_short(e)})") from None

    def close(self) -> None:
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.close()
            self._stream = None


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__
