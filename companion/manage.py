"""The commands around sessions: say, voices, config and cache. Called by cli.py."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from companion.app import Environment, audio_cache, default_speaker, friendly_errors
from companion.dialogue.protocols import Expect, Heard, InputMode, Line, Miss
from companion.errors import CompanionError, ExitCode
from companion.settings import PARSERS, Settings, load_settings


def _settings(env: Environment, options: Mapping[str, object]) -> Settings:
    return load_settings(env.environ_, options)


def say(env: Environment, options: Mapping[str, object], text: str) -> int:
    with friendly_errors(env):
        settings = _settings(env, options)
        speaker = default_speaker(env, settings, _NoListener())
        speaker.say(Line(text.strip() or "Hello."), settings.as_voice())
        return ExitCode.OK


class _NoListener:
    """`say` listens for nothing; a key press cannot cut it short."""

    mode: InputMode = "keys"

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        return Heard(Miss.SILENCE)


def voices(env: Environment, options: Mapping[str, object]) -> int:
    with friendly_errors(env):
        from companion.voice.engine import Pyttsx3Engine

        settings = _settings(env, options)
        found = Pyttsx3Engine().voices()
        rows = [(v.id, v.name, ", ".join(v.languages)) for v in found]
        widths = [max(len(r[i]) for r in rows) + 2 for i in range(2)] if rows else [0, 0]
        for voice_id, name, languages in rows:
            if settings.screen_reader:
                env.stdout_.write(f"{voice_id}: {name}, {languages}\n")
            else:
                env.stdout_.write(
                    f"{voice_id.ljust(widths[0])}{name.ljust(widths[1])}{languages}\n"
                )
        env.stdout_.flush()
        return ExitCode.OK


# -- config -------------------------------------------------------------------------------------


def config_show(env: Environment) -> int:
    with friendly_errors(env):
        from companion.settings import read_config

        settings = _settings(env, {})
        in_file = read_config(settings.paths)
        env.stdout_.write(f"# {settings.paths.config_file}\n")
        for key, (_, variable) in PARSERS.items():
            value = getattr(settings, key)
            shown = _shown(key, value)
            source = (
                f"from {variable}"
                if variable in env.environ_
                else "from the config file"
                if key in in_file
                else "default"
            )
            env.stdout_.write(f"{key} = {shown}  ({source})\n")
        env.stdout_.flush()
        return ExitCode.OK


def _shown(key: str, value: object) -> str:
    """A setting as the config file writes it: off, true, 140, "text"."""
    from companion.settings import toml_value

    if value is None:
        return "off" if key == "timeout" else '""'
    return toml_value(value)


def config_set(env: Environment, key: str, value: str) -> int:
    with friendly_errors(env):
        from companion.settings import update_config

        name = key.replace("-", "_")
        if name not in PARSERS:
            raise CompanionError(
                f"unknown setting {key!r}; settings: {', '.join(PARSERS)}", ExitCode.USAGE
            )
        try:
            parsed = PARSERS[name][0](value)
        except ValueError as e:
            raise CompanionError(f"{name}: {e}", ExitCode.USAGE) from None
        settings = _settings(env, {})
        update_config(settings.paths, {name: parsed})
        env.stdout_.write(
            f"{name} = {_shown(name, parsed)}  (saved in {settings.paths.config_file})\n"
        )
        env.stdout_.flush()
        return ExitCode.OK


def config_reset(env: Environment, keys: Sequence[str]) -> int:
    with friendly_errors(env):
        from companion.settings import reset_config

        names = [k.replace("-", "_") for k in keys]
        unknown = [k for k in names if k not in PARSERS]
        if unknown:
            raise CompanionError(f"unknown setting {unknown[0]!r}", ExitCode.USAGE)
        reset_config(_settings(env, {}).paths, names)
        return ExitCode.OK


# -- cache --------------------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def cache_info(env: Environment) -> int:
    with friendly_errors(env):
        from companion.voice.cache import cache_info

        settings = _settings(env, {})
        files, size = cache_info(settings.paths.cache_dir)
        env.stdout_.write(f"{files} files, {_size(size)}, in {settings.paths.cache_dir}\n")
        env.stdout_.flush()
        return ExitCode.OK


def cache_clear(env: Environment) -> int:
    with friendly_errors(env):
        from companion.voice.cache import clear_cache

        settings = _settings(env, {})
        removed = clear_cache(settings.paths.cache_dir)
        env.stdout_.write(f"removed {removed} files from {settings.paths.cache_dir}\n")
        env.stdout_.flush()
        return ExitCode.OK


def cache_warm(env: Environment, options: Mapping[str, object], names: Sequence[str]) -> int:
    """Render every line of the named sessions (all, if none) for the current voice settings."""
    with friendly_errors(env):
        from companion.content.loader import load_content
        from companion.sessions import all_sessions, spoken_lines
        from companion.voice.cache import cache_info

        settings = _settings(env, options)
        content = load_content()
        sessions = all_sessions(content)
        unknown = [n for n in names if n not in sessions]
        if unknown:
            raise CompanionError(
                f"unknown session {unknown[0]!r}; choose from: {', '.join(sessions)}",
                ExitCode.USAGE,
            )
        lines: list[str] = []
        for name in names or list(sessions):
            lines += spoken_lines(content, sessions[name])
        lines = list(dict.fromkeys(lines))
        cache = audio_cache(settings)
        voice = settings.as_voice()
        bar = env.stdout_isatty() and not settings.screen_reader
        started = time.perf_counter()
        step = max(1, len(lines) // 10)
        for n, line in enumerate(lines, 1):
            cache.get(line, voice)
            if bar:
                filled = round(30 * n / len(lines))
                env.stdout_.write(f"\r[{'#' * filled}{'-' * (30 - filled)}] {n}/{len(lines)}")
                env.stdout_.flush()
            elif n % step == 0 or n == len(lines):
                env.stdout_.write(f"{n} of {len(lines)} lines ready\n")
                env.stdout_.flush()
        if bar:
            env.stdout_.write("\n")
        files, size = cache_info(cache.folder)
        took = time.perf_counter() - started
        env.stdout_.write(
            f"{len(lines)} lines: {cache.stats.renders} rendered, {cache.stats.hits} already "
            f"cached, in {took:.1f} s. The cache holds {files} files, {_size(size)}.\n"
        )
        env.stdout_.flush()
        return ExitCode.OK
