#!/usr/bin/env python3
"""Voice in, measured: how soon after the end of a spoken answer the listener has decided it.

Usage (from a checkout, after `bash scripts/setup.sh --test`):
    .venv/bin/python scripts/bench_listen.py [--runs N]

It starts a private PulseAudio with null sinks (tests/pulse.py), plays a faint noise floor
(-60 dBFS) into the virtual microphone, and plays each real recorded yes and no of
tests/fixtures/corpus whose speech ends cleanly (the clip is quiet after it) into it while the
unchanged VoiceListener listens. The end of speech is the end of the clip's last 10 ms louder
than -50 dBFS; the clock starts when paplay is started, so the paplay start-up (about 20 ms)
counts against the listener: the figures are upper bounds. "Decided" is the time from the
end of speech to the decision without decoding; "decode" is the recogniser's own time.
Target: decided within 400 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 400.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="plays of each clip")
    runs = parser.parse_args().runs

    from tests.pulse import HARNESS_CLIENT, MIC_FEED, PulseServer, read_wav, rms_db

    corpus = ROOT / "tests" / "fixtures" / "corpus"

    def speech_end(path: Path) -> float | None:
        """The end of the last 10 ms above -50 dBFS; None if the clip is not quiet after
        its speech (its own background is too loud to tell where speech ends)."""
        samples, rate = read_wav(path)
        step = rate // 100
        levels = [rms_db(samples[i : i + step]) for i in range(0, len(samples) - step + 1, step)]
        loud = [i for i, level in enumerate(levels) if level > -50.0]
        if not loud or max(levels[-10:]) > -55.0:
            return None
        return (loud[-1] + 1) * step / rate

    clips = [
        (path, word, end)
        for word in ("yes", "no")
        for path in sorted((corpus / word).glob("*.wav"))
        if (end := speech_end(path)) is not None
    ]
    with PulseServer() as server, server.noise_into():
        os.environ.update(server.env)  # before sounddevice is imported
        from companion.dialogue.protocols import YES_NO
        from companion.listen.microphone import VoiceListener

        decided: list[float] = []
        decode: list[float] = []
        right = 0
        with VoiceListener() as listener:
            for _ in range(runs):
                for path, word, end in clips:
                    played = time.monotonic()
                    paplay = subprocess.Popen(
                        [
                            "paplay",
                            "--latency-msec=20",
                            f"--device={MIC_FEED}",
                            f"--client-name={HARNESS_CLIENT}",
                            str(path),
                        ],
                        env=server.client_env,
                    )
                    heard = listener.hear(YES_NO, 10.0)
                    returned = time.monotonic()
                    paplay.wait(timeout=30)
                    right += heard.label == word
                    if heard.label == "silence":
                        continue
                    decided.append((returned - played - end) * 1000 - heard.ms)
                    decode.append(heard.ms)
                    time.sleep(0.3)  # the clip's own tail has been played

    total = runs * len(clips)
    print(f"{len(clips)} clips x {runs} runs; decided rightly: {right}/{total}")
    meets = "meets" if decided and max(decided) < TARGET_MS else "MISSES"
    print(
        f"end of speech -> decided: median {statistics.median(decided):5.0f} ms "
        f"(max {max(decided):.0f}, min {min(decided):.0f})   target < {TARGET_MS:.0f} ms: {meets}"
    )
    middle, most = statistics.median(decode), max(decode)
    print(f"decode:                   median {middle:5.0f} ms (max {most:.0f})")


if __name__ == "__main__":
    main()
