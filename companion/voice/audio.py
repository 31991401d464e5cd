"""Audio as bytes: 16-bit little-endian mono PCM and its sample rate. Standard library only."""

from __future__ import annotations

import os
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path


class BadAudio(Exception):
    """A WAV file that is missing, truncated or not what we write."""


@dataclass(frozen=True)
class Audio:
    pcm: bytes  # 16-bit little-endian, mono
    rate: int

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def seconds(self) -> float:
        return self.frames / self.rate

    @classmethod
    def read(cls, path: Path) -> Audio:
        """Read a WAV we wrote; raise BadAudio if it is truncated, empty or of another shape."""
        try:
            with wave.open(str(path), "rb") as w:
                if w.getnchannels() != 1 or w.getsampwidth() != 2:
                    raise BadAudio(f"{path}: not 16-bit mono")
                frames = w.getnframes()
                pcm = w.readframes(frames)
                rate = w.getframerate()
        except (OSError, EOFError, wave.Error) as e:
            raise BadAudio(f"{path}: {e}") from None
        if frames == 0 or len(pcm) != 2 * frames:
            raise BadAudio(f"{path}: truncated ({len(pcm)} of {2 * frames} bytes)")
        return cls(pcm, rate)

    def write(self, path: Path) -> None:
        """Write atomically: a temporary file beside the target, then a rename."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(self.rate)
                w.writeframes(self.pcm)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
