"""A private PulseAudio server with null sinks, so tests can prove that audio really comes out.

Machines here and in CI have no sound card (no /dev/snd). PortAudio (sounddevice, PyAudio) has no
PulseAudio back end of its own: it reaches PulseAudio through ALSA's pulse plugin. This module
starts a private ``pulseaudio`` in a temporary folder (never the user's own server, which may be
running) with two null sinks:

- ``speaker_out``, the default sink: what a program plays lands here; record its monitor
  (``speaker_out.monitor``) with :meth:`PulseServer.record`.
- ``mic_feed``: the monitor ``mic_feed.monitor`` is the default source, so what
  :meth:`PulseServer.play_into` plays into ``mic_feed`` is what a program's microphone hears.

Environment a client process needs (all in :attr:`PulseServer.env`):

- ``PULSE_SERVER=unix:<tmp>/native`` is the only variable that matters. libpulse clients (pactl,
  paplay, parecord) connect to it and never autospawn a server when it is set. The ALSA side needs
  nothing more: the ``pulseaudio`` package ships ``/etc/alsa/conf.d/99-pulse.conf``, a hook from
  ``libasound2-plugins`` that makes ALSA's ``default`` device the pulse plugin when a server is
  reachable, and it looks for that server through ``PULSE_SERVER``. So no asoundrc is written.
  Measured: with ``PULSE_SERVER`` pointing here, ``sounddevice.query_devices()`` lists ``pulse``
  and ``default`` and a 22050 Hz ``RawOutputStream`` shows up as a sink input on ``speaker_out``;
  with ``PULSE_SERVER`` pointing at a missing socket it lists no device at all (so a test can never
  silently reach another server instead).
- The server accepts anonymous clients (``auth-anonymous=1``), so no cookie is needed.
- PortAudio enumerates devices once, when ``sounddevice`` is imported (``Pa_Initialize``): set the
  variables before that import, which is why the program under test is best run as a child process
  with ``env={**os.environ, **server.env}``.

The server itself runs with ``HOME``, ``XDG_RUNTIME_DIR``, ``XDG_CONFIG_HOME``,
``PULSE_RUNTIME_PATH`` and ``PULSE_STATE_PATH`` inside its temporary folder, D-Bus unreachable and
without realtime scheduling, so it neither reads nor disturbs anything of a server already running.

Streams that this harness opens itself (recordings, playback into a sink) carry the client name
``pulse-harness``; :meth:`PulseServer.wait_for_stream` and :meth:`PulseServer.streams` leave them
out.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import wave
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Literal, NoReturn

import pytest

__all__ = [
    "HARNESS_CLIENT",
    "MIC_FEED",
    "MIC_RATE",
    "SPEAKER_OUT",
    "SPEAKER_RATE",
    "LevelWatch",
    "PulseError",
    "PulseServer",
    "StreamKind",
    "pulse_available",
    "read_wav",
    "require_pulse",
    "rms_db",
    "sound_segments",
    "write_wav",
]

SPEAKER_OUT = "speaker_out"
MIC_FEED = "mic_feed"
# Sink rates. `speaker_out` runs at 22050 Hz, the rate the program's voice (espeak-ng through
# pyttsx3, or sounddevice at 22050) plays at: PulseAudio then passes a mono s16 stream through
# untouched, and a recording of the monitor was measured bit-identical to the samples played. At
# 16 kHz the stream is resampled: a 7 kHz tone lost 8 dB and a 10 kHz tone vanished (48 kHz
# resamples too: 10 kHz lost 8 dB). `mic_feed` runs at 16 kHz, the rate a recogniser (pocketsphinx)
# opens the microphone at, so what is played into it reaches the program without resampling.
SPEAKER_RATE = 22050
MIC_RATE = 16000
HARNESS_CLIENT = "pulse-harness"
REQUIRED_PROGRAMS = ("pulseaudio", "pactl", "parecord", "paplay")

StreamKind = Literal["sink-inputs", "source-outputs"]


class PulseError(RuntimeError):
    """The private server could not be started or a PulseAudio tool failed."""


class PulseServer:
    """A private PulseAudio server in a temporary folder, as a context manager.

    >>> with PulseServer() as server:                                  # doctest: +SKIP
    ...     with server.record(tmp / "said.wav"):
    ...         subprocess.run([...], env={**os.environ, **server.env}, check=True)
    ...     segments = sound_segments(*read_wav(tmp / "said.wav"))
    """

    def __init__(
        self,
        *,
        speaker_rate: int = SPEAKER_RATE,
        mic_rate: int = MIC_RATE,
        start_timeout: float = 10.0,
    ) -> None:
        self.rates = {SPEAKER_OUT: speaker_rate, MIC_FEED: mic_rate}
        self.start_timeout = start_timeout
        self.env: dict[str, str] = {}
        self.socket: Path | None = None
        self.startup_seconds: float | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None

    # -- lifetime -------------------------------------------------------------------------------

    def __enter__(self) -> PulseServer:
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _start(self) -> None:
        missing = _missing_programs()
        if missing:
            raise PulseError(missing)
        self._tmp = tempfile.TemporaryDirectory(prefix="pulse-", dir=_short_tmp_dir())
        root = Path(self._tmp.name)
        dirs = {name: root / name for name in ("home", "run", "config", "state")}
        for d in dirs.values():
            d.mkdir(mode=0o700)
        (dirs["run"] / "pulse").mkdir(mode=0o700)
        self.socket = root / "native"
        script = root / "server.pa"
        # norewinds=1 keeps the monitors in real time. With rewinds (the default), a stream that
        # starts on an idle sink rewinds the silence already queued for a recording: 1 s of quiet
        # before a clip vanished from the recording, and a PortAudio stream took 2.3 s to accept
        # its first second of audio (0.5 s with norewinds).
        sinks = "".join(
            f"load-module module-null-sink sink_name={name} rate={rate} channels=1 format=s16le"
            f" norewinds=1 sink_properties=device.description={name}\n"
            for name, rate in self.rates.items()
        )
        script.write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            f"{sinks}"
            f"set-default-sink {SPEAKER_OUT}\n"
            f"set-default-source {MIC_FEED}.monitor\n",
            encoding="utf-8",
        )
        server_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PULSE_", "DBUS_", "XDG_")) and k not in ("DISPLAY", "HOME")
        }
        server_env.update(
            HOME=str(dirs["home"]),
            XDG_RUNTIME_DIR=str(dirs["run"]),
            XDG_CONFIG_HOME=str(dirs["config"]),
            PULSE_RUNTIME_PATH=str(dirs["run"] / "pulse"),
            PULSE_STATE_PATH=str(dirs["state"]),
            # Unreachable bus: the server must not register itself on a real session bus.
            DBUS_SESSION_BUS_ADDRESS=f"unix:path={root / 'no-dbus'}",
            DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={root / 'no-dbus'}",
        )
        self._log = root / "server.log"
        command = [
            "pulseaudio",
            "--system=no",
            "--daemonize=no",
            "--use-pid-file=no",
            "--disallow-exit=no",
            "--exit-idle-time=-1",
            "--high-priority=no",
            "--realtime=no",
            "--no-cpu-limit=yes",
            "--log-target=stderr",
            "-n",
            "-F",
            str(script),
        ]
        started = time.monotonic()
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=server_env,
                cwd=root,
            )
        self.env = {"PULSE_SERVER": f"unix:{self.socket}"}
        deadline = started + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                raise PulseError(
                    f"pulseaudio exited with status {self._proc.returncode}: {self._log_tail()}"
                )
            if self.socket.exists() and self._pactl_ok("info"):
                break
            if time.monotonic() > deadline:
                raise PulseError(
                    f"pulseaudio did not answer within {self.start_timeout:g} s: {self._log_tail()}"
                )
            time.sleep(0.05)
        self.startup_seconds = time.monotonic() - started

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            _end_process(proc, signal.SIGTERM, grace=5.0)
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            tmp.cleanup()

    def _log_tail(self, lines: int = 5) -> str:
        if self._log is None or not self._log.exists():
            return "(no log)"
        text = self._log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        useful = [line for line in text if not line.startswith("W: ")] or text
        return " | ".join(useful[-lines:]) or "(empty log)"

    # -- talking to the server ------------------------------------------------------------------

    @property
    def client_env(self) -> dict[str, str]:
        """This process's environment plus :attr:`env`, for running a client process."""
        if not self.env:
            raise PulseError("the server is not running")
        return {**os.environ, **self.env}

    def pactl(self, *args: str, timeout: float = 5.0) -> str:
        """Run ``pactl`` against this server and return its output (raises on failure)."""
        result = subprocess.run(
            ["pactl", *args],
            env=self.client_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise PulseError(f"pactl {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def _pactl_ok(self, *args: str) -> bool:
        try:
            self.pactl(*args, timeout=2.0)
        except (PulseError, subprocess.TimeoutExpired):
            return False
        return True

    def streams(self, kind: StreamKind, *, include_harness: bool = False) -> list[dict[str, str]]:
        """The client streams of `kind`, each as its properties plus ``index``.

        Streams opened by this harness (recordings, :meth:`play_into`) are left out unless
        `include_harness`.
        """
        found = _parse_streams(self.pactl("list", kind))
        if include_harness:
            return found
        return [s for s in found if s.get("application.name") != HARNESS_CLIENT]

    def wait_for_stream(self, kind: StreamKind = "source-outputs", timeout: float = 10.0) -> bool:
        """Wait until a client stream of `kind` exists that this harness did not open itself.

        ``source-outputs`` are capture streams (a program opening the microphone; through
        PortAudio -> ALSA -> pulse the stream showed up about 0.2 s after the program started),
        ``sink-inputs`` playback streams. Wait for the stream rather than sleeping.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self.streams(kind):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    # -- recording and playing ------------------------------------------------------------------

    def _wait_for_own_stream(
        self,
        name: str,
        proc: subprocess.Popen[bytes],
        what: str,
        kind: StreamKind = "source-outputs",
    ) -> None:
        """Wait until our own stream `name` of `kind` is connected (at most 10 s)."""
        deadline = time.monotonic() + 10.0
        while not any(
            s.get("media.name") == name for s in self.streams(kind, include_harness=True)
        ):
            if proc.poll() is not None:
                raise PulseError(f"{what} exited at once with status {proc.returncode}")
            if time.monotonic() > deadline:
                raise PulseError(f"{what}'s stream did not appear within 10 s")
            time.sleep(0.02)

    @contextlib.contextmanager
    def record(
        self,
        path: str | os.PathLike[str],
        device: str = f"{SPEAKER_OUT}.monitor",
        *,
        rate: int | None = None,
        settle: float = 0.15,
    ) -> Iterator[Path]:
        """Record `device` into the WAV file `path` (mono, s16le) while the with-block runs.

        The rate is the sink's own (:attr:`rates`) for its monitor, so nothing is resampled.

        Recording has started (its stream exists on the server) when the body runs. On the way
        out it waits `settle` seconds so that the last played audio reaches the monitor, stops
        ``parecord`` with SIGINT (it then writes the WAV header) and checks the header, repairing
        the sizes if they do not match the file.
        """
        out = Path(path)
        if rate is None:
            rate = self.rates.get(device.removesuffix(".monitor"), MIC_RATE)
        name = f"record-{out.name}-{time.monotonic_ns()}"
        # Default latency: with --latency-msec=20 and sink rewinds on, parecord got 0.06 s of an
        # idle monitor in 2 s (with norewinds=1 both gave 2 s); `settle` covers the tail.
        command = [
            "parecord",
            f"--device={device}",
            f"--client-name={HARNESS_CLIENT}",
            f"--stream-name={name}",
            "--file-format=wav",
            "--format=s16le",
            f"--rate={rate}",
            "--channels=1",
            str(out),
        ]
        proc = subprocess.Popen(
            command,
            env=self.client_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            self._wait_for_own_stream(name, proc, "parecord")
            yield out
            time.sleep(settle)
        finally:
            status = _end_process(proc, signal.SIGINT, grace=5.0)
            err = _stderr_of(proc)
        if status not in (0, -signal.SIGINT):
            raise PulseError(f"parecord ended with status {status}: {err}")
        _repair_wav_header(out)

    def play_into(
        self,
        wav_path: str | os.PathLike[str],
        sink: str = MIC_FEED,
        *,
        timeout: float = 60.0,
        latency_msec: int = 20,
    ) -> None:
        """Play a sound file into `sink` with ``paplay --latency-msec=20`` and wait for the end.

        Without a low latency, short clips were dropped entirely. paplay resamples to the sink.
        A busy machine can starve a 20 ms client, and the sink then plays a few ms of silence in
        the middle; a test that needs the samples unbroken asks for more (`latency_msec`).
        """
        result = subprocess.run(
            [
                "paplay",
                f"--latency-msec={latency_msec}",
                f"--device={sink}",
                f"--client-name={HARNESS_CLIENT}",
                str(wav_path),
            ],
            env=self.client_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise PulseError(f"paplay {wav_path} failed: {result.stderr.strip()}")

    @contextlib.contextmanager
    def noise_into(
        self, sink: str = MIC_FEED, *, level_db: float = -60.0, seed: int = 1
    ) -> Iterator[None]:
        """Play a faint steady white noise (RMS `level_db` dBFS) into `sink` while the
        with-block runs: a quiet room's noise floor under whatever else is played there.

        A null sink's monitor gives exact digital zeros when nothing plays, which confuses
        energy thresholds and recognisers; a real microphone never does. The noise stream is
        running when the body starts, and is the harness's own (left out of
        :meth:`wait_for_stream`). Sounds played with :meth:`play_into` meanwhile are mixed in.
        """
        import random
        import threading

        rate = self.rates.get(sink, MIC_RATE)
        rng = random.Random(seed)
        sigma = 32768.0 * 10 ** (level_db / 20)
        block = array(
            "h", (max(-32768, min(32767, round(rng.gauss(0, sigma)))) for _ in range(rate))
        )
        if sys.byteorder == "big":
            block.byteswap()
        data = block.tobytes()
        name = f"noise-{sink}-{time.monotonic_ns()}"
        proc = subprocess.Popen(
            [
                "pacat",
                "--playback",
                "--raw",
                "--format=s16le",
                f"--rate={rate}",
                "--channels=1",
                "--latency-msec=50",
                f"--device={sink}",
                f"--client-name={HARNESS_CLIENT}",
                f"--stream-name={name}",
            ],
            env=self.client_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stop = threading.Event()

        def feed() -> None:
            assert proc.stdin is not None
            with contextlib.suppress(OSError, ValueError):  # pacat gone, or stdin closed
                while not stop.is_set():
                    proc.stdin.write(data)  # blocks while pacat's buffer is full: real time
                    proc.stdin.flush()

        writer = threading.Thread(target=feed, name=name, daemon=True)
        writer.start()
        try:
            self._wait_for_own_stream(name, proc, "pacat (the noise)", "sink-inputs")
            yield
        finally:
            stop.set()
            _end_process(proc, signal.SIGTERM, grace=5.0)
            writer.join(timeout=5.0)
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()

    @contextlib.contextmanager
    def loopback(
        self,
        source: str = f"{SPEAKER_OUT}.monitor",
        sink: str = MIC_FEED,
        *,
        latency_msec: int = 20,
    ) -> Iterator[None]:
        """While the with-block runs, what plays on `source` is also played into `sink`: by
        default the program's own voice reaches its microphone, as from a loudspeaker in the
        same room. The loopback's streams count as the harness's own."""
        harness = f"application.name={HARNESS_CLIENT}"
        index = self.pactl(
            "load-module",
            "module-loopback",
            f"source={source}",
            f"sink={sink}",
            f"latency_msec={latency_msec}",
            "source_dont_move=true",
            "sink_dont_move=true",
            f"sink_input_properties={harness}",
            f"source_output_properties={harness}",
        ).strip()
        try:
            yield
        finally:
            with contextlib.suppress(PulseError, subprocess.TimeoutExpired):
                self.pactl("unload-module", index)

    @contextlib.contextmanager
    def watch(
        self, device: str = f"{SPEAKER_OUT}.monitor", *, threshold_db: float = -50.0
    ) -> Iterator[LevelWatch]:
        """Listen to `device` live while the with-block runs: the :class:`LevelWatch` knows
        when sound was last heard there, so a test can wait for the program to finish saying
        a line (rather than sleeping)."""
        rate = self.rates.get(device.removesuffix(".monitor"), MIC_RATE)
        name = f"watch-{device}-{time.monotonic_ns()}"
        proc = subprocess.Popen(
            [
                "pacat",
                "--record",
                "--raw",
                "--format=s16le",
                f"--rate={rate}",
                "--channels=1",
                "--latency-msec=20",
                f"--device={device}",
                f"--client-name={HARNESS_CLIENT}",
                f"--stream-name={name}",
            ],
            env=self.client_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        watch = LevelWatch(proc.stdout, rate, threshold_db)
        try:
            self._wait_for_own_stream(name, proc, "pacat --record")
            yield watch
        finally:
            _end_process(proc, signal.SIGTERM, grace=5.0)
            watch.join()
            proc.stdout.close()


class LevelWatch:
    """Sound levels of a live recording, 10 ms at a time, read by a thread (see
    :meth:`PulseServer.watch`). Times are ``time.monotonic()`` when the audio arrived."""

    def __init__(self, stream: IO[bytes], rate: int, threshold_db: float) -> None:
        import threading

        self.rate = rate
        self.threshold_db = threshold_db
        self.last_sound: float | None = None  # when the last 10 ms above the threshold arrived
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        frame = 2 * max(1, self.rate // 100)
        while True:
            chunk = stream.read(frame)
            if not chunk:
                return
            samples = array("h")
            samples.frombytes(chunk[: len(chunk) - len(chunk) % 2])
            if sys.byteorder == "big":
                samples.byteswap()
            if rms_db(samples) > self.threshold_db:
                with self._changed:
                    self.last_sound = time.monotonic()
                    self._changed.notify_all()

    def wait_for_sound_then_quiet(self, after: float, quiet: float, timeout: float) -> float:
        """Wait until sound has been heard after `after` (a monotonic time) and then nothing
        for `quiet` seconds; return when the sound was last heard. Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                now = time.monotonic()
                last = self.last_sound
                if last is not None and last > after and now - last >= quiet:
                    return last
                if now > deadline:
                    raise TimeoutError(f"no sound then {quiet:g} s of quiet within {timeout:g} s")
                wait = quiet - (now - last) if last is not None and last > after else 0.05
                self._changed.wait(max(0.01, min(wait, deadline - now)))

    def join(self) -> None:
        self._thread.join(timeout=5.0)


def _missing_programs() -> str | None:
    missing = [p for p in REQUIRED_PROGRAMS if shutil.which(p) is None]
    if not missing:
        return None
    return f"not installed: {', '.join(missing)} (Debian packages pulseaudio, pulseaudio-utils)"


def _short_tmp_dir() -> str | None:
    """A temp folder short enough for a unix socket path (108 bytes at most)."""
    default = tempfile.gettempdir()
    return None if len(default) < 60 else "/tmp"


def _end_process(proc: subprocess.Popen[bytes], sig: signal.Signals, grace: float) -> int:
    """Send `sig`, wait up to `grace` s, then terminate and kill; always reaps the process."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return proc.returncode


def _stderr_of(proc: subprocess.Popen[bytes]) -> str:
    """The (rest of the) stderr of a finished process, closing the pipe."""
    if proc.stderr is None or proc.stderr.closed:
        return ""
    if proc.poll() is None:
        return ""
    with proc.stderr:
        return proc.stderr.read().decode(errors="replace").strip()


_STREAM_FIELDS = ("Sink", "Source", "Client", "Sample Specification")


def _parse_streams(listing: str) -> list[dict[str, str]]:
    """Parse ``pactl list sink-inputs|source-outputs`` into one dict per stream."""
    streams: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for raw in listing.splitlines():
        line = raw.strip()
        if raw and not raw[0].isspace() and "#" in raw:
            current = {"index": raw.rsplit("#", 1)[1].strip()}
            streams.append(current)
        elif current is not None and " = " in line:
            key, _, value = line.partition(" = ")
            current[key.strip()] = value.strip().strip('"')
        elif current is not None and line.partition(": ")[0] in _STREAM_FIELDS:
            key, _, value = line.partition(": ")
            current[key] = value
    return streams


def _repair_wav_header(path: Path) -> None:
    """Make the RIFF and data chunk sizes of a PCM WAV match the file, if they do not."""
    data = bytearray(path.read_bytes())
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise PulseError(f"{path} is not a WAV file")
    pos, block_align = 12, 2
    changed = False
    while pos + 8 <= len(data):
        chunk_id = bytes(data[pos : pos + 4])
        (size,) = struct.unpack_from("<I", data, pos + 4)
        if chunk_id == b"fmt ":
            block_align = struct.unpack_from("<H", data, pos + 8 + 12)[0] or 2
        if chunk_id == b"data":
            available = len(data) - (pos + 8)
            actual = available - available % block_align
            if size != actual:
                struct.pack_into("<I", data, pos + 4, actual)
                del data[pos + 8 + actual :]
                changed = True
            break
        pos += 8 + size + (size & 1)
    else:
        raise PulseError(f"{path} has no data chunk")
    if struct.unpack_from("<I", data, 4)[0] != len(data) - 8:
        struct.pack_into("<I", data, 4, len(data) - 8)
        changed = True
    if changed:
        path.write_bytes(bytes(data))
    with wave.open(str(path), "rb") as w:  # raises if it is still not a readable WAV
        w.getnframes()


# -- availability ---------------------------------------------------------------------------------


@functools.cache
def pulse_available() -> str | None:
    """None if a private server can be started here, else a one-line reason why not."""
    missing = _missing_programs()
    if missing:
        return missing
    try:
        with PulseServer():
            pass
    except (PulseError, OSError, subprocess.SubprocessError) as e:
        return f"a private PulseAudio server does not start here: {e}".splitlines()[0]
    return None


def require_pulse() -> None:
    """Skip the calling test when no private server can run here; fail instead when CI=true."""
    reason = pulse_available()
    if reason is None:
        return
    _give_up(reason)


def _give_up(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the audio tests: {reason}", pytrace=False)
    pytest.skip(reason)


# -- pure helpers on recorded audio ---------------------------------------------------------------


def read_wav(path: str | os.PathLike[str]) -> tuple[array[int], int]:
    """16-bit samples of the first channel of a PCM WAV file, and its sample rate."""
    with wave.open(os.fspath(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: {8 * w.getsampwidth()}-bit samples, expected 16-bit")
        channels, rate = w.getnchannels(), w.getframerate()
        frames = w.readframes(w.getnframes())
    samples = array("h")
    samples.frombytes(frames[: len(frames) - len(frames) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = samples[::channels]
    return samples, rate


def write_wav(path: str | os.PathLike[str], samples: Sequence[int], rate: int) -> None:
    """Write mono 16-bit samples (clipped to the int16 range) as a PCM WAV file."""
    data = array("h", (max(-32768, min(32767, int(s))) for s in samples))
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(os.fspath(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


def rms_db(samples: Sequence[int]) -> float:
    """RMS level of int16 samples in dB relative to full scale (-inf for silence or nothing)."""
    if len(samples) == 0:
        return -math.inf
    mean_square = math.fsum(s * s for s in samples) / len(samples)
    if mean_square == 0:
        return -math.inf
    return 10 * math.log10(mean_square / (32768.0 * 32768.0))


def sound_segments(
    samples: Sequence[int],
    rate: int,
    threshold_db: float = -40.0,
    min_gap: float = 0.15,
    frame: float = 0.01,
) -> list[tuple[float, float]]:
    """(start, end) seconds of the stretches whose per-`frame` RMS is above `threshold_db` dBFS.

    Quiet gaps shorter than `min_gap` seconds between two stretches are merged into one.
    """
    step = max(1, round(frame * rate))
    runs: list[tuple[int, int]] = []  # sample offsets
    start: int | None = None
    for offset in range(0, len(samples), step):
        loud = rms_db(samples[offset : offset + step]) > threshold_db
        if loud and start is None:
            start = offset
        elif not loud and start is not None:
            runs.append((start, offset))
            start = None
    if start is not None:
        runs.append((start, len(samples)))
    merged: list[tuple[int, int]] = []
    for begin, end in runs:
        if merged and (begin - merged[-1][1]) / rate < min_gap:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return [(begin / rate, end / rate) for begin, end in merged]
