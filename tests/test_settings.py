"""Settings: defaults, config file, environment and options, each checked the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.errors import CompanionError, ContentError, ExitCode
from companion.settings import Settings, default_paths, load_settings, region_from_locale


def test_defaults(user_paths: dict[str, str]) -> None:
    import os

    s = load_settings(dict(os.environ))
    assert (s.input, s.rate, s.volume, s.timeout, s.max_reprompts) == ("auto", 160, 1.0, 10.0, 3)
    assert s.paths.config_dir == Path(user_paths["COMPANION_CONFIG_DIR"])


def test_paths_follow_xdg_when_not_overridden(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "xc"),
        "COMPANION_CACHE_DIR": str(tmp_path / "c"),
    }
    paths = default_paths(env)
    assert paths.config_dir == tmp_path / "xc" / "companion"
    assert paths.data_dir == tmp_path / ".local" / "share" / "companion"
    assert paths.cache_dir == tmp_path / "c"


def test_precedence_config_then_environment_then_options(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('rate = 120\ntimeout = "off"\nvolume = 0.5\n')
    env = {"COMPANION_CONFIG_DIR": str(config), "COMPANION_RATE": "140"}
    s = load_settings(env, {"volume": 0.7, "rate": None})
    assert (s.rate, s.timeout, s.volume) == (140, None, 0.7)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("rate = 20\n", "rate", "must be from 80 to 450 words per minute, not 20"),
        ("rat = 200\n", "rat", "unknown setting (did you mean 'rate'?)"),
        ("timeout = -4\n", "timeout", "must be from 1 to 3600 seconds"),
        ("rate = \n", "", "is not valid TOML"),
        ('screen_reader = "maybe"\n', "screen_reader", "must be true or false"),
    ],
    ids=["range", "misspelled", "negative-timeout", "syntax", "bool"],
)
def test_config_file_errors_name_file_and_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    (tmp_path / "config.toml").write_text(text)
    with pytest.raises(ContentError) as caught:
        load_settings({"COMPANION_CONFIG_DIR": str(tmp_path)})
    assert caught.value.file == str(tmp_path / "config.toml")
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_environment_errors_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(CompanionError) as caught:
        load_settings({"COMPANION_CONFIG_DIR": str(tmp_path), "COMPANION_TIMEOUT": "never-ish"})
    assert caught.value.exit_code is ExitCode.USAGE
    assert caught.value.message.startswith("COMPANION_TIMEOUT: must be a number of seconds")


def test_no_color_is_honoured(tmp_path: Path) -> None:
    base = {"COMPANION_CONFIG_DIR": str(tmp_path)}
    assert load_settings({**base, "NO_COLOR": "1"}).no_color
    assert not load_settings(base).no_color


@pytest.mark.parametrize(
    ("environ", "region"),
    [
        ({"LANG": "en_GB.UTF-8"}, "GB"),
        ({"LANG": "C.UTF-8"}, ""),
        ({"LC_ALL": "en_NZ.UTF-8", "LANG": "en_US.UTF-8"}, "NZ"),
        ({}, ""),
    ],
    ids=["gb", "c", "lc-all-wins", "none"],
)
def test_region_from_locale(environ: dict[str, str], region: str) -> None:
    assert region_from_locale(environ) == region


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().rate = 100  # type: ignore[misc]


def test_an_option_of_off_turns_the_timeout_off(tmp_path: Path) -> None:
    s = load_settings({"COMPANION_CONFIG_DIR": str(tmp_path)}, {"timeout": "off", "rate": None})
    assert s.timeout is None
    assert s.rate == 160


def test_a_bad_option_value_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(CompanionError, match=r"^--rate: must be from 80 to 450"):
        load_settings({"COMPANION_CONFIG_DIR": str(tmp_path)}, {"rate": "12"})
