"""Score the offline recogniser on a folder of labelled recordings and print the figures.

    python scripts/bench_recognition.py [--corpus DIR] [--points]

DIR holds one folder per expected answer: yes/, no/, stop/, other/ (words that must not be
taken as yes or no) and silence/ (noise with no speech). The default is the development half
of the real corpus beside this checkout, ../shared/corpus/speech_commands. Each file is
decided exactly as `companion recognize --json FILE` decides it (same code, one recogniser
built once), for a yes/no step.

Printed: yes/no answered right, other words taken as yes or no, noise clips answered (anything
but silence or unclear), "stop" heard as stop, decode time p50 and p95 (the `ms` of each
decision), and with --points the same at a few operating points: stricter ones give fewer
false answers and ask again more often.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from companion.dialogue.protocols import YES_NO  # noqa: E402
from companion.listen.recognise import read_audio_file  # noqa: E402
from companion.listen.sphinx import DEFAULT, OperatingPoint, SphinxRecogniser  # noqa: E402

FOLDERS = ("yes", "no", "stop", "other", "silence")
TARGETS = (
    "targets: yes/no >= 98 %, other as yes/no <= 10 %, noise answered <= 1 %, stop >= 90 %, "
    "p50 <= 30 ms"
)
POINTS = {
    "lenient": OperatingPoint(accept=0.35, support=0.1, noise=0.6),
    "default": DEFAULT,
    "strict": OperatingPoint(accept=0.7, support=0.35, noise=0.4),
    "strictest": OperatingPoint(accept=0.85, support=0.5, noise=0.3),
}


def load(corpus: Path) -> list[tuple[str, str, bytes]]:
    clips = []
    for label in FOLDERS:
        for path in sorted((corpus / label).glob("*")):
            if path.suffix.lower() in (".wav", ".flac", ".aif", ".aiff"):
                clips.append((str(path), label, read_audio_file(str(path))))
    return clips


def score(recogniser: SphinxRecogniser, clips: list[tuple[str, str, bytes]]) -> dict[str, float]:
    tally: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    times = []
    for _, label, pcm in clips:
        decided = recogniser.recognise(pcm, YES_NO)
        times.append(decided.ms)
        tally[label, decided.label] += 1
        total[label] += 1
    times.sort()

    def share(count: int, label: str) -> float:
        return 100.0 * count / total[label] if total[label] else float("nan")

    answered_noise = sum(
        n
        for (label, said), n in tally.items()
        if label == "silence" and said not in ("silence", "unclear")
    )
    yes_no = tally["yes", "yes"] + tally["no", "no"]
    return {
        "yes/no right %": 100.0 * yes_no / max(1, total["yes"] + total["no"]),
        "other as yes/no %": share(tally["other", "yes"] + tally["other", "no"], "other"),
        "noise answered %": share(answered_noise, "silence"),
        "stop heard %": share(tally["stop", "stop"], "stop"),
        "p50 ms": statistics.median(times) if times else float("nan"),
        "p95 ms": times[int(0.95 * (len(times) - 1))] if times else float("nan"),
        "clips": float(len(clips)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared/corpus/speech_commands"
    )
    parser.add_argument("--points", action="store_true", help="also score other operating points")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"no corpus at {args.corpus}: pass --corpus DIR")
    started = time.perf_counter()
    clips = load(args.corpus)
    counts = Counter(label for _, label, _ in clips)
    print(f"corpus: {args.corpus} ({', '.join(f'{counts[f]} {f}' for f in FOLDERS)})")
    print(TARGETS)
    if args.corpus.resolve() == (ROOT.parent / "shared/corpus/speech_commands").resolve():
        print(
            "note: the shipped verifier learnt from this development half, so these are "
            "training-set figures; scripts/train_verifier.py prints held-out-speaker ones"
        )
    names = list(POINTS) if args.points else ["default"]
    for name in names:
        recogniser = SphinxRecogniser(POINTS[name])
        figures = score(recogniser, clips)
        print(
            f"{name:>9}: yes/no right {figures['yes/no right %']:.1f} %, "
            f"other as yes/no {figures['other as yes/no %']:.1f} %, "
            f"noise answered {figures['noise answered %']:.1f} %, "
            f"stop heard {figures['stop heard %']:.1f} %, "
            f"decode p50 {figures['p50 ms']:.1f} ms, p95 {figures['p95 ms']:.1f} ms",
            flush=True,
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
