"""The command line: click commands that read options, build the pieces and hand over.

Kept thin and quick to import: everything beyond click is imported inside the commands, so
`companion --help` pays for nothing else. The command docstrings are the help text.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from companion import __version__

if TYPE_CHECKING:
    from companion.app import Environment
    from companion.content.model import Content
    from companion.dialogue.steps import Step
    from companion.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def _parsed(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback that checks a value with the same parser the config file uses.

    It returns the value as typed: "off" must not turn into None, which means "not given"."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        from companion.settings import PARSERS

        try:
            PARSERS[name][0](value)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
        return value  # checked here for click's usage message; parsed in load_settings

    return callback


def session_options(f: F) -> F:
    """The options every session shares."""
    options = [
        click.option(
            "--input",
            "input",
            type=click.Choice(["auto", "voice", "keys"]),
            default=None,
            help="How you answer: by voice, by keys, or auto (keys, for now).",
        ),
        click.option(
            "--text-only",
            is_flag=True,
            default=None,
            help="Show every line as text and do not speak.",
        ),
        click.option(
            "--timeout",
            metavar="SECONDS|off",
            callback=_parsed("timeout"),
            help="How long to wait for an answer (default 10 seconds). "
            "Up to 3600, or off to wait as long as you need.",
        ),
        click.option(
            "--screen-reader",
            is_flag=True,
            default=None,
            help="Plain lines only: no styling, nothing animated.",
        ),
        click.option(
            "--content",
            metavar="FILE.toml",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Run your own file instead (same schema as the built-in one; see the README).",
        ),
        click.option(
            "--export",
            metavar="FILE.wav",
            type=click.Path(dir_okay=False, writable=True, path_type=Path),
            help="Write the whole session's audio to a WAV file instead of playing it.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return voice_options(f)


def voice_options(f: F) -> F:
    """The voice settings: on every session, and on the commands that speak but are not
    sessions (say, cache warm)."""
    for name, meta, text in (
        ("pitch", "0-100", "Voice pitch, 0 to 100 (default 50)."),
        ("volume", "0.1-1.0", "Speech volume, 0.1 to 1.0 (default 1.0)."),
        ("voice", "NAME", "The speech engine's voice to use (see: companion voices)."),
        ("rate", "WPM", "Speech rate, 80 to 450 words per minute (default 160)."),
    ):
        f = click.option(f"--{name}", metavar=meta, callback=_parsed(name), help=text)(f)
    return f


def _answers(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """--answers yes,no,sometimes: each must be a yes, no or not-sure answer."""
    if value is None:
        return None
    from companion.dialogue.protocols import YES_NO, Answer
    from companion.dialogue.understand import interpret

    answers = []
    for word in value.split(","):
        meaning = interpret(word.strip(), YES_NO).value
        if not isinstance(meaning, Answer):
            raise click.BadParameter(f"{word.strip()!r} is not yes, no or not sure")
        answers.append(meaning)
    return tuple(answers)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(
    __version__, "--version", prog_name="companion", message="%(prog)s %(version)s"
)
def cli() -> None:
    """An offline, hands-free companion for reflection, breathing breaks and the practice of
    receiving.

    Every line is spoken and also printed. Answer by voice or by keys: yes, no, or not sure.
    At any question you can say or press: repeat (r), skip (s), back (b), pause (p), help (h),
    stop (q), slower (-), faster (+), louder (up arrow), softer (down arrow).

    This is a reflection aid, not a diagnosis. Start with: companion reflect
    """


def _env(ctx: click.Context) -> Environment:
    from companion import app

    return ctx.obj if isinstance(ctx.obj, app.Environment) else app.Environment()


def _run(
    ctx: click.Context,
    options: dict[str, Any],
    own_kind: str,
    build: Callable[[Environment, Content, Settings], list[Step]],
) -> None:
    from companion import app

    ctx.exit(app.run_command(_env(ctx), options, own_kind, build))


@cli.command()
@click.argument("sets", nargs=-1, metavar="[SET]...")
@session_options
@click.option(
    "--answers",
    metavar="yes,no,...",
    callback=_answers,
    help="Answers for the questions, in order (for --export, or a scripted run).",
)
@click.pass_context
def reflect(ctx: click.Context, /, sets: tuple[str, ...], **options: Any) -> None:
    """Reflect on how you handle help: questions you answer yes, no or not sure, then a short
    summary with one small next step.

    With no SET, the five-question self-check. Other sets: signs, relationships, balance,
    seek-help; several run one after another with one summary. --content FILE.toml runs your
    own questions (after any SETs named).
    """
    own = options.get("content")
    if options.get("export") and not options.get("answers"):
        raise click.UsageError("--export needs --answers for the questions, e.g. yes,no,yes")
    if options.get("answers") and not options.get("export"):
        raise click.UsageError("--answers goes with --export")

    def build(env: Environment, content: Content, settings: Settings) -> list[Step]:
        from companion import sessions
        from companion.app import helpline_for

        chosen = list(sets) or ([] if own else ["self-check"])
        for set_id in chosen:
            if set_id not in content.checks:
                known = ", ".join(content.checks)
                raise click.BadParameter(
                    f"{set_id!r} is not a set; choose from: {known}", param_hint="SET"
                )
        if own:
            chosen.append(Path(own).stem)
        return sessions.reflect(content, chosen, helpline_for(content, settings, env.environ_))

    _run(ctx, options, "check", build)


@cli.command()
@click.argument("pattern", required=False)
@click.option("--minutes", type=click.FloatRange(0.1, 60), help="About how long (default 2).")
@click.option("--cycles", type=click.IntRange(1, 1000), help="How many breaths, instead.")
@click.option(
    "--cues",
    type=click.Choice(["voice", "tone", "both", "count"]),
    default="voice",
    show_default=True,
    help="Spoken cues, soft tones, both, or the phase word then each second counted.",
)
@click.option(
    "--pattern",
    "custom",
    metavar="IN-HOLD-OUT-HOLD",
    help="Your own pattern in seconds, e.g. 4-2-6-0.",
)
@click.option("--bpm", type=float, help="Breaths a minute, e.g. 6 (with --ratio).")
@click.option("--ratio", metavar="IN:OUT", help="With --bpm: in to out, e.g. 1:2 (default 1:1).")
@session_options
@click.pass_context
def breathe(
    ctx: click.Context,
    /,
    pattern: str | None,
    minutes: float | None,
    cycles: int | None,
    cues: str,
    custom: str | None,
    bpm: float | None,
    ratio: str | None,
    **options: Any,
) -> None:
    """A guided breathing break: about two minutes of breathing out a little longer than in.

    PATTERN: longer-exhale (the default), box, 4-7-8, resonance or cyclic-sigh. Or your own
    with --pattern 4-2-6-0 (in, hold, out, hold seconds) or --bpm 6 --ratio 1:2. Say or press
    slower (-) and faster (+) to change the pace from the next breath.
    """
    from companion.breathing.schedule import PatternError, parse_pattern, pattern_from_rate

    if sum(x is not None for x in (pattern, custom, bpm)) > 1:
        raise click.UsageError("choose one of PATTERN, --pattern and --bpm")
    if minutes is not None and cycles is not None:
        raise click.UsageError("choose --minutes or --cycles, not both")
    if ratio is not None and bpm is None:
        raise click.UsageError("--ratio goes with --bpm")
    try:
        chosen = (
            parse_pattern(custom)
            if custom is not None
            else pattern_from_rate(bpm, ratio or "1:1")
            if bpm is not None
            else pattern
        )
    except PatternError as e:
        raise click.BadParameter(str(e), param_hint="--pattern" if custom else "--bpm") from None
    exporting = options.get("export") is not None

    def build(env: Environment, content: Content, settings: Settings) -> list[Step]:
        from companion import sessions
        from companion.app import cue_measure

        try:
            return sessions.breathe(
                content,
                chosen,
                cycles=cycles,
                minutes=minutes,
                mode=cues,  # type: ignore[arg-type]
                measure=cue_measure(settings, exporting),
            )
        except KeyError as e:
            raise click.BadParameter(str(e.args[0]), param_hint="PATTERN") from None

    _run(ctx, options, "breathing", build)


@cli.command()
@session_options
@click.pass_context
def ground(ctx: click.Context, /, **options: Any) -> None:
    """A short grounding practice: noticing your feet, your breath, sounds and touch, with quiet
    time after each. With --timeout off the quiet lasts until you say next or press Enter."""

    def build(env: Environment, content: Content, settings: Settings) -> list[Step]:
        from companion import sessions

        return sessions.ground(content, timed=settings.timeout is not None)

    _run(ctx, options, "grounding", build)


@cli.command()
@session_options
@click.pass_context
def receive(ctx: click.Context, /, **options: Any) -> None:
    """The practice of receiving: everyday moments of being helped, and saying thank you
    instead of sorry."""

    def build(env: Environment, content: Content, settings: Settings) -> list[Step]:
        from companion import sessions

        return sessions.receive(content)

    _run(ctx, options, "receive", build)


@cli.command()
@session_options
@click.pass_context
def journal(ctx: click.Context, /, **options: Any) -> None:
    """Journal prompts, each followed by quiet time to write or think. With --timeout off the
    quiet time lasts until you say next or press Enter."""

    def build(env: Environment, content: Content, settings: Settings) -> list[Step]:
        from companion import sessions

        return sessions.journal(content, timed=settings.timeout is not None)

    _run(ctx, options, "journal", build)


@cli.command()
@click.argument("text")
@voice_options
@click.pass_context
def say(ctx: click.Context, /, text: str, **options: Any) -> None:
    """Speak one line of TEXT (and print it), or say why speech cannot work here."""
    from companion import manage

    ctx.exit(manage.say(_env(ctx), options, text))


@cli.command()
@click.option("--screen-reader", is_flag=True, default=None, help="No column padding.")
@click.pass_context
def voices(ctx: click.Context, /, screen_reader: bool | None) -> None:
    """List the installed voices with their languages (use one with --voice)."""
    from companion import manage

    ctx.exit(manage.voices(_env(ctx), {"screen_reader": screen_reader}))


@cli.command("mic-check")
@click.option(
    "--timeout",
    metavar="SECONDS|off",
    callback=_parsed("timeout"),
    help="How long to wait for you to start speaking (default 10 seconds).",
)
@click.option("--text-only", is_flag=True, default=None, help="Print the prompt, do not say it.")
@click.option(
    "--engine",
    metavar="NAME",
    callback=_parsed("engine"),
    help="The recogniser to check (default pocketsphinx, offline).",
)
@click.pass_context
def mic_check(ctx: click.Context, /, **options: Any) -> None:
    """Check the microphone: say yes or no once, and see what was heard (the answer, the
    words, the confidence, how long decoding took), with the input device and recogniser.
    """
    from companion.listen.mic_check import mic_check

    ctx.exit(mic_check(_env(ctx), options))


def _expect(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """--expect yes-no | next | phrase:WORDS"""
    if value is None:
        return None
    from companion.listen.files import parse_expect

    try:
        return parse_expect(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, per file.")
@click.option(
    "--engine",
    metavar="NAME",
    callback=_parsed("engine"),
    help="pocketsphinx (default, offline), vosk or whisper (offline, if installed), "
    "or google (online: the audio is sent to Google).",
)
@click.option(
    "--expect",
    metavar="KIND",
    callback=_expect,
    help="What the step listens for: yes-no (default), next, or phrase:WORDS "
    "(e.g. --expect 'phrase:thank you').",
)
@click.pass_context
def recognize(
    ctx: click.Context,
    /,
    files: tuple[str, ...],
    as_json: bool,
    engine: str | None,
    expect: Any,
) -> None:
    """Decide the answer spoken in each audio FILE (WAV, AIFF or FLAC, any rate), one line
    per file as it goes: yes, no, unsure, unclear, silence, or a command such as stop.

    A file that cannot be read gets an error line and the rest go on; the exit code is 1 if
    any file failed. Offline unless you name an online --engine.
    """
    from companion.dialogue.protocols import YES_NO
    from companion.listen.files import recognize_files

    ctx.exit(
        recognize_files(_env(ctx), files, as_json=as_json, engine=engine, expect=expect or YES_NO)
    )


@cli.group()
def config() -> None:
    """Show or change the saved settings (rate, volume, voice, timeout, ...)."""


@config.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Show every setting, its value and where it comes from."""
    from companion import manage

    ctx.exit(manage.config_show(_env(ctx)))


@config.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_context
def config_set(ctx: click.Context, /, key: str, value: str) -> None:
    """Save a setting, for example: companion config set rate 140"""
    from companion import manage

    ctx.exit(manage.config_set(_env(ctx), key, value))


@config.command("reset")
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@click.pass_context
def config_reset(ctx: click.Context, /, keys: tuple[str, ...]) -> None:
    """Forget the named settings, or all of them."""
    from companion import manage

    ctx.exit(manage.config_reset(_env(ctx), keys))


@cli.group()
def cache() -> None:
    """The audio cache: lines rendered once and kept, so speech starts at once."""


@cache.command("warm")
@click.argument("sessions", nargs=-1, metavar="[SESSION]...")
@voice_options
@click.option("--screen-reader", is_flag=True, default=None, help="Plain progress lines.")
@click.pass_context
def cache_warm(ctx: click.Context, /, sessions: tuple[str, ...], **options: Any) -> None:
    """Render every line of the SESSIONs (all, if none) for the current voice settings.

    Sessions: self-check, signs, relationships, balance, seek-help, breathe-PATTERN, receive,
    journal.
    """
    from companion import manage

    ctx.exit(manage.cache_warm(_env(ctx), options, sessions))


@cache.command("info")
@click.pass_context
def cache_info(ctx: click.Context) -> None:
    """How many files the cache holds, and their size."""
    from companion import manage

    ctx.exit(manage.cache_info(_env(ctx)))


@cache.command("clear")
@click.pass_context
def cache_clear(ctx: click.Context) -> None:
    """Remove every cached file."""
    from companion import manage

    ctx.exit(manage.cache_clear(_env(ctx)))


@cli.command("list")
@click.option(
    "--rate", metavar="WPM", callback=_parsed("rate"), help="Estimate lengths at this speech rate."
)
@click.option("--screen-reader", is_flag=True, default=None, help="No column padding.")
@click.pass_context
def list_(ctx: click.Context, rate: int | None, screen_reader: bool | None) -> None:
    """List the sessions, one line each, with about how long each takes."""
    from companion import app

    ctx.exit(app.list_sessions(_env(ctx), {"rate": rate, "screen_reader": screen_reader}))


def main() -> None:
    """The console script. Makes sure a closed or full standard output ends quietly."""
    try:
        cli.main(prog_name="companion")
    finally:
        try:
            sys.stdout.flush()
        except OSError:
            # Nothing more can be shown; keep Python from complaining at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
