"""Voice out against the real espeak-ng (through pyttsx3): rendering, the cache, export, and
what happens when speech cannot work. Playback through a real sound server is in
test_playback.py."""

from __future__ import annotations

import array
import math
import os
import subprocess
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from companion.cli import cli
from companion.dialogue.protocols import Line, Voice
from companion.dialogue.session import Session
from companion.dialogue.steps import Breathe, Cue, Say
from companion.errors import CompanionError
from companion.voice.audio import Audio, BadAudio
from companion.voice.cache import AudioCache
from companion.voice.engine import Pyttsx3Engine, SpeechUnavailable
from companion.voice.export import Timeline
from tests.conftest import FIXTURES, companion_command

TWO = str(FIXTURES / "two-questions.toml")


@pytest.fixture(scope="module")
def engine() -> Pyttsx3Engine:
    return Pyttsx3Engine()


class Counting:
    """The real engine, counting its renders."""

    def __init__(self, engine: Pyttsx3Engine) -> None:
        self.engine = engine
        self.id = engine.id
        self.renders: list[str] = []

    def render(self, text: str, voice: Voice, path: Path) -> None:
        self.renders.append(text)
        self.engine.render(text, voice, path)


def loudness_db(audio: Audio) -> float:
    samples = array.array("h", audio.pcm)
    rms = math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))
    return 20 * math.log10(max(rms, 1) / 32768)


def test_a_rendered_line_is_speech_of_plausible_length(
    engine: Pyttsx3Engine, tmp_path: Path
) -> None:
    audio = AudioCache(tmp_path, engine).get("Breathe in slowly, and let it go.", Voice())
    assert audio.rate == 22050
    assert 1.0 < audio.seconds < 5.0  # seven words at 160 words a minute, plus espeak's pauses
    assert loudness_db(audio) > -35  # speech, not silence


def test_rate_changes_the_length(engine: Pyttsx3Engine, tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, engine)
    text = "When someone offers to help you, what do you feel?"
    slow, fast = cache.get(text, Voice(rate=80)), cache.get(text, Voice(rate=400))
    assert slow.seconds > 2.5 * fast.seconds


def test_every_line_gets_its_own_rate_however_fast_they_follow(
    engine: Pyttsx3Engine, tmp_path: Path
) -> None:
    # Set as driver properties, a rate set just after a line ended was sometimes lost: about 1
    # line in 4 came out at the previous line's rate when slow and fast lines alternated.
    text = "Take your time."
    lengths: dict[int, list[float]] = {80: [], 400: []}
    for i in range(20):
        rate = 80 if i % 2 else 400
        engine.render(text, Voice(rate=rate), tmp_path / f"{i}.wav")
        lengths[rate].append(Audio.read(tmp_path / f"{i}.wav").seconds)
    assert min(lengths[80]) > 2.5 * max(lengths[400]), lengths


def test_control_characters_in_a_line_are_not_commands(
    engine: Pyttsx3Engine, tmp_path: Path
) -> None:
    # \x01 starts an espeak-ng embedded command: "\x0180S" would slow the rest down to 80.
    plain, odd = tmp_path / "plain.wav", tmp_path / "odd.wav"
    engine.render("Take your 80S time, and then some more.", Voice(rate=300), plain)
    engine.render("Take your\x0180S time, and then some more.", Voice(rate=300), odd)
    assert Audio.read(odd).seconds == pytest.approx(Audio.read(plain).seconds, rel=0.1)


def test_the_default_voice_comes_back_after_another(engine: Pyttsx3Engine, tmp_path: Path) -> None:
    # The driver is shared and keeps the last voice set: "no voice named" must set the default.
    default = engine._engine.getProperty("voice")
    engine.render("Hello.", Voice(name="gmw/en-us"), tmp_path / "us.wav")
    assert engine._engine.getProperty("voice") == "gmw/en-us"
    engine.render("Hello.", Voice(), tmp_path / "default.wav")
    assert engine._engine.getProperty("voice") == default


def test_volume_changes_the_loudness(engine: Pyttsx3Engine, tmp_path: Path) -> None:
    cache = AudioCache(tmp_path, engine)
    loud, soft = (
        cache.get("Hello there.", Voice(volume=1.0)),
        cache.get("Hello there.", Voice(volume=0.2)),
    )
    assert loudness_db(loud) - loudness_db(soft) > 10


def test_a_cache_hit_renders_nothing(engine: Pyttsx3Engine, tmp_path: Path) -> None:
    counting = Counting(engine)
    cache = AudioCache(tmp_path, counting)
    first = cache.get("Take your time.", Voice())
    again = AudioCache(tmp_path, counting).get("Take your time.", Voice())
    assert counting.renders == ["Take your time."]
    assert again == first


@pytest.mark.parametrize(
    "change",
    [
        {"rate": 200},
        {"pitch": 70},
        {"volume": 0.5},
        {"name": "gmw/en-us"},
        {"text": "Other."},
        {"engine": "another-engine"},
    ],
    ids=["rate", "pitch", "volume", "voice", "text", "engine"],
)
def test_the_cache_key_covers_everything_that_shapes_the_audio(change: dict[str, object]) -> None:
    class Named:
        def __init__(self, engine_id: str) -> None:
            self.id = engine_id

        def render(self, text: str, voice: Voice, path: Path) -> None:
            raise AssertionError

    base = AudioCache(Path("/x"), Named("e")).key("Hello.", Voice())
    engine_id = str(change.pop("engine", "e"))
    text = str(change.pop("text", "Hello."))
    other = AudioCache(Path("/x"), Named(engine_id)).key(text, Voice(**change))  # type: ignore[arg-type]
    assert other != base


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.write_bytes(b"RIFF\x00\x00garbage"),
        lambda p: p.write_bytes(b""),
    ],
    ids=["truncated", "garbage", "empty"],
)
def test_a_damaged_cache_file_is_rendered_again(
    engine: Pyttsx3Engine, tmp_path: Path, damage: object
) -> None:
    counting = Counting(engine)
    cache = AudioCache(tmp_path, counting)
    good = cache.get("Welcome back.", Voice())
    path = cache.path("Welcome back.", Voice())
    damage(path)  # type: ignore[operator]
    with pytest.raises(BadAudio):
        Audio.read(path)
    # espeak-ng may render the same text a frame longer or shorter: compare within 1 %
    assert abs(cache.get("Welcome back.", Voice()).frames - good.frames) < good.frames / 100
    assert len(counting.renders) == 2
    assert abs(Audio.read(path).frames - good.frames) < good.frames / 100  # whole again


def test_an_unwritable_cache_still_speaks(engine: Pyttsx3Engine, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = AudioCache(blocker, engine)
    assert cache.get("Still here.", Voice()).seconds > 0.3
    assert cache.stats.write_failures == 1


def test_two_processes_warming_one_cache_both_succeed(tmp_path: Path) -> None:
    env = {**os.environ, "COMPANION_CACHE_DIR": str(tmp_path / "shared-cache")}
    command = [*companion_command(), "cache", "warm", "self-check", "--screen-reader"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err.decode() for _, err in outputs]
    files = list((tmp_path / "shared-cache").iterdir())
    assert files and all(f.suffix == ".wav" and not f.name.startswith(".") for f in files)
    for f in files:
        assert Audio.read(f).seconds > 0.1
    assert b"lines ready" in outputs[0][0]


def test_cache_info_and_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "c"))
    runner = CliRunner()
    assert runner.invoke(cli, ["say", "One line."]).exit_code == 0  # text only: nothing cached
    assert runner.invoke(cli, ["cache", "warm", "receive"]).exit_code == 0
    info = runner.invoke(cli, ["cache", "info"]).output
    files = int(info.split()[0])
    assert files > 10
    cleared = runner.invoke(cli, ["cache", "clear"]).output
    assert cleared.startswith(f"removed {files} files")
    assert runner.invoke(cli, ["cache", "info"]).output.startswith("0 files")


def test_cache_warm_unknown_session() -> None:
    result = CliRunner().invoke(cli, ["cache", "warm", "feelings"])
    assert result.exit_code == 2
    assert "unknown session 'feelings'; choose from: self-check" in result.stderr


def test_voices_lists_languages(engine: Pyttsx3Engine) -> None:
    voices = engine.voices()
    assert any("en" in v.languages or v.id.endswith("/en") for v in voices)
    assert not any(v.id.startswith("mb-") for v in voices)
    result = CliRunner().invoke(cli, ["voices", "--screen-reader"])
    assert result.exit_code == 0
    assert any(line.startswith("gmw/en: ") for line in result.output.splitlines())


def test_an_unknown_voice_is_refused_with_suggestions(engine: Pyttsx3Engine) -> None:
    with pytest.raises(CompanionError, match=r"no voice called 'Engish'; did you mean .*English"):
        engine.find_voice("Engish")


def test_without_espeak_one_line_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyttsx3

    def broken() -> None:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    monkeypatch.setattr(pyttsx3, "init", broken)
    with pytest.raises(SpeechUnavailable, match="speech needs espeak-ng"):
        Pyttsx3Engine()
    monkeypatch.delenv("COMPANION_TEXT_ONLY")
    result = CliRunner().invoke(cli, ["say", "Hello."])
    assert result.exit_code == 0
    assert result.stdout == "Hello.\n"
    assert result.stderr.startswith("companion: speech needs espeak-ng")
    assert result.stderr.endswith("; showing text instead\n")


def test_with_no_sound_device_the_session_goes_on_as_text(tmp_path: Path) -> None:
    """A real process with no sound server and no sound card: one line, then text."""
    asoundrc = tmp_path / "asoundrc"
    asoundrc.write_text("pcm.!default { type pulse }\nctl.!default { type pulse }\n")
    env = {k: v for k, v in os.environ.items() if k != "COMPANION_TEXT_ONLY"}
    env.update(PULSE_SERVER=f"unix:{tmp_path}/no-server", ALSA_CONFIG_PATH=str(asoundrc))
    done = subprocess.run(
        [*companion_command(), "reflect", "--content", TWO, "--input", "keys"],
        input=b"y\nn\n",
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    err = done.stderr.decode()
    assert "companion: no audio output device found" in err
    assert err.rstrip().endswith("showing text instead")
    assert "Traceback" not in err
    assert "You said yes to finding it hard to ask for help" in done.stdout.decode()


# -- export ----------------------------------------------------------------------------------


def test_export_writes_the_whole_session_as_one_wav(tmp_path: Path) -> None:
    out = tmp_path / "session.wav"
    result = CliRunner().invoke(
        cli, ["reflect", "--content", TWO, "--answers", "yes,sometimes", "--export", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"companion: wrote {out} (")
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        seconds = w.getnframes() / w.getframerate()
    assert 10 < seconds < 60
    assert "You said yes to finding it hard to ask for help" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--export", "x.wav"], "--export needs --answers"),
        (["--answers", "yes"], "--answers goes with --export"),
        (["--answers", "yes,banana", "--export", "x.wav"], "'banana' is not yes, no or not sure"),
        (
            ["--answers", "yes", "--export", "x.wav"],
            "--answers gave 1 answers, but the session asks more",
        ),
    ],
    ids=["no-answers", "no-export", "bad-answer", "too-few"],
)
def test_export_needs_answers(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reflect", "--content", TWO, *args])
    assert result.exit_code == 2
    assert message in result.output


def test_exported_cues_start_on_their_scheduled_sample(
    engine: Pyttsx3Engine, tmp_path: Path, content: object
) -> None:
    from companion.voice.export import ExportListener, ExportSpeaker

    timeline = Timeline()
    cache = AudioCache(tmp_path, engine)
    cues = (Cue(0, "Breathe in", 0), Cue(4, "Breathe out", 0), Cue(10, "Breathe in", 1))
    steps = [Say("Let us begin, slowly and gently."), Breathe(cues, 14)]
    Session(
        steps,
        speaker=ExportSpeaker(cache, timeline),
        listener=ExportListener([], timeline),
        clock=timeline,
        phrases=content.phrases,
    ).run()  # type: ignore[attr-defined]
    intro = cache.get("Let us begin, slowly and gently.", Voice()).frames
    starts = [start for start, _ in timeline.segments[1:]]
    assert starts == [intro + round(c.at * 22050) for c in cues]
    assert timeline.audio().frames == intro + 14 * 22050


def test_text_is_still_printed_when_speaking(engine: Pyttsx3Engine, tmp_path: Path) -> None:
    from companion.voice.speaker import TeeSpeaker, VoiceSpeaker

    printed: list[str] = []
    played: list[float] = []

    class Text:
        def say(self, line: Line, voice: Voice) -> bool:
            printed.append(line.text)
            return True

    class Player:
        def play(self, audio: Audio, interrupted: object = None) -> bool:
            played.append(audio.seconds)
            return True

    tee = TeeSpeaker(Text(), VoiceSpeaker(AudioCache(tmp_path, engine), Player()))
    tee.say(Line("Hello."), Voice())
    tee.say(Line("You: yes", "heard"), Voice())
    assert printed == ["Hello.", "You: yes"]
    assert len(played) == 1  # what was heard is shown, not spoken


def test_an_empty_render_is_rendered_again(
    engine: Pyttsx3Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyttsx3 now and then writes a WAV with no frames; the engine never passes one on."""
    from companion.voice import engine as engine_module

    checks: list[Path] = []
    real = engine_module._has_audio

    def empty_first_time(path: Path) -> bool:
        checks.append(path)
        return len(checks) > 1 and real(path)

    monkeypatch.setattr(engine_module, "_has_audio", empty_first_time)
    engine.render("Try again.", Voice(), tmp_path / "a.wav")
    assert len(checks) == 2
    assert Audio.read(tmp_path / "a.wav").seconds > 0.3


def test_a_render_that_stays_empty_is_a_clear_error(
    engine: Pyttsx3Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from companion.voice import engine as engine_module

    monkeypatch.setattr(engine_module, "_has_audio", lambda path: False)
    with pytest.raises(SpeechUnavailable, match=r"espeak-ng gave no audio for 'Never\.'"):
        engine.render("Never.", Voice(), tmp_path / "a.wav")


@pytest.mark.parametrize("cues", ["tone", "both"])
def test_exported_breathing_puts_every_cue_on_its_sample(tmp_path: Path, cues: str) -> None:
    from companion.breathing.tones import tone_pcm

    out = tmp_path / "breathe.wav"
    result = CliRunner().invoke(
        cli, ["breathe", "4-7-8", "--cycles", "3", "--cues", cues, "--export", str(out)]
    )
    assert result.exit_code == 0, result.output
    track = Audio.read(out).pcm
    schedule = [(0, "in"), (4, "hold"), (11, "out")]
    expected = [(cycle * 19 + at, kind) for cycle in range(3) for at, kind in schedule]
    first = track.find(tone_pcm("in"))
    assert first >= 0 and first % 2 == 0
    for at, kind in expected:
        position = first + 2 * round(at * 22050)
        tone = tone_pcm(kind)
        assert track[position : position + len(tone)] == tone, f"{kind} at {at} s"


def test_two_engines_share_one_driver_and_each_gets_its_own_settings(tmp_path: Path) -> None:
    # pyttsx3.init() hands both the same driver: the second engine's volume must not stick
    first, second = Pyttsx3Engine(), Pyttsx3Engine()
    loud = tmp_path / "loud.wav"
    first.render("Hello there.", Voice(volume=1.0), loud)
    second.render("Hello there.", Voice(volume=0.2), tmp_path / "soft.wav")
    first.render("Hello there.", Voice(volume=1.0), loud)
    again = Audio.read(loud)
    soft = Audio.read(tmp_path / "soft.wav")
    assert loudness_db(again) - loudness_db(soft) > 10
