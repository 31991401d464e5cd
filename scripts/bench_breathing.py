#!/usr/bin/env python3
"""Breathing timing, measured.

(a) Export: a 10-minute breathing session is exported to WAV; every cue is looked up in the file
    and its start compared with its scheduled sample.
(b) Live: a breathing session of at least 2 minutes plays through a private PulseAudio null sink
    (tests/pulse.py; no sound card needed); the sink's monitor is recorded, every cue is found in
    the recording sample for sample (the sink runs at the voice's 22050 Hz, so playback is
    bit-exact), and its onset is compared with the schedule, counted from the first cue. Drift
    is the mean error in the last minute minus the mean error in the first.

Usage (from a checkout, after `bash scripts/setup.sh --test`):
    .venv/bin/python scripts/bench_breathing.py [--live-minutes M] [--cues voice|tone|both]
Targets: export exact to 1 ms; live within 20 ms at worst; no drift.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RATE = 22050
SEARCH = 0.5  # seconds either side of where a cue should be


def cue_plan(cache_dir: Path, minutes: float, cues: str) -> tuple[list[tuple[float, bytes]], float]:
    """(scheduled seconds, audio) for every cue of the default breathing session, fitted with
    the real voice exactly as `companion breathe` does; and the breathing's length."""
    from companion.content.loader import load_content
    from companion.dialogue.protocols import Line, Voice
    from companion.dialogue.steps import Breathe
    from companion.sessions import breathe
    from companion.voice.cache import AudioCache
    from companion.voice.engine import Pyttsx3Engine
    from companion.voice.speaker import line_audio, trimmed

    cache = AudioCache(cache_dir, Pyttsx3Engine())
    voice = Voice()
    steps = breathe(
        load_content(),
        minutes=minutes,
        mode=cues,  # type: ignore[arg-type]
        measure=lambda text: trimmed(cache.get(text, voice)).seconds,
    )
    plan = next(s for s in steps if isinstance(s, Breathe))
    out = []
    for cue in plan.cues:
        tone = cue.kind if cue.sound in ("tone", "both") else ""
        line = Line(cue.text, "cue", tone=tone, spoken=cue.sound != "tone")
        out.append((cue.at, line_audio(cache, line, voice).pcm))
    return out, plan.seconds


def onsets(track: bytes, plan: list[tuple[float, bytes]]) -> list[tuple[float, float]]:
    """(scheduled, found) seconds for each cue, both counted from the first cue."""
    probe = 2 * round(0.25 * RATE)
    first = track.find(plan[0][1][:probe])
    found = []
    for at, pcm in plan:
        expected = first + 2 * round(at * RATE)
        lo = max(0, expected - 2 * round(SEARCH * RATE))
        hit = track.find(pcm[:probe], lo, expected + 2 * round(SEARCH * RATE) + probe)
        while hit >= 0 and hit % 2:
            hit = track.find(pcm[:probe], hit + 1, expected + 2 * round(SEARCH * RATE) + probe)
        if hit < 0:
            raise SystemExit(f"cue at {at:.2f} s not found within {SEARCH} s of its time")
        found.append((at, (hit - first) / 2 / RATE))
    return found


def report(name: str, found: list[tuple[float, float]]) -> float:
    """Errors net of the constant output latency (the median offset, which nobody hears);
    the worst error counted from the first cue alone is printed too."""
    raw = [(got - at) * 1000 for at, got in found]
    latency = statistics.median(raw)
    errors = [e - latency for e in raw]
    worst = max(abs(e) for e in errors)
    first = [e for (at, _), e in zip(found, errors, strict=True) if at < 60]
    last_start = found[-1][0] - 60
    last = [e for (at, _), e in zip(found, errors, strict=True) if at >= last_start]
    drift = statistics.mean(last) - statistics.mean(first)
    print(
        f"{name}: {len(found)} cues over {found[-1][0] / 60:.1f} min; worst |error| "
        f"{worst:.2f} ms (from the first cue: {max(abs(e) for e in raw):.2f} ms); "
        f"drift (last minute - first) {drift:+.2f} ms"
    )
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--live-minutes", type=float, default=2.5)
    parser.add_argument("--cues", choices=["voice", "tone", "both"], default="both")
    args = parser.parse_args()
    from tests.conftest import companion_command
    from tests.pulse import PulseServer

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {k: v for k, v in os.environ.items() if k != "COMPANION_TEXT_ONLY"}
        env["COMPANION_CACHE_DIR"] = str(cache)

        # (a) export
        export = Path(tmp) / "ten-minutes.wav"
        subprocess.run(
            [
                *companion_command(),
                "breathe",
                "--minutes",
                "10",
                "--cues",
                args.cues,
                "--export",
                str(export),
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        from companion.voice.audio import Audio

        plan, _ = cue_plan(cache, 10, args.cues)
        worst_export = report("export (a)", onsets(Audio.read(export).pcm, plan))

        # (b) live, through a real sound server
        with PulseServer() as server:
            live_env = {**env, **server.env}
            said = Path(tmp) / "said.wav"
            with server.record(said):
                subprocess.run(
                    [
                        *companion_command(),
                        "breathe",
                        "--minutes",
                        str(args.live_minutes),
                        "--cues",
                        args.cues,
                    ],
                    env=live_env,
                    check=True,
                    capture_output=True,
                    stdin=subprocess.DEVNULL,
                    timeout=60 * (args.live_minutes + 2),
                )
        plan, _ = cue_plan(cache, args.live_minutes, args.cues)
        worst_live = report("live (b)  ", onsets(Audio.read(said).pcm, plan))
    print(
        f"targets: export exact to 1 ms: {'meets' if worst_export <= 1 else 'MISSES'}; "
        f"live within 20 ms: {'meets' if worst_live <= 20 else 'MISSES'}"
    )


if __name__ == "__main__":
    main()
