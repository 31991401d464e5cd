"""`companion recognize` and the recognisers behind it.

The command and the accuracy floor run the real pocketsphinx on real speech (the attributed
sample in fixtures/corpus) and on phrases spoken by the real espeak-ng. The other engines are
not installed here: their tests check the factory, the clear errors, and (with the engine's
own call replaced) that their words are decided like everyone else's. Nothing here touches the
network.
"""

from __future__ import annotations

import array
import csv
import json
import os
import random
import re
import select
import socket
import subprocess
import sys
import types
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from companion.cli import cli
from companion.dialogue.protocols import YES_NO, Answer, Command, Expect, Heard, Miss
from companion.errors import CompanionError, ExitCode
from companion.listen import engines
from companion.listen.engines import (
    PRIVACY_WARNING,
    GoogleRecogniser,
    RecognitionFailed,
    make_recogniser,
    privacy_warning,
)
from companion.listen.files import (
    error_json_line,
    error_plain_line,
    json_line,
    parse_expect,
    plain_line,
)
from companion.listen.recognise import SAMPLE_RATE, Recogniser, Recognition, read_audio_file
from companion.listen.sphinx import SphinxRecogniser
from companion.settings import load_settings
from tests.conftest import FIXTURES, companion_command

CORPUS = FIXTURES / "corpus"


def corpus_rows() -> list[dict[str, str]]:
    with (CORPUS / "files.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def clip(label: str, index: int = 0) -> str:
    return str(CORPUS / [r for r in corpus_rows() if r["label"] == label][index]["file"])


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args)


@pytest.fixture(scope="module")
def sphinx() -> SphinxRecogniser:
    return SphinxRecogniser()


# -- the fixture corpus itself ------------------------------------------------------------------


def test_the_corpus_sample_is_what_its_csv_and_readme_say() -> None:
    rows = corpus_rows()
    assert Counter(r["label"] for r in rows) == {
        "yes": 12,
        "no": 12,
        "stop": 10,
        "other": 12,
        "silence": 8,
    }
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.wav")}
    assert on_disk == {r["file"] for r in rows}
    assert (CORPUS / "LICENSE").read_text(encoding="utf-8").startswith("Attribution 4.0")
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for credit in ("Speech Commands Data Set v0.02", "Pete Warden", "CC BY 4.0"):
        assert credit in readme


# -- the command ----------------------------------------------------------------------------------

KEYS = ["file", "answer", "text", "confidence", "ms"]
ANSWER_WORDS = {"yes", "no", "unsure", "unclear", "silence", "phrase", "next"} | {
    str(c.value) for c in Command
}


def test_json_gives_one_object_per_file_in_order_and_errors_do_not_stop_the_rest(
    tmp_path: Path,
) -> None:
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("these are words, not sound\n", encoding="utf-8")
    missing = str(tmp_path / "gone.wav")
    files = [clip("yes"), missing, clip("no"), str(not_audio), clip("silence"), clip("stop")]
    result = invoke(["recognize", "--json", *files])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(files)
    objects = [json.loads(line) for line in lines]
    assert [o["file"] for o in objects] == files  # the path as given, in order
    assert objects[1] == {"file": missing, "error": "no such file"}
    assert list(objects[3]) == ["file", "error"]
    assert objects[3]["error"].startswith("is not a WAV, AIFF or FLAC file that can be read")
    for decided in (objects[0], objects[2], objects[4], objects[5]):
        assert list(decided) == KEYS
        assert decided["answer"] in ANSWER_WORDS
        assert isinstance(decided["text"], str)
        assert decided["confidence"] is None or 0 <= decided["confidence"] <= 1
        assert isinstance(decided["ms"], float) and 0 < decided["ms"] < 5000
    assert result.stderr == ""


def test_all_files_decided_exits_zero() -> None:
    files = [clip("yes"), clip("no"), clip("other")]
    result = invoke(["recognize", "--json", *files])
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["file"] for o in objects] == files
    assert all(o["answer"] in ANSWER_WORDS for o in objects)


def plain(file: str) -> re.Pattern[str]:
    """FILE: ANSWER ("WORDS", confidence 0.93, 12 ms), or (no words, 12 ms)."""
    return re.compile(
        rf'{re.escape(file)}: ([a-z]+) \((".+"|no words)(, confidence [01]\.\d\d)?, \d+ ms\)'
    )


def test_plain_lines(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.wav")
    result = invoke(["recognize", clip("yes"), missing, clip("no"), clip("silence")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert lines[1] == f"{missing}: error: no such file"
    for index, file in ((0, clip("yes")), (2, clip("no")), (3, clip("silence"))):
        found = plain(file).fullmatch(lines[index])
        assert found, lines[index]
        assert found[1] in ANSWER_WORDS


def test_expect_a_phrase(tmp_path: Path) -> None:
    result = invoke(["recognize", "--json", "--expect", "phrase:thank you", clip("silence")])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["answer"] in ("silence", "unclear")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "klingon"], "must be one of pocketsphinx, vosk, whisper, google"),
        (["--expect", "maybe"], "must be yes-no, next or phrase:WORDS"),
        (["--expect", "phrase:"], "phrase needs its words"),
        ([], None),
    ],
    ids=["unknown-engine", "bad-expect", "empty-phrase", "no-files"],
)
def test_usage_errors(args: list[str], message: str | None) -> None:
    result = invoke(["recognize", *args] + ([clip("yes")] if args else []))
    assert result.exit_code == ExitCode.USAGE
    assert "recognize [OPTIONS] FILE..." in result.output
    if message:
        assert message in result.output


def test_an_empty_recording_is_an_error_for_that_file_only(tmp_path: Path) -> None:
    import wave

    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
    result = invoke(["recognize", "--json", str(empty), clip("yes")])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {"file": str(empty), "error": "has no audio in it (0 samples)"}
    assert lines[1]["answer"] == "yes"


def test_a_failing_engine_is_an_error_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken:
        name = "broken"
        offline = True

        def recognise(self, pcm: bytes, expect: Expect) -> Recognition:
            raise RuntimeError("decoder fell over")

    monkeypatch.setattr(engines, "make_recogniser", lambda *a, **k: Broken())
    result = invoke(["recognize", "--json", clip("yes")])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "file": clip("yes"),
        "error": "the broken recogniser failed (RuntimeError: decoder fell over)",
    }


@pytest.mark.subprocess
def test_each_line_is_flushed_before_the_next_file_is_read(tmp_path: Path) -> None:
    """The second file is a FIFO nobody writes to yet: the first line must already be out."""
    fifo = tmp_path / "later.wav"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [*companion_command(), "recognize", "--json", clip("yes"), str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "no line within 60 s while the second file was still unread"
        first = json.loads(proc.stdout.readline())
        assert first["file"] == clip("yes")
        assert proc.poll() is None  # still waiting on the FIFO
        with open(fifo, "wb") as writer:
            writer.write(Path(clip("no")).read_bytes())
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert json.loads(out)["file"] == str(fifo)


# -- pure line formatting -------------------------------------------------------------------------


def test_json_line_exact() -> None:
    said = Recognition(Heard(Answer.YES, "yes"), "yes", 0.93456, 12.3456)
    assert json_line("yes-1.wav", said) == (
        '{"file": "yes-1.wav", "answer": "yes", "text": "yes", "confidence": 0.935, "ms": 12.3}'
    )
    unsure = Recognition(Heard(Answer.UNSURE, "not sure"), "not sure", None, 40.0)
    assert json_line("a b/é.wav", unsure) == (
        '{"file": "a b/é.wav", "answer": "unsure", "text": "not sure", "confidence": null, '
        '"ms": 40.0}'
    )
    quiet = Recognition(Heard(Miss.SILENCE), "", None, 7.04)
    assert json_line("s.wav", quiet) == (
        '{"file": "s.wav", "answer": "silence", "text": "", "confidence": null, "ms": 7.0}'
    )
    stop = Recognition(Heard(Command.STOP, "stop it"), "stop it", None, 1.0)
    assert json.loads(json_line("x.wav", stop))["answer"] == "stop"
    thanks = Recognition(Heard(Answer.PHRASE, "thank you"), "thank you", None, 1.0)
    assert json.loads(json_line("x.wav", thanks))["answer"] == "phrase"


def test_error_lines_exact() -> None:
    assert error_json_line("gone.wav", "no such file") == (
        '{"file": "gone.wav", "error": "no such file"}'
    )
    assert error_plain_line("gone.wav", "no such file") == "gone.wav: error: no such file"


def test_plain_line_exact() -> None:
    said = Recognition(Heard(Answer.YES, "yes"), "yes", 0.93456, 12.3456)
    assert plain_line("yes-1.wav", said) == 'yes-1.wav: yes ("yes", confidence 0.93, 12 ms)'
    unsure = Recognition(Heard(Answer.UNSURE, "I'm not sure"), "I'm not sure", None, 40.0)
    assert plain_line("u.wav", unsure) == 'u.wav: unsure ("I\'m not sure", 40 ms)'
    quiet = Recognition(Heard(Miss.SILENCE), "", None, 7.6)
    assert plain_line("s.wav", quiet) == "s.wav: silence (no words, 8 ms)"


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("yes-no", YES_NO),
        ("YES_NO", YES_NO),
        ("next", Expect("next")),
        ("phrase:thank you", Expect("phrase", phrase="thank you")),
        ("phrase:  thank   you ", Expect("phrase", phrase="thank you")),
    ],
)
def test_parse_expect(text: str, expect: Expect) -> None:
    assert parse_expect(text) == expect


# -- accuracy on real speech ----------------------------------------------------------------------

# Measured with the shipped recogniser on 2026-11-22, on this sample: yes/no 24 of 24 right,
# stop 10 of 10, other words taken as yes or no 0 of 12, noise taken as an answer 0 of 8, other
# words or noise taken as stop 1 of 20 (0 of 20 with one network instead of three). The
# verifier was trained on the development half these clips come from, so these are not
# held-out figures: the test guards against regressions. The floors leave a margin of two
# clips; raise them as the recogniser improves.
YES_NO_RIGHT_FLOOR = 22 / 24
STOP_RIGHT_FLOOR = 8 / 10
OTHER_AS_YES_NO_CEILING = 2 / 12
SILENCE_ANSWERED_CEILING = 2 / 8
FALSE_STOP_CEILING = 3 / 20


def test_accuracy_floor_on_the_real_corpus_sample(sphinx: SphinxRecogniser) -> None:
    decided: dict[str, Counter[str]] = {}
    for row in corpus_rows():
        label = sphinx.recognise(read_audio_file(str(CORPUS / row["file"])), YES_NO).label
        decided.setdefault(row["label"], Counter())[label] += 1

    def share(folder: str, labels: set[str]) -> tuple[int, int]:
        counts = decided[folder]
        return sum(counts[x] for x in labels), sum(counts.values())

    yes_right, yes_n = share("yes", {"yes"})
    no_right, no_n = share("no", {"no"})
    stop_right, stop_n = share("stop", {"stop"})
    other_wrong, other_n = share("other", {"yes", "no"})
    silence_wrong, silence_n = share("silence", {"yes", "no", "unsure"})
    false_stops = decided["other"]["stop"] + decided["silence"]["stop"]
    not_stop_n = other_n + silence_n
    figures = (
        f"yes/no right {yes_right + no_right}/{yes_n + no_n} (yes {yes_right}/{yes_n}, "
        f"no {no_right}/{no_n}); stop right {stop_right}/{stop_n}; other taken as yes/no "
        f"{other_wrong}/{other_n}; noise taken as an answer {silence_wrong}/{silence_n}; "
        f"other or noise taken as stop {false_stops}/{not_stop_n}; "
        f"all: { {k: dict(v) for k, v in decided.items()} }"
    )
    print(figures)
    assert (yes_right + no_right) / (yes_n + no_n) >= YES_NO_RIGHT_FLOOR, figures
    assert stop_right / stop_n >= STOP_RIGHT_FLOOR, figures
    assert other_wrong / other_n <= OTHER_AS_YES_NO_CEILING, figures
    assert silence_wrong / silence_n <= SILENCE_ANSWERED_CEILING, figures
    assert false_stops / not_stop_n <= FALSE_STOP_CEILING, figures


# -- multiword answers, spoken by espeak-ng -------------------------------------------------------

THANKS = Expect("phrase", phrase="thank you")
PHRASES: list[tuple[str, Expect, str]] = [
    ("yes I do", YES_NO, "yes"),
    ("not really", YES_NO, "no"),
    ("I'm not sure", YES_NO, "unsure"),
    ("sometimes", YES_NO, "unsure"),
    ("say that again", YES_NO, "repeat"),
    ("stop", YES_NO, "stop"),
    ("yes", YES_NO, "yes"),
    ("no", YES_NO, "no"),
    ("thank you", THANKS, "phrase"),
]
VOICES = {"en": "gmw/en", "en-us": "gmw/en-us", "rp": "gmw/en-gb-x-rp"}
RATES = (130, 175, 220)

# Measured with the shipped recogniser on 2026-11-22 (the verifier from scripts/train_verifier.py
# with hedges and commands taught as "other"; the audio and its noise are the same every run):
# 76 of 81 right. Before hedges were taught, "I'm not sure" was no or yes 8 of 9 times and "say
# that again" yes 6 of 9. With one network instead of three, the rp voice's "yes" at 130 and
# 220 was unclear too (decoded as "yes" by the second pass only, which never gives a one-word
# answer). The misses are strict: a case that starts to pass must leave this list.
KNOWN_MISSES = {
    "I'm-not-sure/en/130": "heard 'no' (no)",
    "I'm-not-sure/en/220": "heard 'yes' (yes)",
    "I'm-not-sure/en-us/130": "heard 'no' (no)",
    "I'm-not-sure/rp/130": "heard 'no' (no)",
    "thank-you/en/130": "heard 'sorry what' (repeat)",
}


def phrase_cases() -> Iterator[Any]:
    for text, expect, want in PHRASES:
        for voice in VOICES:
            for rate in RATES:
                case_id = f"{text.replace(' ', '-')}/{voice}/{rate}"
                marks = (
                    [pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[case_id])]
                    if case_id in KNOWN_MISSES
                    else []
                )
                yield pytest.param(text, expect, want, voice, rate, id=case_id, marks=marks)


def spoken(text: str, voice: str, rate: int, folder: Path) -> bytes:
    """`text` said by espeak-ng (22050 Hz), resampled to 16 kHz, with 0.3 s before and after
    and a faint noise floor (about -60 dBFS) all through: pocketsphinx does badly on exact
    digital silence, which no microphone gives.

    Rendered by the espeak-ng program, not through pyttsx3: the same line rendered through
    pyttsx3 comes out a few samples different each time (measured: five renders of "say that
    again", five lengths), which was enough to flip some decisions from run to run. The
    program gives the same bytes every time, so each case here is the same every run."""
    path = folder / "said.wav"
    subprocess.run(
        ["espeak-ng", "-v", VOICES[voice], "-s", str(rate), "-w", str(path), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pad = bytes(2 * int(0.3 * SAMPLE_RATE))
    samples = array.array("h", pad + read_audio_file(str(path)) + pad)
    rng = random.Random(zlib.crc32(f"{text}/{voice}/{rate}".encode()))
    sigma = 32768 * 10 ** (-60 / 20)
    for i, s in enumerate(samples):
        samples[i] = max(-32768, min(32767, s + round(rng.gauss(0, sigma))))
    return samples.tobytes()


@pytest.mark.parametrize(("text", "expect", "want", "voice", "rate"), list(phrase_cases()))
def test_a_spoken_phrase_is_understood(
    sphinx: SphinxRecogniser,
    tmp_path: Path,
    text: str,
    expect: Expect,
    want: str,
    voice: str,
    rate: int,
) -> None:
    heard = sphinx.recognise(spoken(text, voice, rate, tmp_path), expect)
    assert heard.label == want, f"{text!r} ({voice}, {rate} wpm) heard as {heard.text!r}"


# -- the engine factory and the other engines -----------------------------------------------------


def test_the_default_engine_is_offline_pocketsphinx() -> None:
    assert load_settings({}).engine == "pocketsphinx"
    recogniser = make_recogniser()
    assert (recogniser.name, recogniser.offline) == ("pocketsphinx", True)
    assert isinstance(recogniser, SphinxRecogniser)
    assert privacy_warning(recogniser) is None


def test_an_unknown_engine_lists_the_names() -> None:
    with pytest.raises(CompanionError) as caught:
        make_recogniser("sphinx4")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message == (
        "unknown engine 'sphinx4'; engines: pocketsphinx, vosk, whisper, google"
    )


def test_the_engine_setting_is_checked_like_every_other() -> None:
    assert load_settings({"COMPANION_ENGINE": " Vosk "}).engine == "vosk"
    with pytest.raises(CompanionError, match="COMPANION_ENGINE: must be one of pocketsphinx"):
        load_settings({"COMPANION_ENGINE": "siri"})
    assert load_settings({"COMPANION_VOSK_MODEL": "/m/vosk"}).vosk_model == Path("/m/vosk")
    result = invoke(["config", "set", "engine", "alexa"])
    assert result.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("name", "needs"),
    [("vosk", "pip install vosk"), ("whisper", "pip install openai-whisper")],
)
def test_a_missing_engine_package_is_a_clear_error(
    name: str, needs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, name, None)  # import fails, installed or not
    with pytest.raises(CompanionError) as caught:
        make_recogniser(name, vosk_model="/somewhere")
    assert caught.value.exit_code == ExitCode.NO_DEVICE
    assert needs in caught.value.message
    result = invoke(["recognize", "--engine", name, clip("yes")])
    assert result.exit_code == ExitCode.NO_DEVICE
    assert result.stdout == ""
    assert needs in result.stderr and "Traceback" not in result.output


def fake_vosk(words: list[tuple[str, float]]) -> types.ModuleType:
    """Stands in for the vosk package (not installed here), answering with `words`."""
    module = types.ModuleType("vosk")

    class Model:
        def __init__(self, path: str) -> None:
            self.path = path

    class KaldiRecognizer:
        def __init__(self, model: Model, rate: int) -> None:
            assert rate == SAMPLE_RATE

        def SetWords(self, on: bool) -> None:
            pass

        def AcceptWaveform(self, pcm: bytes) -> bool:
            return True

        def FinalResult(self) -> str:
            result = [{"word": w, "conf": c} for w, c in words]
            return json.dumps({"text": " ".join(w for w, _ in words), "result": result})

    module.Model = Model  # type: ignore[attr-defined]
    module.KaldiRecognizer = KaldiRecognizer  # type: ignore[attr-defined]
    module.SetLogLevel = lambda level: None  # type: ignore[attr-defined]
    return module


def test_vosk_needs_a_model_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "vosk", fake_vosk([]))
    with pytest.raises(CompanionError, match="set COMPANION_VOSK_MODEL"):
        make_recogniser("vosk")
    with pytest.raises(CompanionError, match="no vosk model folder at"):
        make_recogniser("vosk", vosk_model=tmp_path / "nothing")


def test_vosk_words_are_interpreted_with_their_confidence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "vosk", fake_vosk([("not", 0.9), ("really", 0.7)]))
    recogniser = make_recogniser("vosk", vosk_model=tmp_path)
    assert (recogniser.name, recogniser.offline) == ("vosk", True)
    heard = recogniser.recognise(bytes(3200), YES_NO)
    assert (heard.label, heard.text) == ("no", "not really")
    assert heard.confidence == pytest.approx(0.8)  # the words' mean
    monkeypatch.setitem(sys.modules, "vosk", fake_vosk([]))
    assert make_recogniser("vosk", vosk_model=tmp_path).recognise(b"..", YES_NO).label == (
        "silence"
    )


def test_whisper_words_are_interpreted(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numpy")
    module = types.ModuleType("whisper")
    loaded: list[str] = []

    class Model:
        def transcribe(self, audio: Any, **options: Any) -> dict[str, str]:
            assert audio.dtype.name == "float32" and len(audio) == 1600
            return {"text": " I'm not sure."}

    def load_model(name: str) -> Model:
        loaded.append(name)
        return Model()

    module.load_model = load_model  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "whisper", module)
    recogniser = make_recogniser("whisper")
    heard = recogniser.recognise(bytes(3200), YES_NO)
    assert (heard.label, heard.text, heard.confidence) == ("unsure", "I'm not sure.", None)
    recogniser.recognise(bytes(3200), YES_NO)
    assert loaded == ["base.en"]  # loaded once, not per utterance


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def google_answers(monkeypatch: pytest.MonkeyPatch, response: object) -> list[Any]:
    """Replace SpeechRecognition's Google call (the only thing that would go online)."""
    from companion.listen.recognise import speech_recognition

    sr = speech_recognition()
    sent: list[Any] = []

    def recognize_google(self: Any, audio: Any, **options: Any) -> object:
        sent.append((audio, options))
        if isinstance(response, BaseException):
            raise response
        return response

    monkeypatch.setattr(sr.Recognizer, "recognize_google", recognize_google)
    return sent


def test_google_is_online_and_says_so(no_network: None) -> None:
    recogniser = make_recogniser("google")  # building it sends nothing
    assert isinstance(recogniser, GoogleRecogniser)
    assert (recogniser.name, recogniser.offline) == ("google", False)
    assert (
        privacy_warning(recogniser)
        == PRIVACY_WARNING
        == (
            "Using google: what you say is sent to Google over the internet to be recognised. "
            "Say stop or press q to end."
        )
    )
    assert privacy_warning(recogniser, files=True) == (
        "Using google: the audio of each file is sent to Google over the internet to be recognised."
    )


def test_google_words_are_interpreted_with_their_confidence(
    monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    response = {
        "alternative": [
            {"transcript": "yes I do", "confidence": 0.87},
            {"transcript": "yes I too"},
        ],
        "final": True,
    }
    sent = google_answers(monkeypatch, response)
    recogniser = make_recogniser("google")
    heard = recogniser.recognise(bytes(3200), YES_NO)
    assert (heard.label, heard.text, heard.confidence) == ("yes", "yes I do", 0.87)
    audio, options = sent[0]
    assert (audio.sample_rate, audio.sample_width, audio.get_raw_data()) == (16000, 2, bytes(3200))
    assert options == {"language": "en-US", "show_all": True}


def test_google_hearing_nothing_and_google_unreachable(
    monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    from companion.listen.recognise import speech_recognition

    sr = speech_recognition()
    recogniser: Recogniser = make_recogniser("google")
    google_answers(monkeypatch, sr.UnknownValueError())
    assert recogniser.recognise(bytes(3200), YES_NO).label == "silence"
    google_answers(monkeypatch, [])  # what older SpeechRecognition returns for nothing
    assert recogniser.recognise(bytes(3200), YES_NO).label == "silence"
    google_answers(monkeypatch, {"alternative": [{"transcript": "Q"}]})
    assert recogniser.recognise(bytes(3200), YES_NO).label == "unclear"  # a letter, not a key
    google_answers(monkeypatch, sr.RequestError("recognition connection failed"))
    with pytest.raises(RecognitionFailed, match="google: the recognition request failed"):
        recogniser.recognise(bytes(3200), YES_NO)


def test_recognize_warns_before_sending_to_google_and_only_when_named(
    monkeypatch: pytest.MonkeyPatch, no_network: None
) -> None:
    google_answers(monkeypatch, {"alternative": [{"transcript": "nope"}]})
    offline = invoke(["recognize", clip("no")])
    assert offline.exit_code == 0
    assert offline.stderr == ""  # pocketsphinx: no warning, nothing sent
    online = invoke(["recognize", "--json", "--engine", "google", clip("no")])
    assert online.exit_code == 0, online.output
    assert online.stderr == (
        "companion: Using google: the audio of each file is sent to Google over the internet "
        "to be recognised.\n"
    )
    assert json.loads(online.stdout)["answer"] == "no"
    google_answers(monkeypatch, sr_request_error("recognition connection failed"))
    failing = invoke(["recognize", "--json", "--engine", "google", clip("no"), clip("yes")])
    assert failing.exit_code == 1
    assert [json.loads(line)["error"] for line in failing.stdout.splitlines()] == [
        "google: the recognition request failed (recognition connection failed)"
    ] * 2


def sr_request_error(message: str) -> BaseException:
    from companion.listen.recognise import speech_recognition

    error: BaseException = speech_recognition().RequestError(message)
    return error


# -- the offline recogniser's edges ---------------------------------------------------------------


@pytest.mark.parametrize("pcm", [b"", bytes(2), bytes(3000)], ids=["empty", "one-sample", "short"])
def test_too_little_audio_is_silence_and_the_decoder_carries_on(
    sphinx: SphinxRecogniser, pcm: bytes
) -> None:
    assert sphinx.recognise(pcm, YES_NO).label == "silence"
    yes = next(r for r in corpus_rows() if r["label"] == "yes")
    assert sphinx.recognise(read_audio_file(str(CORPUS / yes["file"])), YES_NO).label == "yes"


def test_a_decoder_error_mid_utterance_does_not_break_the_next_decision(
    sphinx: SphinxRecogniser, monkeypatch: pytest.MonkeyPatch
) -> None:
    yes = read_audio_file(
        str(CORPUS / next(r for r in corpus_rows() if r["label"] == "yes")["file"])
    )
    decoder = sphinx._decoder

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("decoder failed")

    monkeypatch.setattr(sphinx, "_decoder", _Wrapped(decoder, failing))
    with pytest.raises(RuntimeError):
        sphinx.first_word(yes)
    monkeypatch.setattr(sphinx, "_decoder", decoder)
    assert sphinx.recognise(yes, YES_NO).label == "yes"


class _Wrapped:
    """A pocketsphinx decoder whose process_raw fails: everything else is the real one."""

    def __init__(self, decoder: Any, process_raw: Any) -> None:
        self._decoder = decoder
        self.process_raw = process_raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decoder, name)


# -- the verifier's file -------------------------------------------------------------------------


def test_the_verifier_averages_its_networks() -> None:
    import numpy as np

    from companion.listen.verifier import CLASSES, Verifier, shipped

    one = {k: v for k, v in shipped().weights.items() if not k.startswith("fuse_")}
    first = {k.split("_", 1)[1]: v for k, v in one.items() if k.startswith("m0_")} or one
    # a second network that says the same but with its dense layer halved: its logits halve
    second = {**first, "dense_w": first["dense_w"] / 2, "dense_b": first["dense_b"] / 2}
    features = np.random.default_rng(3).normal(0, 1, (100, 40)).astype(np.float32)
    single = Verifier(first).probabilities_of(features)
    halved = Verifier(second).probabilities_of(features)
    both = Verifier(
        {**{f"m0_{k}": v for k, v in first.items()}, **{f"m1_{k}": v for k, v in second.items()}}
    )
    assert len(both.networks) == 2
    assert both.probabilities_of(features) == pytest.approx((single + halved) / 2, abs=1e-6)
    assert len(single) == len(CLASSES) and sum(single) == pytest.approx(1.0)


def test_a_verifier_file_without_a_network_is_refused() -> None:
    from companion.listen.verifier import Verifier

    with pytest.raises(ValueError, match="no network"):
        Verifier({"fuse_w": [], "fuse_b": []})  # type: ignore[dict-item]
