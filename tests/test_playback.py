"""Speech through a real sound server: a private PulseAudio with null sinks (no sound card
needed). What the program plays is recorded from the sink's monitor. The speaker sink runs at
the voice's own 22050 Hz, so playback is bit-exact and each line the program rendered can be
found sample for sample in the recording: whole, in order, or cut short at a known point.
These tests skip only where PulseAudio cannot run, and never in CI."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.dialogue.protocols import Voice
from companion.voice.audio import Audio
from companion.voice.cache import AudioCache
from companion.voice.engine import Pyttsx3Engine
from tests.conftest import FIXTURES, companion_command
from tests.pulse import PulseServer, require_pulse

pytestmark = pytest.mark.subprocess
TWO = str(FIXTURES / "two-questions.toml")
PROBE = 400  # samples of a line's first sound used to find it in a recording
MATCH_SECONDS = 0.3


@pytest.fixture
def server() -> Iterator[PulseServer]:
    require_pulse()
    with PulseServer() as s:
        yield s


def client_env(server: PulseServer, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in server.client_env.items() if k != "COMPANION_TEXT_ONLY"}
    env["COMPANION_CACHE_DIR"] = str(tmp_path / "cache")
    return env


def rendered(tmp_path: Path, text: str) -> Audio:
    """The line as the program rendered it (read from the cache it filled)."""
    return AudioCache(tmp_path / "cache", Pyttsx3Engine()).get(text, Voice())


def sound_seconds(line: Audio) -> float:
    """Up to the line's last sound (a recording may end inside its trailing silence)."""
    pcm = line.pcm
    last = next(i for i in range(len(pcm) - 2, -1, -2) if pcm[i : i + 2] != b"\x00\x00")
    return (last + 2) / 2 / line.rate


def find_line(recording: Audio, line: Audio, after: int = 0) -> tuple[int, float]:
    """Where the line starts in the recording (in samples, at or after `after`), and how many
    seconds of it follow sample for sample; (-1, 0) if it is not there. espeak-ng is
    deterministic, so a short sound ("th") can recur inside another line: a place counts only
    if at least MATCH_SECONDS (or the whole line) follows it."""
    pcm = line.pcm
    first = next(i for i in range(0, len(pcm), 2) if pcm[i : i + 2] != b"\x00\x00")
    probe = pcm[first : first + 2 * PROBE]
    at = recording.pcm.find(probe, 2 * after + first)
    while at >= 0:
        start = at - first
        if not at % 2 and start >= 0:
            played = recording.pcm[start : start + len(pcm)]
            same = next(
                (i for i in range(0, len(played), 2) if played[i : i + 2] != pcm[i : i + 2]),
                len(played),
            )
            seconds = same / 2 / line.rate
            if seconds >= min(MATCH_SECONDS, sound_seconds(line)):
                return start // 2, seconds
        at = recording.pcm.find(probe, at + 1)
    return -1, 0.0


def assert_played_whole_in_order(recording: Audio, tmp_path: Path, texts: list[str]) -> None:
    """Each line is in the recording after the one before it, sample for sample to its end."""
    position = 0
    for text in texts:
        line = rendered(tmp_path, text)
        start, seconds = find_line(recording, line, after=position)
        assert start >= position, f"{text!r} is missing or out of order"
        assert seconds >= sound_seconds(line), f"{text!r} was cut or changed"
        position = start + round(sound_seconds(line) * line.rate)


def test_said_lines_come_out_whole_and_in_order(server: PulseServer, tmp_path: Path) -> None:
    texts = ["Yes.", "This is a much longer line, spoken slowly, so that it lasts a while."]
    env = client_env(server, tmp_path)
    with server.record(tmp_path / "said.wav") as said:
        for text in texts:
            done = subprocess.run(
                [*companion_command(), "say", text], env=env, capture_output=True, timeout=60
            )
            assert done.returncode == 0, done.stderr
            assert done.stderr == b""  # it spoke: no "showing text instead"
    assert_played_whole_in_order(Audio.read(said), tmp_path, texts)


def test_a_spoken_session_plays_every_line_in_order(server: PulseServer, tmp_path: Path) -> None:
    env = client_env(server, tmp_path)
    with server.record(tmp_path / "said.wav") as said:
        done = subprocess.run(
            [*companion_command(), "reflect", "--content", TWO, "--input", "keys"],
            input=b"y\nn\n",
            env=env,
            capture_output=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    lines = [line for line in done.stdout.decode().splitlines() if not line.startswith("You: ")]
    assert len(lines) == 6  # intro, how to answer, two questions, summary, outro
    assert_played_whole_in_order(Audio.read(said), tmp_path, lines)


def test_a_key_press_stops_the_line_at_once(server: PulseServer, tmp_path: Path) -> None:
    """Barge-in: q pressed while the question is spoken cuts it short; then stop is said."""
    env = client_env(server, tmp_path)
    question = "Do you find it hard to ask for help?"
    main, secondary = pty.openpty()
    try:
        with server.record(tmp_path / "said.wav") as said:
            process = subprocess.Popen(
                [*companion_command(), "reflect", "--content", TWO, "--input", "keys"],
                stdin=secondary,
                stdout=secondary,
                stderr=secondary,
                env=env,
            )
            output = b""
            deadline = time.monotonic() + 60
            while question.encode() not in output and time.monotonic() < deadline:
                ready, _, _ = select.select([main], [], [], 0.1)  # never block forever
                if ready:
                    output += os.read(main, 4096)
            assert question.encode() in output, output
            shown = time.monotonic()  # printed just before it is rendered and played
            time.sleep(0.6)
            os.write(main, b"q")
            pressed = time.monotonic() - shown
            assert process.wait(timeout=60) == 0
    finally:
        os.close(main)
        os.close(secondary)
    recording = Audio.read(said)
    line = rendered(tmp_path, question)
    start, seconds = find_line(recording, line)
    assert start >= 0, "the question was not played"
    assert seconds < line.seconds - 0.5  # it did not play out
    assert seconds - pressed < 0.15  # it stopped within a block or two of the key press
    stop, _ = find_line(recording, rendered(tmp_path, "Stopping here. Take good care."), start)
    assert stop > start  # and then the goodbye was said


def test_live_breathing_cues_land_on_their_samples(server: PulseServer, tmp_path: Path) -> None:
    """Breathing plays as one stream: through a real sound server each tone starts exactly its
    scheduled number of samples after the first (the export's precision, live)."""
    from companion.breathing.tones import tone_pcm

    env = client_env(server, tmp_path)
    with server.record(tmp_path / "said.wav") as said:
        done = subprocess.run(
            [
                *companion_command(),
                "breathe",
                "--pattern",
                "2-0-3-0",
                "--cycles",
                "3",
                "--cues",
                "tone",
            ],
            env=env,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().count("left)") == 6  # a line per phase
    track = Audio.read(said).pcm
    first = track.find(tone_pcm("in"))
    assert first >= 0 and first % 2 == 0
    for at, kind in [(0, "in"), (2, "out"), (5, "in"), (7, "out"), (10, "in"), (12, "out")]:
        position = first + 2 * round(at * 22050)
        assert track[position : position + len(tone_pcm(kind))] == tone_pcm(kind), (at, kind)
