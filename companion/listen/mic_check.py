"""`companion mic-check`: listen once and show what was heard, and with what.

Opens the default microphone the way a voice session does (no microphone: one line, exit 5),
says "Say yes or no." (printed, and spoken unless text only), listens once for up to the
timeout and prints one "name: value" line each for the device, the room's level, the
recogniser, and the decision.
"""

from __future__ import annotations

from collections.abc import Mapping

from companion.app import Environment, default_speaker, friendly_errors, voice_listener
from companion.dialogue.protocols import YES_NO, Line
from companion.errors import ExitCode
from companion.listen.microphone import dbfs
from companion.listen.recognise import Recognition
from companion.settings import load_settings

PROMPT = "Say yes or no."


def mic_check(env: Environment, options: Mapping[str, object]) -> int:
    with friendly_errors(env):
        settings = load_settings(env.environ_, {**options, "input": "voice"})
        out = env.stdout_
        with voice_listener(env, settings) as listener:
            recogniser = listener.recogniser
            where = "offline" if recogniser.offline else "ONLINE: the audio leaves this machine"
            out.write(f"input device: {listener.device_name}\n")
            out.write(
                f"room level: {_db(listener.noise)} (speech counts above "
                f"{_db(listener.threshold)})\n"
            )
            out.write(f"recogniser: {recogniser.name} ({where})\n")
            out.flush()
            speaker = default_speaker(env, settings, listener)
            if listener.notice:
                speaker.say(Line(listener.notice), settings.as_voice())
            speaker.say(Line(PROMPT, "ask"), settings.as_voice())
            heard = listener.hear(YES_NO, settings.timeout)
            seconds = listener.last_phrase_seconds
        for line in result_lines(heard, settings.timeout, seconds):
            out.write(line + "\n")
        out.flush()
        return ExitCode.OK


def result_lines(heard: Recognition, timeout: float | None, seconds: float) -> list[str]:
    """What was decided, the words, the confidence, the decode time and the phrase length."""
    if heard.label == "silence" and not seconds:
        waited = f"within {timeout:g} s" if timeout is not None else "yet"
        return [f"heard: silence (no speech {waited})"]
    confidence = "none given" if heard.confidence is None else f"{heard.confidence:.2f}"
    return [
        f"heard: {heard.label}",
        f'text: "{heard.text}"' if heard.text else "text: (no words)",
        f"confidence: {confidence}",
        f"decode: {heard.ms:.0f} ms",
        f"phrase: {seconds:.2f} s of audio",
    ]


def _db(level: float) -> str:
    value = dbfs(level)
    return "silent (digital zero)" if value == float("-inf") else f"{value:.0f} dBFS"
