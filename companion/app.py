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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from typing import TextIO

from companion.content.model import Content
from companion.dialogue.protocols import Clock, Listener, Speaker, Voice
from companion.dialogue.session import Outcome, Session
from companion.dialogue.steps import Step
from companion.errors import CompanionError, ExitCode
from companion.settings import Settings

GOODBYE = "Stopped. Take good care."


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


ListenerFactory = Callable[["Environment", Settings], Listener]
SpeakerFactory = Callable[["Environment", Settings], Speaker]


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
    if settings.input == "voice":
        raise CompanionError(
            "voice input is not available in this version yet; use --input keys",
            ExitCode.NO_DEVICE,
        )
    from companion.listen.keyboard import keyboard_listener

    return keyboard_listener(env.stdin_)


def default_speaker(env: Environment, settings: Settings) -> Speaker:
    from companion.voice.text import TextSpeaker

    if not settings.text_only:
        env.notice("speech output is not available in this version yet; showing text only")
    styled = env.stdout_isatty() and not settings.screen_reader and not settings.no_color
    return TextSpeaker(env.stdout_, styled=styled)


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


def run_session(
    env: Environment, settings: Settings, content: Content, steps: Sequence[Step]
) -> int:
    """Run one session to its end and return the exit code."""
    listener = (env.make_listener or default_listener)(env, settings)
    speaker = (env.make_speaker or default_speaker)(env, settings)
    session = Session(
        steps,
        speaker=speaker,
        listener=listener,
        clock=env.clock,
        phrases=content.phrases,
        voice=Voice(rate=settings.rate, volume=settings.volume, name=settings.voice),
        timeout=settings.timeout,
        max_reprompts=settings.max_reprompts,
    )
    holder: AbstractContextManager[object] = (
        listener if isinstance(listener, AbstractContextManager) else nullcontext()
    )
    with holder:
        result = session.run()
    if result.outcome is Outcome.ENDED:
        env.notice("input ended before the session finished")
        return ExitCode.INPUT_ENDED
    return ExitCode.OK


@contextmanager
def friendly_errors(env: Environment) -> Iterator[None]:
    """Turn every expected failure into one plain line and an exit code (raised as SystemExit).

    Ctrl-C: a one-line goodbye and 130. A full disk or a closed output: one line, exit 1.
    """
    try:
        yield
    except KeyboardInterrupt:
        try:
            # On a terminal, "\r" writes over a "^C" the terminal may have echoed.
            env.stdout_.write(f"\r{GOODBYE}\n" if env.stdout_isatty() else f"{GOODBYE}\n")
            env.stdout_.flush()
        except OSError:
            pass
        raise SystemExit(ExitCode.INTERRUPTED) from None
    except CompanionError as e:
        env.notice(e.message)
        raise SystemExit(e.exit_code) from None
    except BrokenPipeError:
        raise SystemExit(ExitCode.ERROR) from None
    except OSError as e:
        target = f" {e.filename}" if e.filename else ""
        if e.errno == errno.ENOSPC:
            message = f"could not write{target}: the disk is full"
        else:
            message = f"could not read or write{target}: {e.strerror or e}"
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
        from pathlib import Path

        from companion.content.loader import load_content
        from companion.settings import load_settings

        options = dict(options)
        own = options.pop("content", None)
        settings = load_settings(env.environ_, options)
        content = load_content(
            {own_kind: Path(str(own))} if own else None, helplines=settings.helplines
        )
        steps = build(env, content, settings)
        return run_session(env, settings, content, steps)
    raise AssertionError("unreachable")  # friendly_errors either returns or raises


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
    raise AssertionError("unreachable")
