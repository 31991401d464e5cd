"""Glue between the command line and the dialogue: build the pieces, run, report.

All I/O is reached through an `Environment` (streams, terminal facts, environment variables, the
clock, and factories for the listener and speaker), in the manner of httpie's. The command line
makes one from the real process; tests pass their own with scripted fakes.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from companion.content.model import Content
from companion.dialogue.protocols import Answer, Clock, Line, Listener, Speaker, Voice
from companion.dialogue.session import Outcome, Session
from companion.dialogue.steps import Step
from companion.errors import CompanionError, ExitCode
from companion.settings import DEFAULT_TIMEOUT, Settings

if TYPE_CHECKING:
    from companion.listen.microphone import VoiceListener
    from companion.voice.cache import AudioCache

GOODBYE = "Stopped. Take good care."


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


ListenerFactory = Callable[["Environment", Settings], Listener]
SpeakerFactory = Callable[["Environment", Settings, Listener], Speaker]


@dataclass
class Environment:
    """Everything the program touches outside itself. None means "the process's own"."""

    stdin: TextIO | None = None
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    environ: Mapping[str, str] | None = None
    clock: Clock = field(default_factory=SystemClock)
    make_listener: ListenerFactory | None = None
    make_speaker: SpeakerFactory | None = None

    @property
    def stdin_(self) -> TextIO:
        return self.stdin or sys.stdin

    @property
    def stdout_(self) -> TextIO:
        return self.stdout or sys.stdout

    @property
    def stderr_(self) -> TextIO:
        return self.stderr or sys.stderr

    @property
    def environ_(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def stdout_isatty(self) -> bool:
        try:
            return self.stdout_.isatty()
        except (AttributeError, ValueError):
            return False

    def notice(self, message: str) -> None:
        """A one-line message about the program itself (not part of the session) on stderr."""
        self.stderr_.write(f"companion: {message}\n")
        self.stderr_.flush()


def default_listener(env: Environment, settings: Settings) -> Listener:
    """Voice when asked for; otherwise keys (auto stays keys: the voice listener hears voice
    only, and keys must keep working for whoever starts the companion at a keyboard)."""
    if settings.input == "voice":
        return voice_listener(env, settings)
    from companion.listen.keyboard import keyboard_listener

    return keyboard_listener(env.stdin_)


def voice_listener(env: Environment, settings: Settings) -> VoiceListener:
    """The default microphone and the chosen recogniser. Built before the speaker, so that no
    microphone is one line (exit 5) before anything is said. An online recogniser's privacy
    warning becomes the listener's `notice`, shown and said before it hears anything."""
    from companion.listen.engines import make_recogniser, privacy_warning
    from companion.listen.microphone import VoiceListener

    listener = VoiceListener(
        lambda: make_recogniser(settings.engine, vosk_model=settings.vosk_model)
    )
    listener.notice = privacy_warning(listener.recogniser) or ""
    return listener


def text_speaker(env: Environment, settings: Settings) -> Speaker:
    from companion.voice.text import TextSpeaker

    styled = env.stdout_isatty() and not settings.screen_reader and not settings.no_color
    return TextSpeaker(env.stdout_, styled=styled)


def audio_cache(settings: Settings) -> AudioCache:
    """The cache over the offline engine; SpeechUnavailable if espeak-ng cannot be used."""
    from companion.voice.cache import AudioCache
    from companion.voice.engine import Pyttsx3Engine

    engine = Pyttsx3Engine()
    if settings.voice:
        engine.find_voice(settings.voice)  # an unknown voice is an error, not silently ignored
    return AudioCache(settings.paths.cache_dir, engine)


def cue_measure(settings: Settings, exporting: bool) -> Callable[[str], float] | None:
    """How long a breathing cue takes to say with this voice, for fitting cues to their
    phases; None where nothing is spoken. Measuring renders the cues into the cache, so they
    are ready before the first breath."""
    if settings.text_only and not exporting:
        return None
    from companion.voice.engine import SpeechUnavailable
    from companion.voice.speaker import trimmed

    try:
        cache = audio_cache(settings)
    except SpeechUnavailable:
        return None  # said once when the speaker is made
    voice = settings.as_voice()
    return lambda text: trimmed(cache.get(text, voice)).seconds


def default_speaker(env: Environment, settings: Settings, listener: Listener) -> Speaker:
    """Every line printed, and spoken too unless --text-only. Where speech cannot work here, one
    line says why and the session goes on as text."""
    text = text_speaker(env, settings)
    if settings.text_only:
        return text
    from companion.voice.engine import SpeechUnavailable
    from companion.voice.player import SoundDevicePlayer
    from companion.voice.speaker import TeeSpeaker, VoiceSpeaker

    try:
        cache = audio_cache(settings)
        player = SoundDevicePlayer()
        player.check()
    except SpeechUnavailable as e:
        env.notice(f"{e.message}; showing text instead")
        return text
    voice = VoiceSpeaker(
        cache, player, interrupted=getattr(listener, "pending", None), notice=env.notice
    )
    return TeeSpeaker(text, voice)


def helpline_for(content: Content, settings: Settings, environ: Mapping[str, str]) -> str:
    """The helpline text for the person's region: setting, else locale, else the default."""
    from companion.settings import region_from_locale

    table = content.helplines
    if settings.region:
        wanted = settings.region.lower()
        region = next((r for r in table.regions if r.lower() == wanted), None)
        if region is None:
            known = ", ".join(sorted(table.regions))
            raise CompanionError(
                f"unknown region {settings.region!r} for helplines; known regions: {known}",
                ExitCode.USAGE,
            )
        return table.regions[region].text
    from_locale = region_from_locale(environ)
    region = from_locale if from_locale in table.regions else table.default_region
    return table.regions[region].text


@dataclass(frozen=True)
class Export:
    """--export FILE.wav: the session's audio goes to a file, answers come from --answers."""

    path: Path
    answers: tuple[Answer, ...] = ()


def run_session(
    env: Environment,
    settings: Settings,
    content: Content,
    steps: Sequence[Step],
    export: Export | None = None,
) -> int:
    """Run one session to its end and return the exit code."""
    start_voice = settings.as_voice()
    timeout = settings.timeout
    timeline = None
    if export is None:
        clock: Clock = env.clock
        listener = (env.make_listener or default_listener)(env, settings)
        speaker = (env.make_speaker or default_speaker)(env, settings, listener)
        notice = getattr(listener, "notice", "")
        if notice:  # an online recogniser says where the audio goes, before it hears any
            speaker.say(Line(notice), start_voice)
    else:
        from companion.voice.export import ExportListener, ExportSpeaker, Timeline
        from companion.voice.speaker import TeeSpeaker

        timeline = clock = Timeline()
        listener = ExportListener(list(export.answers), timeline)
        speaker = TeeSpeaker(
            text_speaker(env, settings), ExportSpeaker(audio_cache(settings), timeline)
        )
        timeout = timeout or DEFAULT_TIMEOUT  # a track cannot wait for "next"
    session = Session(
        steps,
        speaker=speaker,
        listener=listener,
        clock=clock,
        phrases=content.phrases,
        voice=start_voice,
        timeout=timeout,
        max_reprompts=settings.max_reprompts,
    )
    holder: AbstractContextManager[object] = (
        listener if isinstance(listener, AbstractContextManager) else nullcontext()
    )
    with holder:
        result = session.run()
    if export is not None:
        assert timeline is not None
        audio = timeline.write(export.path)
        minutes, seconds = divmod(round(audio.seconds), 60)
        env.notice(f"wrote {export.path} ({minutes}:{seconds:02d} of audio)")
    remember_voice(env, settings, start_voice, result.voice)
    if result.outcome is Outcome.ENDED:
        env.notice("input ended before the session finished")
        return ExitCode.INPUT_ENDED
    return ExitCode.OK


def remember_voice(env: Environment, settings: Settings, before: Voice, after: Voice) -> None:
    """Slower, faster, louder and softer last: the new speed and volume go to the config file."""
    changes = {
        k: getattr(after, k) for k in ("rate", "volume") if getattr(after, k) != getattr(before, k)
    }
    if not changes:
        return
    from companion.settings import update_config

    try:
        update_config(settings.paths, changes)
    except (OSError, CompanionError) as e:
        env.notice(f"could not remember the new voice settings: {getattr(e, 'strerror', e)}")


class friendly_errors:  # a statement: `with friendly_errors(env):`
    """Turn every expected failure into one plain line and an exit code (raised as SystemExit).

    Ctrl-C: a one-line goodbye and 130. A full disk or a closed output: one line, exit 1.
    Anything else is a bug and keeps its traceback. Never swallows an exception (so type
    checkers know code after the block runs only when the block finished)."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        env = self.env
        if isinstance(exc, KeyboardInterrupt):
            with suppress(OSError):
                # On a terminal, "\r" writes over a "^C" the terminal may have echoed.
                env.stdout_.write(f"\r{GOODBYE}\n" if env.stdout_isatty() else f"{GOODBYE}\n")
                env.stdout_.flush()
            raise SystemExit(ExitCode.INTERRUPTED) from None
        if isinstance(exc, CompanionError):
            env.notice(exc.message)
            raise SystemExit(exc.exit_code) from None
        if isinstance(exc, BrokenPipeError):
            raise SystemExit(ExitCode.ERROR) from None
        if isinstance(exc, OSError):
            target = f" {exc.filename}" if exc.filename else ""
            if exc.errno == errno.ENOSPC:
                message = f"could not write{target}: the disk is full"
            else:
                message = f"could not read or write{target}: {exc.strerror or exc}"
            with suppress(OSError):
                env.notice(message)
            raise SystemExit(ExitCode.ERROR) from None


def run_command(
    env: Environment,
    options: Mapping[str, object],
    own_kind: str,
    build: Callable[[Environment, Content, Settings], Sequence[Step]],
) -> int:
    """Settings, content, steps, session: what every session command does."""
    with friendly_errors(env):
        from companion.content.loader import load_content
        from companion.settings import load_settings

        options = dict(options)
        own = options.pop("content", None)
        export_to = options.pop("export", None)
        answers: tuple[Answer, ...] = tuple(options.pop("answers", None) or ())  # type: ignore[arg-type]
        settings = load_settings(env.environ_, options)
        content = load_content(
            {own_kind: Path(str(own))} if own else None, helplines=settings.helplines
        )
        steps = build(env, content, settings)
        export = Export(Path(str(export_to)), answers) if export_to else None
        return run_session(env, settings, content, steps, export)


def list_sessions(env: Environment, options: Mapping[str, object]) -> int:
    with friendly_errors(env):
        from companion.content.loader import load_content
        from companion.sessions import catalogue
        from companion.settings import load_settings

        settings = load_settings(env.environ_, options)
        entries = catalogue(load_content(), settings.rate)
        width = 0 if settings.screen_reader else max(len(e.command) for e in entries) + 1
        out = env.stdout_
        for e in entries:
            out.write(e.line(width) + "\n")
        out.flush()
        return ExitCode.OK
