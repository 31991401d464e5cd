"""`companion recognize`: decide the answer spoken in audio files, one line per file.

One recogniser is built once, then each file is read (any rate or channels, to 16 kHz mono)
and decided as the step `expect` would decide it. Each line is flushed as soon as it is
written, so a benchmark reading the pipe sees every file as it is done. A file that cannot be
read gets its own error line and the rest go on; the exit code is 1 if any file failed.

JSON lines (`--json`), one object per file:
    {"file": "yes-1.wav", "answer": "yes", "text": "yes", "confidence": null, "ms": 41.3}
    {"file": "gone.wav", "error": "no such file"}
"answer" is yes, no, unsure, unclear, silence, a command word (stop, repeat, ...), or for
other steps phrase or next. "ms" is decoding time only, not reading the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from companion.app import Environment, friendly_errors
from companion.dialogue.protocols import YES_NO, Expect
from companion.errors import ExitCode
from companion.listen.recognise import AudioFileError, Recogniser, Recognition, read_audio_file

__all__ = [
    "error_json_line",
    "error_plain_line",
    "json_line",
    "parse_expect",
    "plain_line",
    "recognize_files",
]


def parse_expect(value: str) -> Expect:
    """What to listen for: yes-no (the default), next, or phrase:WORDS (e.g. phrase:thank you).

    Raises ValueError with a plain reason."""
    text = value.strip()
    kind, colon, words = text.partition(":")
    kind = kind.strip().lower().replace("_", "-")
    if kind in ("yes-no", "yesno") and not colon:
        return YES_NO
    if kind == "next" and not colon:
        return Expect("next")
    if kind == "phrase":
        phrase = " ".join(words.split())
        if not phrase:
            raise ValueError("phrase needs its words, e.g. phrase:'thank you'")
        return Expect("phrase", phrase=phrase)
    raise ValueError(f"must be yes-no, next or phrase:WORDS, not {value!r}")


def json_line(file: str, recognition: Recognition) -> str:
    """One file's decision as one JSON object, keys always in this order."""
    confidence = recognition.confidence
    return json.dumps(
        {
            "file": file,
            "answer": recognition.label,
            "text": recognition.text,
            "confidence": None if confidence is None else round(confidence, 3),
            "ms": round(recognition.ms, 1),
        },
        ensure_ascii=False,
    )


def error_json_line(file: str, reason: str) -> str:
    return json.dumps({"file": file, "error": reason}, ensure_ascii=False)


def plain_line(file: str, recognition: Recognition) -> str:
    """yes-1.wav: yes ("yes", confidence 0.93, 12 ms); "no words" when none were made out."""
    parts = [json.dumps(recognition.text, ensure_ascii=False) if recognition.text else "no words"]
    if recognition.confidence is not None:
        parts.append(f"confidence {recognition.confidence:.2f}")
    parts.append(f"{recognition.ms:.0f} ms")
    return f"{file}: {recognition.label} ({', '.join(parts)})"


def error_plain_line(file: str, reason: str) -> str:
    return f"{file}: error: {reason}"


class _FileFailed(Exception):
    """One file could not be decided: the message says why, and the next file goes on."""


def _decide(recogniser: Recogniser, file: str, expect: Expect) -> Recognition:
    from companion.listen.engines import RecognitionFailed

    try:
        pcm = read_audio_file(file)
    except AudioFileError as e:
        raise _FileFailed(str(e)) from None
    if not pcm:
        raise _FileFailed("has no audio in it (0 samples)")
    try:
        return recogniser.recognise(pcm, expect)
    except RecognitionFailed as e:
        raise _FileFailed(e.message) from None
    except Exception as e:  # a fault in an engine: said for this file, and the next goes on
        raise _FileFailed(
            f"the {recogniser.name} recogniser failed ({type(e).__name__}: {e})"
        ) from None


def recognize_files(
    env: Environment,
    files: Sequence[str],
    *,
    as_json: bool = False,
    engine: str | None = None,
    expect: Expect = YES_NO,
) -> int:
    """Decide each file with one recogniser; return the exit code (1 if any file failed)."""
    with friendly_errors(env):
        from companion.listen.engines import make_recogniser, privacy_warning
        from companion.settings import load_settings

        settings = load_settings(env.environ_, {"engine": engine})
        recogniser = make_recogniser(settings.engine, vosk_model=settings.vosk_model)
        warning = privacy_warning(recogniser, files=True)
        if warning:
            env.notice(warning)  # before any audio is sent
        out = env.stdout_
        failed = False
        for file in files:
            try:
                recognition = _decide(recogniser, file, expect)
            except _FileFailed as e:
                failed = True
                reason = str(e)
                line = error_json_line(file, reason) if as_json else error_plain_line(file, reason)
            else:
                line = json_line(file, recognition) if as_json else plain_line(file, recognition)
            out.write(line + "\n")
            out.flush()
        return ExitCode.ERROR if failed else ExitCode.OK
