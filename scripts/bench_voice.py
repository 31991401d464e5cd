#!/usr/bin/env python3
"""Voice out, measured: time from asking to first audio (cached and uncached), render time per
second of speech, the time to warm the whole cache, and how fast a key press stops a line.

Usage (from a checkout, after `bash scripts/setup.sh --test`):
    .venv/bin/python scripts/bench_voice.py [--runs N]

It starts a private PulseAudio with null sinks (tests/pulse.py), so it needs no sound card and
never touches a running sound server. "First audio" is when the first 20 ms block of the line
has been handed to the audio device. Machines here are shared and noisy: read the ratios.
Targets: cached under 30 ms, uncached under 250 ms, stop within 100 ms.
"""

from __future__ import annotations

import argparse
import array
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    from tests.pulse import PulseServer, read_wav, sound_segments

    with PulseServer() as server, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(server.env)  # before sounddevice is imported
        from companion.content.loader import load_content
        from companion.dialogue.protocols import Line, Voice
        from companion.sessions import all_sessions, spoken_lines
        from companion.voice.audio import Audio
        from companion.voice.cache import AudioCache
        from companion.voice.engine import Pyttsx3Engine
        from companion.voice.player import SoundDevicePlayer
        from companion.voice.speaker import VoiceSpeaker

        engine = Pyttsx3Engine()
        player = SoundDevicePlayer()
        player.check()
        cache = AudioCache(Path(tmp) / "cache", engine)
        speaker = VoiceSpeaker(cache, player)
        voice = Voice()

        def first_audio_ms(text: str) -> float:
            # stop right after the first block: only the time to first audio is measured
            started = time.perf_counter()
            player.play(cache.get(text, voice), lambda: player.first_write_at is not None)
            assert player.first_write_at is not None
            return (player.first_write_at - started) * 1000

        line = "When someone offers to help you, do you tend to feel uneasy?"
        speaker.say(Line(line), voice)  # warm: rendered and cached, the device opened
        cached = [first_audio_ms(line) for _ in range(runs)]
        uncached = [first_audio_ms(f"Line {i}: take all the time you need.") for i in range(runs)]

        content = load_content()
        lines: list[str] = []
        for steps in all_sessions(content).values():
            lines += spoken_lines(content, steps)
        lines = list(dict.fromkeys(lines))
        fresh = AudioCache(Path(tmp) / "warm", engine)
        started = time.perf_counter()
        speech = sum(fresh.get(text, voice).seconds for text in lines)
        warm = time.perf_counter() - started

        # Stop delay: a long tone, stopped a known time after its first block went out; the
        # recording of the sink shows how long it really sounded.
        tone = array.array(
            "h", (int(8000 * math.sin(2 * math.pi * 440 * i / 22050)) for i in range(22050 * 3))
        )
        delays = []
        for ask_at in (0.5, 0.9, 1.3, 1.7, 2.1):

            def stop_now(at: float = ask_at) -> bool:
                began = player.first_write_at
                return began is not None and time.perf_counter() >= began + at

            with server.record(Path(tmp) / "stop.wav") as said:
                player.play(Audio(tone.tobytes(), 22050), stop_now)
            samples, rate = read_wav(said)
            start, end = sound_segments(samples, rate, min_gap=0.1)[0]
            delays.append((end - start - ask_at) * 1000)

    p50c, p50u = statistics.median(cached), statistics.median(uncached)
    print(f"voice out, {runs} runs each, Python {sys.version.split()[0]}, engine {engine.id}")
    print(
        f"first audio, cached line:    median {p50c:6.1f} ms  (max {max(cached):.1f})"
        f"   target < 30 ms: {'meets' if p50c < 30 else 'MISSES'}"
    )
    print(
        f"first audio, uncached line:  median {p50u:6.1f} ms  (max {max(uncached):.1f})"
        f"   target < 250 ms: {'meets' if p50u < 250 else 'MISSES'}"
    )
    print(f"uncached / cached:           {p50u / p50c:6.1f}x")
    print(
        f"render time per second of speech: {warm / speech * 1000:.1f} ms"
        f" ({len(lines)} lines, {speech:.0f} s of speech)"
    )
    print(f"warm the whole cache:        {warm:.2f} s for {len(lines)} lines")
    print(
        f"stop delay after a key press: median {statistics.median(delays):.0f} ms"
        f" (max {max(delays):.0f}, {len(delays)} stops; measured on the recording)"
        f"   target < 100 ms: {'meets' if max(delays) < 100 else 'MISSES'}"
    )


if __name__ == "__main__":
    main()
