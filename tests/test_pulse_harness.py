"""The audio test harness itself: a private PulseAudio server with null sinks (tests/pulse.py).

Tests that need the server skip when it cannot start here, and fail instead when CI=true.
"""

from __future__ import annotations

import importlib.util
import math
import os
import struct
import subprocess
import sys
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pulse
from tests.pulse import (
    MIC_FEED,
    MIC_RATE,
    SPEAKER_OUT,
    SPEAKER_RATE,
    PulseServer,
    read_wav,
    require_pulse,
    rms_db,
    sound_segments,
    write_wav,
)

# sounddevice is a dependency of the program; only a local checkout without it skips these.
needs_sounddevice = pytest.mark.skipif(
    importlib.util.find_spec("sounddevice") is None and os.environ.get("CI") != "true",
    reason="sounddevice is not installed",
)


@pytest.fixture
def server() -> Iterator[PulseServer]:
    require_pulse()
    with PulseServer() as s:
        yield s


def tone(seconds: float, rate: int, freq: float = 440.0, amplitude: float = 0.5) -> list[int]:
    return [
        round(amplitude * 32767 * math.sin(2 * math.pi * freq * i / rate))
        for i in range(round(seconds * rate))
    ]


def write_tone_wav(path: Path, seconds: float, rate: int) -> list[int]:
    """A mono 16-bit tone written with the wave module; returns its samples."""
    samples = tone(seconds, rate)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return samples


def assert_one_segment(path: Path, seconds: float, tolerance: float = 0.05) -> None:
    samples, rate = read_wav(path)
    segments = sound_segments(samples, rate)
    assert len(segments) == 1, segments
    start, end = segments[0]
    assert end - start == pytest.approx(seconds, abs=tolerance), segments


# -- the server ----------------------------------------------------------------------------------


def test_server_starts_and_pactl_answers(server: PulseServer) -> None:
    assert server.env["PULSE_SERVER"] == f"unix:{server.socket}"
    info = server.pactl("info")
    assert f"Server String: unix:{server.socket}" in info
    assert f"Default Sink: {SPEAKER_OUT}" in info
    assert f"Default Source: {MIC_FEED}.monitor" in info
    sinks = server.pactl("list", "short", "sinks")
    assert f"{SPEAKER_OUT}\tmodule-null-sink.c\ts16le 1ch {SPEAKER_RATE}Hz" in sinks
    assert f"{MIC_FEED}\tmodule-null-sink.c\ts16le 1ch {MIC_RATE}Hz" in sinks
    assert server.startup_seconds is not None and server.startup_seconds < 10


def test_server_is_private_and_stops(tmp_path: Path) -> None:
    require_pulse()
    with PulseServer() as first, PulseServer() as second:
        assert first.socket != second.socket
        assert first.socket is not None and first.socket.exists()
        socket = first.socket
    assert not socket.exists()  # its folder is gone with it
    with pytest.raises(pulse.PulseError):
        first.pactl("info")


def test_a_paplay_client_is_recorded_as_one_segment(server: PulseServer, tmp_path: Path) -> None:
    clip, said = tmp_path / "tone.wav", tmp_path / "said.wav"
    write_tone_wav(clip, 0.5, SPEAKER_RATE)
    with server.record(said):
        # A client of its own, not the harness's play_into: it must show up as a stream.
        player = subprocess.Popen(
            ["paplay", "--latency-msec=20", f"--device={SPEAKER_OUT}", str(clip)],
            env={**os.environ, **server.env},
        )
        try:
            assert server.wait_for_stream("sink-inputs", timeout=10)
        finally:
            assert player.wait(timeout=20) == 0
    assert_one_segment(said, 0.5)


def test_the_speaker_recording_is_bit_exact(server: PulseServer, tmp_path: Path) -> None:
    """At the sink's own rate nothing is resampled: the recording holds the very samples played.

    paplay gets 100 ms of buffer here: with 20 ms, a busy machine starved it now and then and the
    sink filled the gap with silence (9 of 40 runs with 8 busy processes on 2 cores; 0 of 30 at
    100 ms), so the tone arrived whole but with 5 ms holes in it.
    """
    clip, said = tmp_path / "tone.wav", tmp_path / "said.wav"
    played = write_tone_wav(clip, 0.5, SPEAKER_RATE)
    with server.record(said):
        server.play_into(clip, SPEAKER_OUT, latency_msec=100)
    recorded, rate = read_wav(said)
    assert rate == SPEAKER_RATE
    assert array("h", played).tobytes() in recorded.tobytes()


def test_play_into_the_mic_feed_reaches_its_monitor(server: PulseServer, tmp_path: Path) -> None:
    clip, heard = tmp_path / "answer.wav", tmp_path / "heard.wav"
    write_tone_wav(clip, 0.3, MIC_RATE)
    with server.record(heard, f"{MIC_FEED}.monitor"):
        server.play_into(clip)
    assert read_wav(heard)[1] == MIC_RATE
    assert_one_segment(heard, 0.3)


def test_wait_for_stream_leaves_out_the_harness_streams(
    server: PulseServer, tmp_path: Path
) -> None:
    assert not server.wait_for_stream("sink-inputs", timeout=0.2)
    with server.record(tmp_path / "said.wav"):
        assert server.streams("source-outputs", include_harness=True)
        assert not server.wait_for_stream("source-outputs", timeout=0.2)


# -- PortAudio through ALSA's pulse plugin, as the program will use it ---------------------------

PLAY_WITH_SOUNDDEVICE = """
import math, struct, sounddevice as sd
names = [d["name"] for d in sd.query_devices()]
assert "default" in names and "pulse" in names, names
rate = 22050
tone = [round(16384 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(rate // 2)]
with sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16") as stream:
    stream.write(bytes(2 * (rate // 5)))  # 0.2 s of silence, then the tone
    stream.write(struct.pack(f"<{len(tone)}h", *tone))
    stream.write(bytes(2 * (rate // 2)))
"""

CAPTURE_WITH_SOUNDDEVICE = """
import sys, sounddevice as sd
with sd.RawInputStream(samplerate=16000, channels=1, dtype="int16") as stream:
    data = bytearray()
    while len(data) < 2 * 16000 * 2:
        data += stream.read(1024)[0]
sys.stdout.buffer.write(bytes(data))
"""


@needs_sounddevice
def test_a_sounddevice_program_is_heard_on_the_speaker(server: PulseServer, tmp_path: Path) -> None:
    said = tmp_path / "said.wav"
    with server.record(said):
        result = subprocess.run(
            [sys.executable, "-c", PLAY_WITH_SOUNDDEVICE],
            env={**os.environ, **server.env},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert_one_segment(said, 0.5)


@needs_sounddevice
def test_a_sounddevice_program_hears_the_mic_feed(server: PulseServer, tmp_path: Path) -> None:
    clip = tmp_path / "answer.wav"
    write_tone_wav(clip, 0.4, MIC_RATE)
    with subprocess.Popen(
        [sys.executable, "-c", CAPTURE_WITH_SOUNDDEVICE],
        env={**os.environ, **server.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as program:
        assert server.wait_for_stream("source-outputs", timeout=10)
        server.play_into(clip)
        out, _ = program.communicate(timeout=30)
    assert program.returncode == 0
    heard = array("h")
    heard.frombytes(out)
    if sys.byteorder == "big":
        heard.byteswap()
    segments = sound_segments(heard, MIC_RATE)
    assert len(segments) == 1, segments
    assert segments[0][1] - segments[0][0] == pytest.approx(0.4, abs=0.05)


# -- skipping and failing ------------------------------------------------------------------------


def test_require_pulse_skips_but_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulse, "pulse_available", lambda: "pulseaudio is not installed")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="pulseaudio is not installed"):
        require_pulse()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="pulseaudio is not installed"):
        require_pulse()
    monkeypatch.setattr(pulse, "pulse_available", lambda: None)
    require_pulse()


# -- pure helpers, no server ---------------------------------------------------------------------


def test_sound_segments_finds_and_merges_stretches() -> None:
    rate = 16000
    quiet = [0] * round(0.3 * rate)
    samples = (
        quiet
        + tone(0.5, rate)
        + [0] * round(0.1 * rate)  # shorter than min_gap: merged
        + tone(0.2, rate)
        + [0] * round(0.5 * rate)
        + tone(0.3, rate, amplitude=0.02)  # -37 dBFS: above -40
        + [3] * round(0.4 * rate)  # -80 dBFS noise floor: below
    )
    segments = sound_segments(array("h", samples), rate)
    assert segments == [
        pytest.approx((0.3, 1.1), abs=0.011),
        pytest.approx((1.6, 1.9), abs=0.011),
    ]
    assert sound_segments(array("h", samples), rate, threshold_db=-30) == [
        pytest.approx((0.3, 1.1), abs=0.011)
    ]
    assert len(sound_segments(array("h", samples), rate, min_gap=0.05)) == 3
    assert sound_segments(array("h"), rate) == []


def test_rms_db() -> None:
    assert rms_db([32767, -32768] * 100) == pytest.approx(0.0, abs=0.001)
    assert rms_db(tone(1.0, 16000, amplitude=1.0)) == pytest.approx(-3.01, abs=0.01)
    assert rms_db([]) == -math.inf
    assert rms_db([0] * 10) == -math.inf


def test_read_wav_takes_the_first_channel(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<6h", 1, -1, 2, -2, 3, -3))
    samples, rate = read_wav(path)
    assert (list(samples), rate) == ([1, 2, 3], 8000)
    write_wav(tmp_path / "mono.wav", [5, 70000, -70000], 8000)
    assert list(read_wav(tmp_path / "mono.wav")[0]) == [5, 32767, -32768]


def test_a_bad_wav_header_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    write_wav(path, list(range(100)), 16000)
    data = bytearray(path.read_bytes())
    data[4:8] = data[40:44] = bytes(4)  # what parecord leaves when it is killed (SIGKILL)
    path.write_bytes(bytes(data) + b"\x01")  # and half a sample
    pulse._repair_wav_header(path)
    samples, _ = read_wav(path)
    assert list(samples) == list(range(100))
