"""Every speech recogniser behind one `Recogniser` protocol, and the factory that picks one.

- pocketsphinx (the default, offline): `companion.listen.sphinx`, a grammar per step.
- vosk (offline): needs the `vosk` package and a model folder (`vosk_model` setting or
  COMPANION_VOSK_MODEL). The model is loaded once; SpeechRecognition's `recognize_vosk` cannot
  be used because it only looks for a model inside its own package folder and loads it again on
  every call.
- whisper (offline once its model is downloaded): needs the `openai-whisper` package. The model
  is loaded once and given the audio directly; SpeechRecognition's `recognize_whisper` loads the
  model again on every call (seconds each, and it would count as decode time).
- google (ONLINE): SpeechRecognition's `recognize_google`. The audio leaves the machine, so it is
  only ever built when asked for by name, and whoever builds it shows `privacy_warning` first.

The engines other than pocketsphinx hear free speech; their words go through the same
`interpret` the keyboard uses. Nothing heavy is imported until an engine is built.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.dialogue.protocols import Expect, Heard, Miss
from companion.dialogue.understand import interpret, normalise
from companion.errors import CompanionError, ExitCode
from companion.listen.recognise import (
    SAMPLE_RATE,
    SAMPLE_WIDTH,
    Recogniser,
    Recognition,
    speech_recognition,
)

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINE_NAMES",
    "ONLINE_ENGINES",
    "PRIVACY_WARNING",
    "GoogleRecogniser",
    "RecognitionFailed",
    "VoskRecogniser",
    "WhisperRecogniser",
    "make_recogniser",
    "privacy_warning",
]

DEFAULT_ENGINE = "pocketsphinx"
ENGINE_NAMES = ("pocketsphinx", "vosk", "whisper", "google")  # the order shown in messages
ONLINE_ENGINES = frozenset({"google"})
_PROVIDER = {"google": "Google"}  # who receives the audio of an online engine

# What a live session shows and says before an online engine hears anything.
PRIVACY_WARNING = (
    "Using google: what you say is sent to Google over the internet to be recognised. "
    "Say stop or press q to end."
)


class RecognitionFailed(CompanionError):
    """One utterance could not be decided because the engine failed (an online engine could
    not be reached, say). The engine itself still works for the next one."""


def privacy_warning(recogniser: Recogniser, *, files: bool = False) -> str | None:
    """The warning to show (and say) before an online recogniser hears anything; None for an
    offline one. `files`: the wording for `companion recognize`, which sends files."""
    if recogniser.offline:
        return None
    name = recogniser.name
    who = _PROVIDER.get(name, "the engine's provider")
    if files:
        return (
            f"Using {name}: the audio of each file is sent to {who} over the internet "
            "to be recognised."
        )
    if name == "google":
        return PRIVACY_WARNING
    return (
        f"Using {name}: what you say is sent to {who} over the internet to be recognised. "
        "Say stop or press q to end."
    )


def make_recogniser(
    name: str = DEFAULT_ENGINE,
    *,
    vosk_model: Path | str | None = None,
    whisper_model: str = "base.en",
) -> Recogniser:
    """Build the recogniser called `name` (one per process: models take time and memory).

    An unknown name is a usage error that lists the names; an engine whose package or model
    is missing is a CompanionError saying what to install or set (exit code 5)."""
    key = name.strip().lower()
    builders: dict[str, Callable[[], Recogniser]] = {
        "pocketsphinx": _sphinx,
        "vosk": lambda: VoskRecogniser(vosk_model),
        "whisper": lambda: WhisperRecogniser(whisper_model),
        "google": GoogleRecogniser,
    }
    if key not in builders:
        raise CompanionError(
            f"unknown engine {name!r}; engines: {', '.join(ENGINE_NAMES)}", ExitCode.USAGE
        )
    return builders[key]()


def _sphinx() -> Recogniser:
    try:
        from companion.listen.sphinx import SphinxRecogniser

        return SphinxRecogniser()
    except ImportError as e:
        raise CompanionError(
            f"the pocketsphinx engine cannot be loaded ({e}); reinstall companion",
            ExitCode.NO_DEVICE,
        ) from None


def _decided(text: str, confidence: float | None, started: float, expect: Expect) -> Recognition:
    """Free speech from an engine, as a Recognition. Nothing heard is silence; a lone letter
    ("Q.") is words that mean nothing here, never a key press."""
    ms = (time.perf_counter() - started) * 1000
    text = " ".join(text.split())
    if not normalise(text):
        return Recognition(Heard(Miss.SILENCE), "", None, ms)
    if len(normalise(text)) <= 1:
        return Recognition(Heard(Miss.UNCLEAR, text), text, confidence, ms)
    return Recognition(interpret(text, expect), text, confidence, ms)


class VoskRecogniser:
    name = "vosk"
    offline = True

    def __init__(self, model_path: Path | str | None) -> None:
        try:
            import vosk
        except ImportError:
            raise CompanionError(
                "the vosk engine needs the vosk package (pip install vosk) and a model "
                "(https://alphacephei.com/vosk/models): set COMPANION_VOSK_MODEL to its folder",
                ExitCode.NO_DEVICE,
            ) from None
        if model_path is None or not str(model_path).strip():
            raise CompanionError(
                "the vosk engine needs a model: download one from "
                "https://alphacephei.com/vosk/models, unpack it, and set COMPANION_VOSK_MODEL "
                "(or vosk_model in the config file) to its folder",
                ExitCode.NO_DEVICE,
            )
        folder = Path(model_path).expanduser()
        if not folder.is_dir():
            raise CompanionError(f"no vosk model folder at {folder}", ExitCode.NO_DEVICE)
        self._vosk: Any = vosk
        try:
            vosk.SetLogLevel(-1)
            self._model = vosk.Model(str(folder))
        except Exception as e:  # vosk raises a bare Exception for a folder it cannot load
            raise CompanionError(
                f"the vosk model in {folder} cannot be loaded ({e})", ExitCode.NO_DEVICE
            ) from None

    def recognise(self, pcm: bytes, expect: Expect) -> Recognition:
        started = time.perf_counter()
        recognizer = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(pcm)
        result = json.loads(recognizer.FinalResult())
        words = [w for w in result.get("result", []) if isinstance(w, dict) and "conf" in w]
        confidence = sum(float(w["conf"]) for w in words) / len(words) if words else None
        return _decided(str(result.get("text", "")), confidence, started, expect)


class WhisperRecogniser:
    name = "whisper"
    offline = True

    def __init__(self, model: str = "base.en") -> None:
        try:
            import numpy
            import whisper
        except ImportError:
            raise CompanionError(
                "the whisper engine needs the openai-whisper package (pip install "
                "openai-whisper); it runs offline once its model has been downloaded",
                ExitCode.NO_DEVICE,
            ) from None
        self._numpy: Any = numpy
        try:
            self._model = whisper.load_model(model)
        except Exception as e:  # an unknown model name, or no network for the first download
            raise CompanionError(
                f"the whisper model {model!r} cannot be loaded ({e})", ExitCode.NO_DEVICE
            ) from None

    def recognise(self, pcm: bytes, expect: Expect) -> Recognition:
        started = time.perf_counter()
        np = self._numpy
        audio = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        result = self._model.transcribe(audio, language="en", fp16=False)
        return _decided(str(result.get("text", "")), None, started, expect)


class GoogleRecogniser:
    """ONLINE: every utterance is sent to Google. Build it only when asked for by name."""

    name = "google"
    offline = False

    def __init__(self, language: str = "en-US") -> None:
        self._sr: Any = speech_recognition()
        self._recognizer = self._sr.Recognizer()
        self._language = language

    def recognise(self, pcm: bytes, expect: Expect) -> Recognition:
        sr = self._sr
        started = time.perf_counter()
        audio = sr.AudioData(pcm, SAMPLE_RATE, SAMPLE_WIDTH)
        try:
            response = self._recognizer.recognize_google(
                audio, language=self._language, show_all=True
            )
        except sr.UnknownValueError:  # nothing it could put into words
            response = None
        except sr.RequestError as e:
            raise RecognitionFailed(f"google: the recognition request failed ({e})") from None
        text, confidence = _best_google(response)
        return _decided(text, confidence, started, expect)


def _best_google(response: object) -> tuple[str, float | None]:
    """The best transcript in a `show_all` response, and its confidence if Google gave one
    (it gives one for the top alternative only, and not always)."""
    if not isinstance(response, dict):
        return "", None  # older SpeechRecognition returns [] for nothing heard
    alternatives = [a for a in response.get("alternative", []) if isinstance(a, dict)]
    if not alternatives:
        return "", None
    rated = [a for a in alternatives if isinstance(a.get("confidence"), int | float)]
    best = max(rated, key=lambda a: float(a["confidence"])) if rated else alternatives[0]
    confidence = best.get("confidence")
    return (
        str(best.get("transcript", "")),
        float(confidence) if isinstance(confidence, int | float) else None,
    )
