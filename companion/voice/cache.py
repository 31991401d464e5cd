"""The audio cache: rendered lines kept as WAV files, keyed by everything that shapes them.

The key covers the engine (and its version), voice, rate, pitch, volume and text; it is never
taken from the audio itself (the same text can render to slightly different bytes). Files are
written atomically (a temporary file, then a rename), so two processes warming one cache both
end with whole files; a truncated or corrupt file is noticed on reading and rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from companion.dialogue.protocols import Voice
from companion.voice.audio import Audio, BadAudio
from companion.voice.engine import Engine


@dataclass
class CacheStats:
    hits: int = 0
    renders: int = 0
    write_failures: int = 0


class AudioCache:
    def __init__(self, folder: Path, engine: Engine) -> None:
        self.folder = folder
        self.engine = engine
        self.stats = CacheStats()

    def key(self, text: str, voice: Voice) -> str:
        fields = [self.engine.id, voice.name, voice.rate, voice.pitch, voice.volume, text]
        return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()[:32]

    def path(self, text: str, voice: Voice) -> Path:
        return self.folder / f"{self.key(text, voice)}.wav"

    def get(self, text: str, voice: Voice) -> Audio:
        """The line's audio: from the cache if whole, else rendered (and cached if possible)."""
        path = self.path(text, voice)
        try:
            audio = Audio.read(path)
            self.stats.hits += 1
            return audio
        except BadAudio:
            pass
        audio = self._render(text, voice, path)
        self.stats.renders += 1
        return audio

    def _render(self, text: str, voice: Voice, path: Path) -> Audio:
        keep = True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{path.stem}.", suffix=".wav")
        except OSError:
            # No cache today (read-only, full disk): render to the system's temporary folder.
            self.stats.write_failures += 1
            fd, tmp = tempfile.mkstemp(suffix=".wav")
            keep = False
        os.close(fd)
        try:
            self.engine.render(text, voice, Path(tmp))
            audio = Audio.read(Path(tmp))
            if keep:
                os.replace(tmp, path)
            return audio
        except OSError:
            self.stats.write_failures += 1
            return Audio.read(Path(tmp))  # rendered but not kept: still speak it
        finally:
            Path(tmp).unlink(missing_ok=True)


def cache_info(folder: Path) -> tuple[int, int]:
    """(files, bytes) in a cache folder."""
    files = list(folder.glob("*.wav")) if folder.is_dir() else []
    return len(files), sum(f.stat().st_size for f in files)


def clear_cache(folder: Path) -> int:
    """Remove every cached file (and stray temporary ones); return how many."""
    if not folder.is_dir():
        return 0
    removed = 0
    for f in [*folder.glob("*.wav"), *folder.glob(".*.wav"), *folder.glob(".*.tmp")]:
        f.unlink(missing_ok=True)
        removed += 1
    return removed
