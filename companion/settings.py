"""The one place that decides user paths and settings.

Precedence, lowest first: built-in defaults, the config file (`config.toml` in the config
folder), environment variables (`COMPANION_*`), command-line options. Every value goes through
the same parser wherever it comes from, so `--rate 500`, `COMPANION_RATE=500` and `rate = 500`
are refused with the same words.

Paths (each overridable, so tests point them at temporary folders):
- config: COMPANION_CONFIG_DIR, else $XDG_CONFIG_HOME/companion, else ~/.config/companion
- data:   COMPANION_DATA_DIR,   else $XDG_DATA_HOME/companion,   else ~/.local/share/companion
- cache:  COMPANION_CACHE_DIR,  else `audio_cache/` in a source checkout,
          else $XDG_CACHE_HOME/companion, else ~/.cache/companion
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from companion.dialogue.protocols import (
    PITCH_DEFAULT,
    PITCH_MAX,
    PITCH_MIN,
    RATE_DEFAULT,
    RATE_MAX,
    RATE_MIN,
    VOLUME_MAX,
    VOLUME_MIN,
    Voice,
)
from companion.errors import CompanionError, ContentError, ExitCode

InputChoice = Literal["auto", "voice", "keys"]
DEFAULT_TIMEOUT = 10.0
TIMEOUT_MAX = 3600.0


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"


@dataclass(frozen=True)
class Settings:
    input: InputChoice = "auto"
    text_only: bool = False
    rate: int = RATE_DEFAULT
    volume: float = 1.0
    voice: str = ""
    pitch: int = PITCH_DEFAULT
    timeout: float | None = DEFAULT_TIMEOUT  # None: wait as long as it takes
    screen_reader: bool = False
    no_color: bool = False
    max_reprompts: int = 3
    region: str = ""  # "" picks from LANG, else the helplines' default
    helplines: Path | None = None  # a person's own helplines table
    engine: str = "pocketsphinx"  # the speech recogniser: see companion.listen.engines
    vosk_model: Path | None = None  # the vosk engine's model folder
    paths: Paths = field(default_factory=lambda: default_paths({}))

    def as_voice(self) -> Voice:
        """The voice these settings ask for."""
        return Voice(self.rate, self.volume, self.voice, self.pitch)


# -- parsers: one per setting, shared by options, environment and config file ---------------


def _whole_number(value: object, low: int, high: int, unit: str = "") -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(
            f"must be a whole number from {low} to {high}{unit}, not {value!r}"
        ) from None
    if not low <= number <= high:
        raise ValueError(f"must be from {low} to {high}{unit}, not {number}")
    return number


def parse_rate(value: object) -> int:
    return _whole_number(value, RATE_MIN, RATE_MAX, " words per minute")


def parse_volume(value: object) -> float:
    try:
        volume = float(str(value).strip())
    except ValueError:
        raise ValueError(f"must be a number from {VOLUME_MIN} to {VOLUME_MAX}") from None
    if not VOLUME_MIN <= volume <= VOLUME_MAX:
        raise ValueError(f"must be from {VOLUME_MIN} to {VOLUME_MAX}, not {volume:g}")
    return volume


def parse_pitch(value: object) -> int:
    return _whole_number(value, PITCH_MIN, PITCH_MAX)


def parse_timeout(value: object) -> float | None:
    """Seconds to wait for an answer, or "off" to wait as long as it takes (WCAG 2.2.1)."""
    text = str(value).strip().lower()
    if text in ("off", "none", "never"):
        return None
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"must be a number of seconds or 'off', not {value!r}") from None
    if not 1 <= seconds <= TIMEOUT_MAX:
        raise ValueError(f"must be from 1 to {TIMEOUT_MAX:g} seconds, or 'off', not {seconds:g}")
    return seconds


def parse_input(value: object) -> InputChoice:
    choices: dict[str, InputChoice] = {"auto": "auto", "voice": "voice", "keys": "keys"}
    try:
        return choices[str(value).strip().lower()]
    except KeyError:
        raise ValueError(f"must be auto, voice or keys, not {value!r}") from None


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"must be true or false, not {value!r}")


def parse_reprompts(value: object) -> int:
    return _whole_number(value, 1, 10)


def parse_text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {value!r}")
    return value.strip()


def parse_path(value: object) -> Path:
    return Path(parse_text(value)).expanduser()


def parse_engine(value: object) -> str:
    """A speech recogniser by name. Online ones are only ever used when named."""
    from companion.listen.engines import ENGINE_NAMES

    name = str(value).strip().lower()
    if name not in ENGINE_NAMES:
        raise ValueError(f"must be one of {', '.join(ENGINE_NAMES)}, not {value!r}")
    return name


# setting name -> (parser, environment variable). The config file uses the setting names.
PARSERS: dict[str, tuple[Callable[[object], Any], str]] = {
    "input": (parse_input, "COMPANION_INPUT"),
    "text_only": (parse_bool, "COMPANION_TEXT_ONLY"),
    "rate": (parse_rate, "COMPANION_RATE"),
    "volume": (parse_volume, "COMPANION_VOLUME"),
    "voice": (parse_text, "COMPANION_VOICE"),
    "pitch": (parse_pitch, "COMPANION_PITCH"),
    "timeout": (parse_timeout, "COMPANION_TIMEOUT"),
    "screen_reader": (parse_bool, "COMPANION_SCREEN_READER"),
    "max_reprompts": (parse_reprompts, "COMPANION_MAX_REPROMPTS"),
    "region": (parse_text, "COMPANION_REGION"),
    "helplines": (parse_path, "COMPANION_HELPLINES"),
    "engine": (parse_engine, "COMPANION_ENGINE"),
    "vosk_model": (parse_path, "COMPANION_VOSK_MODEL"),
}


def _home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HOME") or Path.home())


def _checkout_cache() -> Path | None:
    """`audio_cache/` beside the package when running from a source checkout."""
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "audio_cache").is_dir():
        return root / "audio_cache"
    return None


def default_paths(environ: Mapping[str, str]) -> Paths:
    home = _home(environ)

    def pick(own: str, xdg: str, fallback: str) -> Path:
        if environ.get(own):
            return Path(environ[own]).expanduser()
        base = Path(environ[xdg]) if environ.get(xdg) else home / fallback
        return base / "companion"

    cache = (
        Path(environ["COMPANION_CACHE_DIR"]).expanduser()
        if environ.get("COMPANION_CACHE_DIR")
        else _checkout_cache() or pick("", "XDG_CACHE_HOME", ".cache")
    )
    return Paths(
        config_dir=pick("COMPANION_CONFIG_DIR", "XDG_CONFIG_HOME", ".config"),
        data_dir=pick("COMPANION_DATA_DIR", "XDG_DATA_HOME", ".local/share"),
        cache_dir=cache,
    )


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise ContentError(str(path), "", f"cannot be read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise ContentError(str(path), "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ContentError(str(path), "", f"is not valid TOML: {e}") from None
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in PARSERS:
            close = difflib.get_close_matches(key, list(PARSERS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ContentError(str(path), key, f"unknown setting{hint}")
        try:
            values[key] = PARSERS[key][0](raw)
        except ValueError as e:
            raise ContentError(str(path), key, str(e)) from None
    return values


def load_settings(environ: Mapping[str, str], options: Mapping[str, Any] | None = None) -> Settings:
    """Defaults, then the config file, then COMPANION_* variables, then options.

    Options are given as typed (None: not given) and parsed here like everything else, so
    `--timeout off` reaches the settings as "off" rather than as a missing value."""
    paths = default_paths(environ)
    values: dict[str, Any] = _read_config(paths.config_file)
    for name, (parser, variable) in PARSERS.items():
        if environ.get(variable) is not None:
            try:
                values[name] = parser(environ[variable])
            except ValueError as e:
                raise CompanionError(f"{variable}: {e}", ExitCode.USAGE) from None
    for name, raw in (options or {}).items():
        if raw is None:  # not given
            continue
        try:
            values[name] = PARSERS[name][0](raw) if name in PARSERS else raw
        except ValueError as e:
            raise CompanionError(f"--{name.replace('_', '-')}: {e}", ExitCode.USAGE) from None
    values["no_color"] = "NO_COLOR" in environ and environ["NO_COLOR"] != ""
    known = {f.name for f in fields(Settings)}
    return replace(Settings(paths=paths), **{k: v for k, v in values.items() if k in known})


def region_from_locale(environ: Mapping[str, str]) -> str:
    """ "en_GB.UTF-8" -> "GB"; "" when the locale names no country."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            territory = value.split(".")[0].split("@")[0].partition("_")[2]
            return territory.upper()
    return ""


# -- the config file, written ------------------------------------------------------------------


def toml_value(value: object) -> str:
    if value is None:
        return '"off"'  # the only setting that can be None is timeout
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def read_config(paths: Paths) -> dict[str, Any]:
    """The config file's settings, checked (a missing file is no settings)."""
    return _read_config(paths.config_file)


def write_config(paths: Paths, values: Mapping[str, Any]) -> None:
    """Write the whole config file atomically: a temporary file, then a rename."""
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    lines = ["# companion settings; see `companion config show` and the README", ""]
    lines += [f"{key} = {toml_value(values[key])}" for key in PARSERS if key in values]
    fd, tmp = tempfile.mkstemp(dir=paths.config_dir, prefix=".config.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, paths.config_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_config(paths: Paths, changes: Mapping[str, Any]) -> None:
    """Set some settings (already parsed), keeping the rest."""
    unknown = set(changes) - set(PARSERS)
    if unknown:
        raise KeyError(sorted(unknown))
    write_config(paths, {**read_config(paths), **changes})


def reset_config(paths: Paths, keys: Sequence[str] = ()) -> None:
    """Forget some settings, or (no keys) the whole config file."""
    if not keys:
        paths.config_file.unlink(missing_ok=True)
        return
    values = read_config(paths)
    write_config(paths, {k: v for k, v in values.items() if k not in keys})
