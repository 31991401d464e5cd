"""The voice listener on real parts: a private PulseAudio server whose default source is the
monitor of the null sink ``mic_feed`` (tests/pulse.py), real recorded answers (a sample of the
Speech Commands corpus in tests/fixtures/corpus, CC BY 4.0) played into it over a faint noise
floor, and the unchanged program in a child process (PortAudio finds the server only if
PULSE_SERVER is set before sounddevice is imported). These tests skip only where PulseAudio
cannot run, and never in CI.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from companion.cli import cli
from companion.dialogue.protocols import Heard, Miss
from companion.listen.microphone import (
    MIN_THRESHOLD,
    NO_MICROPHONE,
    PAUSE_SECONDS,
    _Endpointer,
    quiet_stderr,
)
from tests.conftest import FIXTURES, ROOT, companion_command, mock_env
from tests.pulse import PulseServer, read_wav, require_pulse, rms_db

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
TWO = str(FIXTURES / "two-questions.toml")
# Clips the recogniser decides rightly when given the file itself, and whose speech ends
# cleanly (falls below -50 dBFS and stays there), so the end of speech is well defined.
YES = CORPUS / "yes" / "yes-cfbedff9-5dd12da7.wav"
YES_TOO = CORPUS / "yes" / "yes-bb05582b-a4bc3643.wav"
NO = CORPUS / "no" / "no-ca4d5368-e2312531.wav"
NO_TOO = CORPUS / "no" / "no-fa446c16-463e6b86.wav"
END_OF_SPEECH_DB = -50.0  # 10 dB above the noise floor played under every clip
DECIDE_WITHIN = 0.4  # seconds from the end of speech to the decision (decoding not counted)

# A child process that opens the unchanged VoiceListener and listens when told:
# "listen SECONDS" on stdin -> {"listening": t} then the decision as one JSON line.
DRIVER = """
import json, sys, time
from companion.dialogue.protocols import YES_NO
from companion.listen.microphone import VoiceListener, dbfs

with VoiceListener() as listener:
    print(json.dumps({"ready": listener.device_name, "noise_db": dbfs(listener.noise),
                      "threshold_db": dbfs(listener.threshold)}), flush=True)
    for line in sys.stdin:
        timeout = float(line.split()[1])
        print(json.dumps({"listening": time.monotonic()}), flush=True)
        heard = listener.hear(YES_NO, timeout)
        print(json.dumps({"label": heard.label, "text": heard.text, "ms": heard.ms,
                          "returned": time.monotonic(),
                          "threshold_db": dbfs(listener.threshold)}), flush=True)
"""


def speech_end(path: Path) -> float:
    """Seconds from the start of the clip to the end of its last 10 ms louder than
    END_OF_SPEECH_DB."""
    samples, rate = read_wav(path)
    step = rate // 100
    loud = [
        i
        for i in range(0, len(samples) - step + 1, step)
        if rms_db(samples[i : i + step]) > END_OF_SPEECH_DB
    ]
    assert loud, f"{path} has no speech"
    return (loud[-1] + step) / rate


class Lines:
    """JSON or text lines from a child's stdout, read with a time limit (never hangs)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.fd = proc.stdout.fileno()
        self.buffer = b""
        self.seen: list[str] = []

    def next(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line within {timeout:g} s; so far: {self.seen}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    self.proc.wait(timeout=10)
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise AssertionError(f"the program ended: {self.seen}, {err}")
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        text = line.decode()
        self.seen.append(text)
        return text

    def json(self, timeout: float = 30.0) -> dict[str, Any]:
        value = json.loads(self.next(timeout))
        assert isinstance(value, dict)
        return value


@pytest.fixture
def server() -> Iterator[PulseServer]:
    require_pulse()
    with PulseServer() as s, s.noise_into():
        yield s


@pytest.fixture
def driver(server: PulseServer, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Lines]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER],
        cwd=tmp_path,
        env=server.client_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        lines = Lines(proc)
        ready = lines.json()
        assert ready["ready"] == "default (ALSA)", ready
        assert -62 < ready["noise_db"] < -58  # it heard the room's noise floor (-60 dBFS)
        yield proc, lines
    finally:
        try:
            proc.communicate(timeout=10)  # closes its stdin: it stops listening and ends
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def listen(proc: subprocess.Popen[bytes], lines: Lines, timeout: float) -> float:
    """Ask the child to listen; return when it started."""
    assert proc.stdin is not None
    proc.stdin.write(f"listen {timeout}\n".encode())
    proc.stdin.flush()
    return float(lines.json()["listening"])


# -- in-process ----------------------------------------------------------------------------------


def test_portaudio_noise_on_stderr_is_kept_from_the_person(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with quiet_stderr():
        os.write(2, b"ALSA lib pcm.c:2664:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.rear\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_the_threshold_never_falls_below_its_floor() -> None:
    endpointer = _Endpointer()
    endpointer.energy_threshold = 0.0  # a digitally silent input pulls it down
    assert endpointer.energy_threshold == MIN_THRESHOLD
    assert endpointer.pause_threshold == PAUSE_SECONDS < 0.8  # SpeechRecognition's default


def test_an_online_recogniser_is_named_before_anything_is_heard() -> None:
    """A listener's notice (the privacy warning of an online engine) is the first line of the
    session, shown and said, before the first listen."""
    env, listener, _ = mock_env(["y", "n"], mode="voice")
    listener.notice = "Using google: what you say is sent to Google."  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["reflect", "--content", TWO], obj=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Using google: what you say is sent to Google."


def test_mic_check_says_plainly_when_nothing_was_heard() -> None:
    from companion.listen.mic_check import result_lines
    from companion.listen.recognise import Recognition

    silence = Recognition(Heard(Miss.SILENCE))
    assert result_lines(silence, 10.0, 0.0) == ["heard: silence (no speech within 10 s)"]
    assert result_lines(silence, None, 0.0) == ["heard: silence (no speech yet)"]
    noise = result_lines(silence, 10.0, 0.62)  # a sound that held no words
    assert noise[:2] == ["heard: silence", "text: (no words)"]


# -- a virtual microphone ------------------------------------------------------------------------


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("clip", "label"), [(YES, "yes"), (NO, "no"), (YES_TOO, "yes"), (NO_TOO, "no")]
)
def test_a_spoken_answer_is_decided_soon_after_it_ends(
    server: PulseServer,
    driver: tuple[subprocess.Popen[bytes], Lines],
    clip: Path,
    label: str,
) -> None:
    """A real recorded answer played into the microphone is decided rightly, within 0.4 s of
    the end of speech plus decoding. The clock starts before paplay is even started, so the
    figure is an upper bound, and on a busy machine the start of paplay alone can take 0.1 s:
    an answer over the bound is played once more, and must be within it then."""
    proc, lines = driver
    times = []
    for _ in range(2):
        listen(proc, lines, timeout=10)
        played = time.monotonic()
        server.play_into(clip)
        heard = lines.json()
        assert heard["label"] == label, heard
        ended = played + speech_end(clip)
        times.append(heard["returned"] - ended - heard["ms"] / 1000)
        if times[-1] < DECIDE_WITHIN:
            break
    decided = times[-1]
    assert decided < DECIDE_WITHIN, f"decided {[round(t * 1000) for t in times]} ms after the end"
    assert heard["threshold_db"] < -45  # the rise during the answer was given back


@pytest.mark.subprocess
def test_only_noise_is_silence_when_the_time_is_up(
    driver: tuple[subprocess.Popen[bytes], Lines],
) -> None:
    proc, lines = driver
    started = listen(proc, lines, timeout=1.5)
    heard = lines.json()
    assert heard["label"] == "silence", heard
    assert 1.4 < heard["returned"] - started < 2.5


@pytest.mark.subprocess
def test_what_was_said_between_listens_is_never_heard(
    server: PulseServer, driver: tuple[subprocess.Popen[bytes], Lines]
) -> None:
    """While the program is not listening (it is speaking), sound is dropped, not kept for the
    next listen: a "yes" played before the listen starts is not taken as the answer."""
    proc, lines = driver
    server.play_into(YES)
    listen(proc, lines, timeout=1.5)
    assert lines.json()["label"] == "silence"


# -- no microphone -------------------------------------------------------------------------------


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "args", [["mic-check"], ["reflect", "--input", "voice"]], ids=["mic-check", "reflect"]
)
def test_with_no_microphone_one_line_and_exit_5(tmp_path: Path, args: list[str]) -> None:
    """No sound server and no sound card: one plain line before anything is said."""
    asoundrc = tmp_path / "asoundrc"
    asoundrc.write_text("pcm.!default { type pulse }\nctl.!default { type pulse }\n")
    env = {k: v for k, v in os.environ.items() if k != "COMPANION_TEXT_ONLY"}
    env.update(PULSE_SERVER=f"unix:{tmp_path}/no-server", ALSA_CONFIG_PATH=str(asoundrc))
    done = subprocess.run(
        [*companion_command(), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 5
    assert done.stderr.decode() == f"companion: {NO_MICROPHONE}\n"
    assert done.stdout == b""


# -- mic-check and a whole session ---------------------------------------------------------------


def spoken_env(server: PulseServer, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in server.client_env.items() if k != "COMPANION_TEXT_ONLY"}
    env["COMPANION_CACHE_DIR"] = str(tmp_path / "cache")
    return env


@pytest.mark.subprocess
def test_mic_check_says_what_it_heard(server: PulseServer, tmp_path: Path) -> None:
    with server.watch() as voice:
        proc = subprocess.Popen(
            [*companion_command(), "mic-check"],
            env=spoken_env(server, tmp_path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            lines = Lines(proc)
            while lines.next() != "Say yes or no.":
                pass
            shown = time.monotonic()
            voice.wait_for_sound_then_quiet(after=shown, quiet=0.3, timeout=30)
            server.play_into(YES)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err
    assert without_underruns(err) == b""
    assert lines.seen == [
        "input device: default (ALSA)",
        "room level: -60 dBFS (speech counts above -50 dBFS)",
        "recogniser: pocketsphinx (offline)",
        "Say yes or no.",
    ]
    result = (lines.buffer + out).decode().splitlines()
    assert result[0] == "heard: yes"
    assert result[1].startswith('text: "')
    assert result[2].startswith("confidence: ")
    assert result[3].startswith("decode: ") and result[3].endswith(" ms")
    assert result[4].startswith("phrase: ")


SELF_CHECK_ANSWERS = [YES, NO, YES_TOO, NO_TOO, YES]


@pytest.mark.subprocess
def test_a_whole_check_in_by_voice_alone(server: PulseServer, tmp_path: Path) -> None:
    """The five-question self-check, spoken and answered by voice only. The program's voice
    also reaches its microphone (a loopback, as from a loudspeaker in the room), so this also
    shows that it never takes its own words for an answer. Each answer is played once the
    question has been printed and then heard to its end. Should an answer go unheard or not
    be understood, the program asks again and the same answer is played again, once."""
    answers = list(SELF_CHECK_ANSWERS)
    asked_again = 0
    with server.loopback(), server.watch() as voice:
        proc = subprocess.Popen(
            [*companion_command(), "reflect", "--input", "voice", "--rate", "400"],
            env=spoken_env(server, tmp_path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        lines = Lines(proc)
        try:
            assert server.wait_for_stream("source-outputs", timeout=30), "no capture stream"
            waiting = False  # an answer was played and nothing was heard for it yet
            while answers:
                line = lines.next(timeout=60)
                if line in ("You: yes", "You: no"):
                    answers.pop(0)
                    waiting = False
                elif line.endswith("?"):  # a question (or asked again): said, then listened
                    if waiting:
                        asked_again += 1
                        assert asked_again <= 1, f"asked again too often: {lines.seen}"
                    shown = time.monotonic()
                    voice.wait_for_sound_then_quiet(after=shown, quiet=0.4, timeout=30)
                    server.play_into(answers[0])
                    waiting = True
            out, err = proc.communicate(timeout=60)
        except (AssertionError, subprocess.TimeoutExpired, TimeoutError) as e:
            proc.kill()
            out, err = proc.communicate()
            seen = lines.seen + (lines.buffer + out).decode().splitlines()
            raise AssertionError(f"{e}\ntranscript: {seen}\nstderr: {err.decode()}") from None
    assert proc.returncode == 0, err
    assert without_underruns(err) == b""
    transcript = lines.seen + (lines.buffer + out).decode().splitlines()
    heard = [line for line in transcript if line in ("You: yes", "You: no")]
    assert heard == ["You: yes", "You: no", "You: yes", "You: no", "You: yes"], transcript
    assert "Answer yes, no, or not sure. Say help at any time." in transcript  # voice wording
    assert any(
        "You said yes to feeling uneasy when others help, seeing asking for help as weakness "
        "and stepping back when things get close." in line
        for line in transcript
    ), transcript


def without_underruns(err: bytes) -> bytes:
    """stderr less ALSA's own "underrun occurred" lines, which its pulse plugin prints when
    the machine is too busy to feed the device in time (seen under load; the audio is late,
    the program is right)."""
    return b"".join(
        line for line in err.splitlines(keepends=True) if b"underrun occurred" not in line
    )
