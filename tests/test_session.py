"""The pure session loop with scripted fakes: every command, the reprompt ladder, holds,
thinking pauses and the breathing timeline. Transcripts are asserted exactly."""

from __future__ import annotations

import pytest

from companion.content.model import Content
from companion.dialogue.protocols import RATE_MAX, RATE_MIN, Expect, Heard, Line, Miss, Voice
from companion.dialogue.session import Outcome, Result, Session
from companion.dialogue.steps import Ask, Breathe, Cue, Instructions, Pause, Say, Step, Summary
from tests.conftest import ENDED, SILENCE, FakeClock, RecordingSpeaker, ScriptedListener

Q1 = Ask("q1", "First question?", "First?")
Q2 = Ask("q2", "Second question?", "Second?")
STEPS: list[Step] = [Say("Hello."), Q1, Q2, Say("Bye.")]


def run(
    content: Content,
    steps: list[Step],
    script: list[str | Heard | BaseException],
    *,
    mode: str = "keys",
    timeout: float | None = 10.0,
    max_reprompts: int = 3,
    voice: Voice | None = None,
) -> tuple[Result, list[str], ScriptedListener, FakeClock]:
    clock = FakeClock()
    listener = ScriptedListener(list(script), clock, mode)  # type: ignore[arg-type]
    speaker = RecordingSpeaker(clock)
    result = Session(
        steps,
        speaker=speaker,
        listener=listener,
        clock=clock,
        phrases=content.phrases,
        voice=voice,
        timeout=timeout,
        max_reprompts=max_reprompts,
    ).run()
    assert not listener.script, f"unused answers: {listener.script}"
    return result, speaker.texts, listener, clock


def test_answers_in_order(content: Content) -> None:
    result, said, _, _ = run(content, STEPS, ["y", "sometimes"])
    assert said == [
        "Hello.",
        "First question?",
        "You: yes",
        "Second question?",
        "You: not sure",
        "Bye.",
    ]
    assert result.outcome is Outcome.COMPLETED
    assert {k: str(v) for k, v in result.answers.items()} == {"q1": "yes", "q2": "not sure"}


def test_repeat_asks_again(content: Content) -> None:
    _, said, _, _ = run(content, STEPS, ["r", "n", "n"])
    assert said[1:5] == ["First question?", "You: repeat", "First question?", "You: no"]


def test_skip_moves_on_and_leaves_no_answer(content: Content) -> None:
    result, said, _, _ = run(content, STEPS, ["skip", "y"])
    assert said[1:5] == ["First question?", "You: skip", "Skipping.", "Second question?"]
    assert set(result.answers) == {"q2"}


def test_back_returns_to_the_previous_question_and_replaces_its_answer(content: Content) -> None:
    result, said, _, _ = run(content, STEPS, ["y", "back", "n", "y"])
    assert said[3:7] == ["Second question?", "You: back", "First question?", "You: no"]
    assert str(result.answers["q1"]) == "no"


def test_back_at_the_first_question_says_so(content: Content) -> None:
    _, said, _, _ = run(content, STEPS, ["b", "y", "y"])
    assert said[1:5] == [
        "First question?",
        "You: back",
        "This is the first one.",
        "First question?",
    ]


def test_stop_ends_at_once_with_a_goodbye(content: Content) -> None:
    result, said, _, _ = run(content, STEPS, ["y", "q"])
    assert said[-2:] == ["You: stop", "Stopping here. Take good care."]
    assert result.outcome is Outcome.STOPPED
    assert "Bye." not in said


def test_help_speaks_the_keys_then_asks_again(content: Content) -> None:
    _, said, _, _ = run(content, STEPS, ["h", "y", "y"])
    assert said[2:5] == ["You: help", content.phrases.help_keys, "First question?"]


def test_help_by_voice_names_the_spoken_commands(content: Content) -> None:
    _, said, _, _ = run(content, STEPS, ["help", "yes", "yes"], mode="voice")
    assert content.phrases.help_voice in said
    assert content.phrases.help_keys not in said


def test_pause_holds_without_a_time_limit_until_resumed(content: Content) -> None:
    _, said, listener, _ = run(content, STEPS, ["p", "y", "y", "y"])
    assert said[1:6] == [
        "First question?",
        "You: pause",
        "Paused. Press any key when you're ready.",
        "You: yes",
        "Welcome back.",
    ]
    assert listener.calls[1][1] is None  # the hold has no timeout
    assert said[6] == "First question?"


def test_a_pause_by_voice_ignores_noise_until_resume(content: Content) -> None:
    script = ["pause", "mumble mumble", SILENCE, "resume", "yes", "no"]
    _, said, _, _ = run(content, STEPS, script, mode="voice")
    i = said.index("Paused. Say resume when you're ready.")
    assert said[i + 1 : i + 4] == ['You: "mumble mumble"', "You: resume", "Welcome back."]


def test_stop_works_while_paused(content: Content) -> None:
    result, said, _, _ = run(content, STEPS, ["p", "q"])
    assert result.outcome is Outcome.STOPPED
    assert said[-1] == "Stopping here. Take good care."


@pytest.mark.parametrize(
    ("keys", "rate", "volume", "reply"),
    [
        ("-", 135, 1.0, "Slower."),
        ("+", 185, 1.0, "Faster."),
        ("<", 160, 0.9, "Softer."),
        (">", 160, 1.0, "This is my loudest."),
    ],
    ids=["slower", "faster", "softer", "louder-at-limit"],
)
def test_voice_commands_change_the_voice_and_ask_again(
    content: Content, keys: str, rate: int, volume: float, reply: str
) -> None:
    result, said, _, _ = run(content, STEPS, [keys, "y", "y"])
    assert said[3:5] == [reply, "First question?"]
    assert (result.voice.rate, result.voice.volume) == (rate, volume)


def test_the_new_voice_is_used_for_the_next_lines(content: Content) -> None:
    clock = FakeClock()
    speaker = RecordingSpeaker(clock)
    Session(
        STEPS,
        speaker=speaker,
        listener=ScriptedListener(["+", "y", "y"], clock),
        clock=clock,
        phrases=content.phrases,
    ).run()
    rates = [(line.text, voice.rate) for _, line, voice in speaker.lines]
    assert rates[1] == ("First question?", 160)
    assert rates[4] == ("First question?", 185)


@pytest.mark.parametrize(
    ("start", "key", "reply"),
    [(RATE_MIN, "-", "This is my slowest speed."), (RATE_MAX, "+", "This is my fastest speed.")],
    ids=["slowest", "fastest"],
)
def test_rate_stays_within_80_to_450(content: Content, start: int, key: str, reply: str) -> None:
    result, said, _, _ = run(content, STEPS, [key, "y", "y"], voice=Voice(rate=start))
    assert reply in said
    assert result.voice.rate == start


def test_reprompts_escalate_then_offer_skip_then_wait(content: Content) -> None:
    script = [SILENCE, "banana", SILENCE, SILENCE, "y", "y", "y"]
    _, said, listener, _ = run(content, STEPS, script)
    assert said[1:11] == [
        "First question?",
        "I didn't hear an answer. First?",
        'You: "banana"',
        "Press y for yes, n for no, or u for not sure.",
        "We can skip this one. Press s to move on, or answer whenever you're ready.",
        "I'll wait here. Press any key when you're ready.",
        "You: yes",
        "Welcome back.",
        "First question?",
        "You: yes",
    ]
    assert [t for _, t in listener.calls[:5]] == [10.0, 10.0, 10.0, 10.0, None]


def test_first_reprompt_for_something_unclear_says_so(content: Content) -> None:
    _, said, _, _ = run(content, STEPS, ["banana", "y", "y"])
    assert said[3] == "Sorry, I didn't catch that. First?"


def test_unclear_after_the_offer_repeats_the_offer(content: Content) -> None:
    script = ["x", "x", "x", "x", "s", "y"]
    _, said, _, _ = run(content, STEPS, script, mode="voice")
    offer = "We can skip this one. Say skip to move on, or answer whenever you're ready."
    assert said.count(offer) == 2
    assert "Skipping." in said


@pytest.mark.parametrize("max_reprompts", [1, 2, 5], ids=lambda n: f"max{n}")
def test_the_skip_offer_comes_after_max_reprompts(content: Content, max_reprompts: int) -> None:
    script: list[str | Heard | BaseException] = ["x"] * max_reprompts + ["s", "y"]
    _, said, _, _ = run(content, STEPS, script, max_reprompts=max_reprompts)
    offer = "We can skip this one. Press s to move on, or answer whenever you're ready."
    assert said.index(offer) == 1 + 2 * max_reprompts  # question, then (echo, reprompt) pairs


def test_a_command_forgives_earlier_misses(content: Content) -> None:
    _, said, _, _ = run(content, STEPS, ["x", "r", "x", "y", "y"])
    assert said.count("Sorry, I didn't catch that. First?") == 2


def test_input_ending_while_an_answer_is_needed_ends_the_session(content: Content) -> None:
    result, said, _, _ = run(content, STEPS, ["y", ENDED])
    assert result.outcome is Outcome.ENDED
    assert said[-1] == "Second question?"


def test_ctrl_c_propagates_for_the_command_line_to_handle(content: Content) -> None:
    with pytest.raises(KeyboardInterrupt):
        run(content, STEPS, ["y", KeyboardInterrupt()])


def test_instructions_follow_the_input_mode(content: Content) -> None:
    steps: list[Step] = [Instructions("Say it.", "Press it.")]
    assert run(content, steps, [], mode="voice")[1] == ["Say it."]
    assert run(content, steps, [], mode="keys")[1] == ["Press it."]


def test_the_timeout_can_be_off(content: Content) -> None:
    _, _, listener, _ = run(content, STEPS, ["y", "y"], timeout=None)
    assert [t for _, t in listener.calls] == [None, None]


# -- phrase steps (the practice of receiving) -------------------------------------------------

THANKS = Expect("phrase", "thank you", ("thanks",))
SCENARIO = Ask("gift", "Someone gives you a gift.", "Just say: thank you.", THANKS, "Lovely.")


def test_a_phrase_step_listens_for_its_phrase(content: Content) -> None:
    result, said, listener, _ = run(content, [SCENARIO], ["thanks"], mode="voice")
    assert said == ["Someone gives you a gift.", "You: thank you", "Lovely."]
    assert listener.calls[0][0] == THANKS
    assert result.answers["gift"] == "phrase"


def test_a_phrase_step_reprompts_gently(content: Content) -> None:
    _, said, _, _ = run(content, [SCENARIO], ["no", "um", "thank you"], mode="voice")
    assert said[1:6] == [
        "You: no",
        "Sorry, I didn't catch that. Just say: thank you.",
        'You: "um"',
        "When you're ready, say thank you. Or say skip to move on.",
        "You: thank you",
    ]


# -- thinking pauses --------------------------------------------------------------------------

PROMPTS: list[Step] = [
    Say("Prompt one.", anchor=True),
    Pause(60, "Take your time."),
    Say("Prompt two.", anchor=True),
    Pause(60, "Take your time."),
]


def test_a_thinking_pause_lasts_its_length(content: Content) -> None:
    _, said, listener, clock = run(content, PROMPTS, [SILENCE, SILENCE])
    assert said == ["Prompt one.", "Take your time.", "Prompt two.", "Take your time."]
    assert clock.t == 120
    assert [t for _, t in listener.calls] == [60, 60]


def test_next_ends_a_thinking_pause_early(content: Content) -> None:
    _, _, _, clock = run(content, PROMPTS, ["", SILENCE])
    assert clock.t == 60


def test_back_in_a_pause_returns_to_the_previous_prompt(content: Content) -> None:
    _, said, _, _ = run(content, PROMPTS, [SILENCE, "b", SILENCE, SILENCE])
    assert said[2:6] == ["Prompt two.", "Take your time.", "You: back", "Prompt one."]


def test_pausing_a_thinking_pause_keeps_the_time_that_was_left(content: Content) -> None:
    clock_script: list[str | Heard | BaseException] = ["p", "y", SILENCE, SILENCE]
    _, said, listener, _ = run(content, PROMPTS, clock_script)
    assert "Welcome back." in said
    assert listener.calls[2][1] == 60  # the whole pause was still left: pausing took no time


def test_with_no_timeout_a_pause_waits_for_next(content: Content) -> None:
    _, _, listener, clock = run(content, PROMPTS, [SILENCE, "next", ""], timeout=None)
    assert [t for _, t in listener.calls] == [None, None, None]
    assert clock.t == 0


def test_closed_input_lets_timed_pauses_run_on_their_own(content: Content) -> None:
    result, said, listener, clock = run(content, PROMPTS, [ENDED])
    assert result.outcome is Outcome.COMPLETED
    assert said[-1] == "Take your time."
    assert clock.t == 120
    assert len(listener.calls) == 1  # not asked again once the input had gone


def test_closed_input_ends_an_untimed_pause(content: Content) -> None:
    result, _, _, _ = run(content, PROMPTS, [ENDED], timeout=None)
    assert result.outcome is Outcome.ENDED


# -- breathing --------------------------------------------------------------------------------

BREATHE = Breathe(
    cues=(Cue(0, "In", 0), Cue(4, "Out", 0), Cue(10, "In", 1), Cue(14, "Out", 1)), seconds=20
)


def run_breathing(
    content: Content, speaker: RecordingSpeaker, script: list[str | Heard | BaseException]
) -> tuple[Result, ScriptedListener]:
    """BREATHE then "Done.", with this speaker, on the speaker's clock."""
    assert speaker.clock is not None
    listener = ScriptedListener(list(script), speaker.clock)
    result = Session(
        [BREATHE, Say("Done.")],
        speaker=speaker,
        listener=listener,
        clock=speaker.clock,
        phrases=content.phrases,
    ).run()
    return result, listener


def breathe(
    content: Content, script: list[str | Heard | BaseException], seconds_per_word: float = 0.0
) -> tuple[Result, RecordingSpeaker, FakeClock]:
    clock = FakeClock()
    speaker = RecordingSpeaker(clock, seconds_per_word)
    result, _ = run_breathing(content, speaker, script)
    return result, speaker, clock


def cue_times(speaker: RecordingSpeaker) -> list[tuple[float, str]]:
    return [(t, line.text) for t, line, _ in speaker.lines if line.kind == "cue"]


def test_cues_land_on_the_absolute_schedule_however_long_speech_takes(content: Content) -> None:
    # each word takes 1.5 s to say: a relative timer would drift by that much per cue
    _, speaker, _clock = breathe(content, [SILENCE] * 8, seconds_per_word=1.5)
    assert cue_times(speaker) == [(0, "In"), (4, "Out"), (10, "In"), (14, "Out")]
    assert speaker.lines[-1][0] == 20  # "Done." after the last breath's full length


def test_stop_while_breathing(content: Content) -> None:
    result, speaker, _ = breathe(content, [SILENCE, "q"])
    assert result.outcome is Outcome.STOPPED
    assert [text for _, text in cue_times(speaker)] == ["In", "Out"]


def test_skip_ends_the_breathing_and_goes_on(content: Content) -> None:
    result, speaker, _ = breathe(content, ["s"])
    assert result.outcome is Outcome.COMPLETED
    assert speaker.texts[-1] == "Done."


def test_pause_while_breathing_starts_that_breath_again(content: Content) -> None:
    # paused at the start of the first out-breath, back after the hold; then five quiet waits:
    # the gap before the restarted breath, in, out, in, out
    clock = FakeClock()
    speaker = RecordingSpeaker(clock)
    listener = ScriptedListener([SILENCE, "p", "y", *[SILENCE] * 5], clock)
    Session(
        [BREATHE], speaker=speaker, listener=listener, clock=clock, phrases=content.phrases
    ).run()
    assert not listener.script
    texts = [text for _, text in cue_times(speaker)]
    assert texts == ["In", "Out", "In", "Out", "In", "Out"]
    times = [t for t, _ in cue_times(speaker)]
    assert times[2] == times[1] + 1.0  # the breath begins again a moment after "welcome back"
    assert times[3] - times[2] == 4


def test_commands_that_do_not_fit_breathing_are_ignored(content: Content) -> None:
    result, speaker, _ = breathe(content, ["b", "y", SILENCE, SILENCE, SILENCE, SILENCE, SILENCE])
    assert result.outcome is Outcome.COMPLETED
    assert len(cue_times(speaker)) == 4


def test_a_summary_step_sees_the_answers(content: Content) -> None:
    steps: list[Step] = [Q1, Summary(lambda answers: f"Answered {sorted(answers)}.")]
    _, said, _, _ = run(content, steps, ["y"])
    assert said[-1] == "Answered ['q1']."


def test_max_reprompts_below_one_is_refused(content: Content) -> None:
    with pytest.raises(ValueError, match="max_reprompts"):
        Session(
            [],
            speaker=RecordingSpeaker(),
            listener=ScriptedListener([]),
            clock=FakeClock(),
            phrases=content.phrases,
            max_reprompts=0,
        )


def test_silence_value_is_not_echoed(content: Content) -> None:
    _, said, _, _ = run(content, [Q1], [Heard(Miss.SILENCE), "y"])
    assert not any(s.startswith("You:") and "silence" in s for s in said)


@pytest.mark.parametrize("key", ["", "x", "y"], ids=["enter", "any-letter", "an-answer"])
def test_any_key_ends_a_pause(content: Content, key: str) -> None:
    _, said, _, _ = run(content, STEPS, ["p", key, "y", "y"])
    back = said.index("Welcome back.")
    assert said[3] == "Paused. Press any key when you're ready."
    assert said[back + 1] == "First question?"


# -- barge-in: a line cut short by a key press -----------------------------------------------


def run_cut(
    content: Content, steps: list[Step], cut: set[str], script: list[str | Heard | BaseException]
) -> tuple[Result, list[str]]:
    clock = FakeClock()
    speaker = RecordingSpeaker(clock, cut_short=cut)
    listener = ScriptedListener(list(script), clock)
    result = Session(
        steps, speaker=speaker, listener=listener, clock=clock, phrases=content.phrases
    ).run()
    assert not listener.script
    return result, speaker.texts


def test_stop_while_a_line_is_spoken_stops_at_once(content: Content) -> None:
    result, said = run_cut(content, STEPS, {"Hello."}, ["q"])
    assert result.outcome is Outcome.STOPPED
    assert said == ["Hello.", "You: stop", "Stopping here. Take good care."]


def test_skip_while_a_line_is_spoken_moves_to_the_next(content: Content) -> None:
    _, said = run_cut(content, STEPS, {"Hello."}, ["s", "y", "y"])
    assert said[:3] == ["Hello.", "You: skip", "First question?"]


def test_an_answer_during_the_question_answers_it(content: Content) -> None:
    result, said = run_cut(content, STEPS, {"First question?"}, ["n", "y"])
    assert said[1:4] == ["First question?", "You: no", "Second question?"]
    assert str(result.answers["q1"]) == "no"


def test_repeat_during_the_summary_says_it_again(content: Content) -> None:
    steps: list[Step] = [Q1, Summary(lambda answers: "All done.")]
    clock = FakeClock()
    speaker = RecordingSpeaker(clock)
    listener = ScriptedListener(["y", "r"], clock)

    def cut_once(line: object, voice: Voice) -> bool:
        first = speaker.texts.count("All done.") == 0
        RecordingSpeaker.say(speaker, line, voice)  # type: ignore[arg-type]
        return not first or speaker.texts[-1] != "All done."

    speaker.say = cut_once  # type: ignore[method-assign]
    Session(steps, speaker=speaker, listener=listener, clock=clock, phrases=content.phrases).run()
    assert speaker.texts[-3:] == ["All done.", "You: repeat", "All done."]


def test_slower_while_breathing_lengthens_the_next_breaths(content: Content) -> None:
    clock = FakeClock()
    speaker = RecordingSpeaker(clock)
    listener = ScriptedListener(["-", *[SILENCE] * 6], clock)
    Session(
        [BREATHE], speaker=speaker, listener=listener, clock=clock, phrases=content.phrases
    ).run()
    assert "Slower, from the next breath." in speaker.texts
    times = [t for t, line, _ in speaker.lines if line.kind == "cue"]
    # heard during the first breath: that breath keeps its times, the next starts on time
    # (10 s) and its in-breath lasts 15 % longer (out at 14.6 s instead of 14 s)
    assert times == pytest.approx([0, 4, 10, 14.6])


def test_the_pace_has_limits(content: Content) -> None:
    clock = FakeClock()
    speaker = RecordingSpeaker(clock)
    listener = ScriptedListener(["+", "+", "+", "+", *[SILENCE] * 10], clock)
    Session(
        [BREATHE], speaker=speaker, listener=listener, clock=clock, phrases=content.phrases
    ).run()
    assert speaker.texts.count("Quicker, from the next breath.") == 3
    assert "This is as quick as the breaths go." in speaker.texts


def test_cue_lines_carry_tone_and_time_left(content: Content) -> None:
    step = Breathe(
        cues=(Cue(0, "In", 0, "in", 4, "both"), Cue(4, "two", 0, "", 1, "voice")), seconds=5
    )
    clock = FakeClock()
    speaker = RecordingSpeaker(clock)
    Session(
        [step],
        speaker=speaker,
        listener=ScriptedListener([SILENCE] * 3, clock),
        clock=clock,
        phrases=content.phrases,
    ).run()
    first, second = (line for _, line, _ in speaker.lines)
    assert (first.tone, first.spoken, first.detail) == ("in", True, "(0:05 left)")
    assert (second.tone, second.spoken, second.detail) == ("", True, "")


# -- breathing played as one timed stream ------------------------------------------------------


class TimelineSpeaker(RecordingSpeaker):
    """A speaker that plays cue timelines; `cuts` says where each play is cut short (None: to
    the end). Records what each play was given."""

    def __init__(self, clock: FakeClock, cuts: list[float | None]) -> None:
        super().__init__(clock)
        self.cuts = cuts
        self.plays: list[tuple[list[tuple[float, str]], float]] = []

    def play_timeline(
        self, cues: list[tuple[float, Line]], seconds: float, voice: Voice
    ) -> float | None:
        self.plays.append(([(round(at, 3), line.text) for at, line in cues], round(seconds, 3)))
        return self.cuts.pop(0) if self.cuts else None


def breathe_timeline(
    content: Content, cuts: list[float | None], script: list[str | Heard | BaseException]
) -> tuple[Result, TimelineSpeaker]:
    speaker = TimelineSpeaker(FakeClock(), cuts)
    result, listener = run_breathing(content, speaker, script)
    assert not listener.script
    return result, speaker


def test_a_timeline_speaker_gets_every_cue_with_its_time(content: Content) -> None:
    _, speaker = breathe_timeline(content, [None], [])
    assert speaker.plays == [([(0, "In"), (4, "Out"), (10, "In"), (14, "Out")], 20)]
    assert speaker.texts == ["Done."]


def test_stop_cuts_the_timeline(content: Content) -> None:
    result, speaker = breathe_timeline(content, [5.0], ["q"])
    assert result.outcome is Outcome.STOPPED
    assert len(speaker.plays) == 1


def test_pause_in_the_timeline_starts_that_breath_again(content: Content) -> None:
    _, speaker = breathe_timeline(content, [12.0, None], ["p", "y"])
    assert speaker.plays[1] == ([(0, "In"), (4, "Out")], 10)  # from the second breath's start
    assert "Welcome back." in speaker.texts


def test_other_input_carries_on_from_where_it_was(content: Content) -> None:
    _, speaker = breathe_timeline(content, [5.0, None], ["b"])
    assert speaker.plays[1] == ([(5, "In"), (9, "Out")], 15)


def test_slower_in_the_timeline_stretches_the_next_breaths(content: Content) -> None:
    _, speaker = breathe_timeline(content, [5.0, None], ["-"])
    assert "Slower, from the next breath." in speaker.texts
    cues, seconds = speaker.plays[1]
    assert cues == [(5, "In"), (pytest.approx(9.6), "Out")]
    assert seconds == pytest.approx(15 + 6 * 0.15 + 4 * 0.15)


def test_without_a_timeline_the_session_times_the_cues(content: Content) -> None:
    from companion.dialogue.protocols import TimelineUnavailable

    class Refusing(RecordingSpeaker):
        def play_timeline(self, cues: object, seconds: float, voice: Voice) -> float | None:
            raise TimelineUnavailable

    clock = FakeClock()
    speaker = Refusing(clock)
    Session(
        [BREATHE],
        speaker=speaker,
        listener=ScriptedListener([SILENCE] * 5, clock),
        clock=clock,
        phrases=content.phrases,
    ).run()
    assert [t for t, line, _ in speaker.lines if line.kind == "cue"] == [0, 4, 10, 14]


class SampleClock(FakeClock):
    """A clock that, like the export timeline, moves only in whole samples."""

    RATE = 22050

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t = round(self.t * self.RATE + max(0.0, seconds) * self.RATE) / self.RATE


class TimedOutListener:
    """Nothing is ever said: each listen waits out its time, and fails the test if the session
    asks more often than a breathing exercise could need (it once spun for ever)."""

    mode = "keys"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls = 0

    def listen(self, expect: Expect, timeout: float | None) -> Heard:
        self.calls += 1
        assert self.calls < 1000, "the session keeps listening without time passing"
        if timeout:
            self.clock.sleep(timeout)
        return Heard(Miss.SILENCE)


def test_breathing_on_a_clock_of_whole_samples_ends(content: Content) -> None:
    # a cue a third of a sample after a whole sample: the clock stops just short of it
    third = 1 / (3 * SampleClock.RATE)
    step = Breathe(cues=(Cue(0, "In", 0), Cue(4 + third, "Out", 0)), seconds=10 + third)
    clock = SampleClock()
    speaker = RecordingSpeaker(clock)
    Session(
        [step, Say("Done.")],
        speaker=speaker,
        listener=TimedOutListener(clock),
        clock=clock,
        phrases=content.phrases,
    ).run()
    assert [line.text for _, line, _ in speaker.lines] == ["In", "Out", "Done."]
