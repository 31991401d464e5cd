"""Whole sessions through click's CliRunner: scripted answers in, the exact transcript out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from companion import __version__
from companion.app import Environment
from companion.cli import cli
from companion.content.model import Content
from companion.errors import ExitCode
from tests.conftest import FIXTURES, SILENCE, RecordingSpeaker, mock_env

TWO = str(FIXTURES / "two-questions.toml")


def invoke(args: list[str], env: Environment | None = None, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, args, obj=env, input=input)


def test_version() -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert result.output == f"companion {__version__}\n"


def test_help_lists_the_commands_and_voice_commands() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    for word in ("reflect", "breathe", "receive", "journal", "list", "repeat", "not a diagnosis"):
        assert word in result.output


def test_a_whole_reflection_with_your_own_questions_exact_transcript() -> None:
    env, listener, _ = mock_env(["sometimes", "y"])
    result = invoke(["reflect", "--content", TWO, "--text-only"], env)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Two quick questions.\n"
        "Press y for yes, n for no, or u for not sure. Press h for help at any time.\n"
        "Do you find it hard to ask for help?\n"
        "You: not sure\n"
        "Do you carry most things alone?\n"
        "You: yes\n"
        "Thank you for taking this time. You said yes to carrying things alone, and were unsure "
        "about finding it hard to ask for help. This is a reflection, not a diagnosis. "
        "One small step: think of someone you admire who accepts help gracefully.\n"
        "That's all.\n"
    )
    assert [t for _, t in listener.calls] == [10.0, 10.0]


def test_voice_mode_wording_and_options_reach_the_session() -> None:
    env, listener, _ = mock_env(["no", "no"], mode="voice")
    result = invoke(["reflect", "--content", TWO, "--text-only", "--timeout", "off"], env)
    assert "Answer yes, no, or not sure. Say help at any time.\n" in result.stdout
    assert [t for _, t in listener.calls] == [None, None]


def test_sets_run_in_order_with_one_summary(content: Content) -> None:
    n = len(content.checks["relationships"].questions)
    env, _, _ = mock_env(["n"] * (5 + n))
    result = invoke(["reflect", "self-check", "relationships", "--text-only"], env)
    assert result.exit_code == 0
    assert result.stdout.count("This is a reflection, not a diagnosis.") == 1
    for q in content.checks["relationships"].questions:
        assert q.text in result.stdout


def test_an_unknown_set_is_a_usage_error() -> None:
    result = invoke(["reflect", "feelings", "--text-only"], mock_env()[0])
    assert result.exit_code == ExitCode.USAGE
    assert "'feelings' is not a set; choose from: self-check, signs" in result.output


def test_stop_exits_zero_with_a_goodbye() -> None:
    env, _, _ = mock_env(["q"])
    result = invoke(["reflect", "--content", TWO, "--text-only"], env)
    assert result.exit_code == 0
    assert result.stdout.endswith("You: stop\nStopping here. Take good care.\n")


def test_ctrl_c_says_goodbye_in_one_line_and_exits_130() -> None:
    env, _, _ = mock_env(["y", KeyboardInterrupt()])
    result = invoke(["reflect", "--content", TWO, "--text-only"], env)
    assert result.exit_code == 130
    assert result.stdout.endswith(
        "You: yes\nDo you carry most things alone?\nStopped. Take good care.\n"
    )
    assert "Traceback" not in result.output
    assert result.stderr == ""


def test_input_ending_early_is_exit_4_with_one_line() -> None:
    result = invoke(["reflect", "--content", TWO, "--input", "keys", "--text-only"], input="y\n")
    assert result.exit_code == ExitCode.INPUT_ENDED
    assert result.stderr == "companion: input ended before the session finished\n"


def test_piped_keyboard_answers_reach_the_summary(content: Content) -> None:
    """The real keyboard listener, reading one answer per line."""
    result = invoke(["reflect", "--input", "keys", "--text-only"], input="y\nn\ny\nu\ny\n")
    assert result.exit_code == 0, result.output
    questions = content.checks["self-check"].questions
    for q in questions:
        assert q.text in result.stdout
    summary = result.stdout.splitlines()[-2]
    for i in (0, 2, 4):
        assert questions[i].theme in summary
    assert f"unsure about {questions[3].theme}" in summary
    assert questions[1].theme not in summary


def test_typed_words_work_in_line_mode() -> None:
    result = invoke(
        ["reflect", "--content", TWO, "--input", "keys", "--text-only"],
        input="not really\nrepeat\nyes I do\n",
    )
    assert result.exit_code == 0
    assert "You: no\n" in result.stdout
    assert result.stdout.count("Do you carry most things alone?") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "500"], "must be from 80 to 450 words per minute, not 500"),
        (["--rate", "fast"], "must be a whole number from 80 to 450 words per minute, not 'fast'"),
        (["--timeout", "0"], "must be from 1 to 3600 seconds, or 'off'"),
        (["--timeout", "soon"], "must be a number of seconds or 'off'"),
        (["--volume", "2"], "must be from 0.1 to 1.0"),
        (["--input", "mind"], "'mind' is not one of 'auto', 'voice', 'keys'"),
    ],
    ids=["rate-high", "rate-word", "timeout-zero", "timeout-word", "volume", "input"],
)
def test_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    result = invoke(["reflect", *args])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("timeout", ["1", "100", "3600", "off", "OFF"])
def test_timeouts_from_one_second_to_off(timeout: str) -> None:
    env, listener, _ = mock_env(["y", "y"])
    assert invoke(["reflect", "--content", TWO, "--timeout", timeout], env).exit_code == 0
    expected = None if timeout.lower() == "off" else float(timeout)
    assert listener.calls[0][1] == expected


def test_a_broken_content_file_is_exit_3_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('title = "t"\ndescription = "d"\nintro = []\n[[qestions]]\n', encoding="utf-8")
    result = invoke(["reflect", "--content", str(bad), "--text-only"], mock_env()[0])
    assert result.exit_code == ExitCode.CONTENT
    assert result.stderr == (
        f"companion: {bad}: qestions: unknown key (did you mean 'questions'?)\n"
    )


def test_receive_listens_for_thank_you(content: Content) -> None:
    n = len(content.practice.scenarios)
    env, listener, _ = mock_env(["thank you"] * n, mode="voice")
    result = invoke(["receive", "--text-only"], env)
    assert result.exit_code == 0
    assert result.stdout.count("You: thank you") == n
    for scenario in content.practice.scenarios:
        assert scenario.reply in result.stdout
    assert all(expect.kind == "phrase" for expect, _ in listener.calls)


def test_journal_gives_each_prompt_its_thinking_pause(content: Content) -> None:
    prompts = content.journal.prompts
    env, _listener, clock = mock_env([SILENCE] * len(prompts))
    result = invoke(["journal", "--text-only"], env)
    assert result.exit_code == 0
    for p in prompts:
        assert p.text in result.stdout
    assert clock.t == sum(p.pause_seconds for p in prompts)
    assert content.phrases.how_pause_keys in result.stdout


def test_journal_with_timeout_off_waits_for_enter(content: Content) -> None:
    result = invoke(
        ["journal", "--input", "keys", "--timeout", "off", "--text-only"],
        input="\n" * len(content.journal.prompts),
    )
    assert result.exit_code == 0
    assert content.phrases.how_pause_untimed_keys in result.stdout
    assert result.stdout.rstrip().endswith(content.journal.outro[-1])


def test_breathe_cues_every_phase(content: Content) -> None:
    env, _, clock = mock_env([SILENCE] * 200)
    result = invoke(["breathe", "box", "--cycles", "2", "--text-only"], env)
    assert result.exit_code == 0
    cues = [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("Breathe in", "Breathe out", "Hold"))
    ]
    assert cues == [  # one plain line per phase, with the time left
        "Breathe in for 4 (0:32 left)",
        "Hold for 4 (0:28 left)",
        "Breathe out for 4 (0:24 left)",
        "Hold for 4 (0:20 left)",
        "Breathe in (0:16 left)",
        "Hold (0:12 left)",
        "Breathe out (0:08 left)",
        "Hold (0:04 left)",
    ]
    assert clock.t == 32
    assert "\r" not in result.stdout  # nothing animated


def test_breathe_counts_each_second() -> None:
    env, _, _ = mock_env([SILENCE] * 200)
    result = invoke(
        ["breathe", "--pattern", "3-0-4-0", "--cycles", "1", "--cues", "count", "--text-only"], env
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    i = lines.index("Breathe in (0:07 left)")
    assert lines[i : i + 7] == [
        "Breathe in (0:07 left)",
        "two",
        "three",
        "Breathe out (0:04 left)",
        "two",
        "three",
        "four",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pattern", "4-x-8"], "'4-x-8': 'x' is not a number of seconds; write in-hold-out-hold"),
        (
            ["--pattern", "4"],
            "'4' has 1 parts; write in-hold-out-hold seconds, for example 4-2-6-0",
        ),
        (["--pattern", "0-2-6-0"], "breathing in and out need more than 0 seconds"),
        (["--pattern", "4-2-90-0"], "90 seconds is too long for one phase"),
        (["--bpm", "60"], "60 breaths a minute is outside 1 to 30"),
        (["--bpm", "6", "--ratio", "1-2"], "'1-2' is not a ratio of in to out; write it like 1:2"),
        (["--ratio", "1:2"], "--ratio goes with --bpm"),
        (["box", "--pattern", "4-4-4-4"], "choose one of PATTERN, --pattern and --bpm"),
        (["--minutes", "2", "--cycles", "3"], "choose --minutes or --cycles, not both"),
    ],
    ids=[
        "letter",
        "one-part",
        "no-inhale",
        "too-long",
        "bpm",
        "ratio",
        "ratio-alone",
        "two",
        "minutes-and-cycles",
    ],
)
def test_breathe_pattern_errors_say_what_is_wrong(args: list[str], message: str) -> None:
    result = invoke(["breathe", *args, "--text-only"], mock_env()[0])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output
    assert "Traceback" not in result.output


def test_breathe_by_rate_and_ratio() -> None:
    env, _, clock = mock_env([SILENCE] * 200)
    result = invoke(
        ["breathe", "--bpm", "6", "--ratio", "1:2", "--cycles", "2", "--text-only"], env
    )
    assert result.exit_code == 0
    assert "Breathe in for 3 (" in result.stdout and "Breathe out for 7 (" in result.stdout
    assert clock.t == pytest.approx(20)


def test_ground_gives_each_step_its_quiet_time(content: Content) -> None:
    steps = content.grounding.steps
    env, _, clock = mock_env([SILENCE] * len(steps))
    result = invoke(["ground", "--text-only"], env)
    assert result.exit_code == 0
    for step in steps:
        assert step.text in result.stdout
    assert clock.t == sum(s.pause_seconds for s in steps)


def test_breathe_by_default_is_about_two_minutes_of_longer_exhales(content: Content) -> None:
    env, _, clock = mock_env([SILENCE] * 200)
    result = invoke(["breathe", "--text-only"], env)
    assert result.exit_code == 0
    assert "Breathe out for 6" in result.stdout
    assert 110 <= clock.t <= 130


def test_breathe_unknown_pattern_lists_the_known_ones() -> None:
    result = invoke(["breathe", "square", "--text-only"], mock_env()[0])
    assert result.exit_code == ExitCode.USAGE
    assert "unknown breathing pattern 'square'; choose one of: box, 4-7-8" in result.output


def test_list_prints_one_line_per_session_with_its_length() -> None:
    result = invoke(["list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    commands = [line.split("  ")[0] for line in lines]
    assert commands[:2] == ["reflect", "reflect signs"]
    assert {"breathe", "receive", "journal"} <= set(commands)
    assert all(re.search(r"about \d+ minutes?\)$", line) for line in lines)
    assert "(5 questions, about" in lines[0]


def test_list_for_a_screen_reader_has_no_padding() -> None:
    result = invoke(["list", "--screen-reader"])
    assert result.output.splitlines()[0].startswith("reflect: ")
    assert "  " not in result.output


def test_list_lengths_follow_the_speech_rate() -> None:
    def minutes(rate: str) -> int:
        line = invoke(["list", "--rate", rate]).output.splitlines()[1]
        return int(re.search(r"about (\d+) minute", line).group(1))  # type: ignore[union-attr]

    assert minutes("80") > minutes("450")


def test_region_picks_the_helpline(content: Content) -> None:
    answers = ["n"] * 5 + ["y"] + ["n"] * (len(content.checks["seek-help"].questions) - 1)
    env, _, _ = mock_env(answers, environ={"COMPANION_REGION": "gb"})
    result = invoke(["reflect", "self-check", "seek-help", "--text-only"], env)
    assert content.helplines.regions["GB"].text in result.stdout


def test_the_locale_picks_the_helpline_when_no_region_is_set(content: Content) -> None:
    env, _, _ = mock_env(["y"] + ["n"] * 5, environ={"LANG": "en_AU.UTF-8"})
    result = invoke(["reflect", "seek-help", "--text-only"], env)
    assert content.helplines.regions["AU"].text in result.stdout


def test_an_unknown_region_is_a_clear_error() -> None:
    env, _, _ = mock_env([], environ={"COMPANION_REGION": "Atlantis"})
    result = invoke(["reflect", "--text-only"], env)
    assert result.exit_code == ExitCode.USAGE
    assert "unknown region 'Atlantis' for helplines; known regions: AU, CA" in result.stderr


def test_your_own_helplines_table(tmp_path: Path) -> None:
    table = tmp_path / "help.toml"
    table.write_text(
        'default_region = "home"\n[regions.home]\nname = "Home"\ntext = "Call Sam on 555 0100."\n',
        encoding="utf-8",
    )
    env, _, _ = mock_env(
        ["y", "n", "n", "n", "n", "n"], environ={"COMPANION_HELPLINES": str(table)}
    )
    result = invoke(["reflect", "seek-help", "--text-only"], env)
    assert "Call Sam on 555 0100." in result.stdout


def test_questions_are_bold_only_on_a_colour_terminal() -> None:
    env, _, _ = mock_env(["y", "y"])
    result = invoke(["reflect", "--content", TWO, "--text-only"], env)
    assert "\x1b[" not in result.output  # CliRunner's output is not a terminal


def test_screen_reader_setting_from_the_environment() -> None:
    env, _, _ = mock_env(environ={"COMPANION_SCREEN_READER": "1"})
    assert invoke(["list"], env).output.splitlines()[0].startswith("reflect: ")


# -- settings that last ----------------------------------------------------------------------


def test_config_set_show_and_reset(user_paths: dict[str, str]) -> None:
    config = Path(user_paths["COMPANION_CONFIG_DIR"]) / "config.toml"
    set_rate = invoke(["config", "set", "rate", "140"])
    assert set_rate.exit_code == 0
    assert set_rate.output == f"rate = 140  (saved in {config})\n"
    assert invoke(["config", "set", "timeout", "off"]).exit_code == 0
    shown = invoke(["config", "show"]).output
    assert "rate = 140  (from the config file)\n" in shown
    assert 'timeout = "off"' not in shown and "timeout = off  (from the config file)\n" in shown
    assert "volume = 1.0  (default)\n" in shown
    assert invoke(["config", "reset", "rate"]).exit_code == 0
    assert "rate = 160  (default)\n" in invoke(["config", "show"]).output
    assert "timeout = off" in invoke(["config", "show"]).output
    assert invoke(["config", "reset"]).exit_code == 0
    assert not config.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["config", "set", "rate", "9000"], "rate: must be from 80 to 450"),
        (["config", "set", "speed", "1"], "unknown setting 'speed'"),
        (["config", "reset", "speed"], "unknown setting 'speed'"),
    ],
    ids=["bad-value", "unknown-set", "unknown-reset"],
)
def test_config_errors(args: list[str], message: str) -> None:
    result = invoke(args)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr


def test_slower_in_a_session_is_remembered_next_time() -> None:
    env, _, _ = mock_env(["-", "-", "y", "y"])
    assert invoke(["reflect", "--content", TWO], env).exit_code == 0
    assert "rate = 110  (from the config file)\n" in invoke(["config", "show"]).output
    env, _, clock = mock_env(["y", "y"])
    speaker = RecordingSpeaker(clock)
    env.make_speaker = lambda env, settings, listener: speaker
    assert invoke(["reflect", "--content", TWO], env).exit_code == 0
    assert {voice.rate for _, _, voice in speaker.lines} == {110}  # the next session is slower


def test_an_unchanged_voice_writes_no_config(user_paths: dict[str, str]) -> None:
    env, _, _ = mock_env(["y", "y"])
    assert invoke(["reflect", "--content", TWO], env).exit_code == 0
    assert not (Path(user_paths["COMPANION_CONFIG_DIR"]) / "config.toml").exists()


def test_a_full_disk_when_remembering_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from companion import settings

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(settings, "write_config", full)
    env, _, _ = mock_env(["+", "y", "y"])
    result = invoke(["reflect", "--content", TWO], env)
    assert result.exit_code == 0  # the session itself is not lost
    assert result.stderr == (
        "companion: could not remember the new voice settings: No space left on device\n"
    )


def test_say_prints_the_line() -> None:
    result = invoke(["say", "Hello there."])
    assert (result.exit_code, result.output) == (0, "Hello there.\n")


@pytest.mark.parametrize("cues", ["voice", "tone", "both", "count"])
@pytest.mark.parametrize("pattern", ["box", "4-7-8", "resonance", "longer-exhale", "cyclic-sigh"])
def test_every_pattern_runs_with_every_kind_of_cue(pattern: str, cues: str) -> None:
    env, _, clock = mock_env([SILENCE] * 400)
    result = invoke(["breathe", pattern, "--cycles", "2", "--cues", cues, "--text-only"], env)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.count("left)")
        == 2 * {"box": 4, "4-7-8": 3, "resonance": 2, "longer-exhale": 2, "cyclic-sigh": 3}[pattern]
    )
    assert clock.t > 0
