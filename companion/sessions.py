"""Build each session's steps from the content, and the catalogue `companion list` prints. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from companion.breathing.schedule import CueMode, cycles_for, fit_cues, schedule
from companion.content.loader import CHECK_SETS
from companion.content.model import Content, Pattern, Prompt, Question
from companion.dialogue.protocols import RATE_DEFAULT, Expect
from companion.dialogue.steps import Ask, Breathe, Instructions, Pause, Say, Step, Summary
from companion.dialogue.summary import MAX_WORDS, SummaryInputs, compose

ANSWER_SECONDS = 3.0  # a typical time to answer, for length estimates


def reflect(content: Content, set_ids: Sequence[str], helpline: str) -> list[Step]:
    """The chosen question sets in order, then one summary over all of them."""
    p = content.phrases
    steps: list[Step] = []
    questions: list[Question] = []
    for n, set_id in enumerate(set_ids):
        qs = content.checks[set_id]
        steps += [Say(line) for line in qs.intro]
        if n == 0:
            steps.append(Instructions(p.how_yes_no_voice, p.how_yes_no_keys))
        steps += [Ask(q.id, q.text, q.short) for q in qs.questions]
        questions += qs.questions
    inputs = SummaryInputs(questions, content.summary, content.healing, helpline)
    steps.append(Summary(partial(compose, inputs)))
    for set_id in set_ids:
        steps += [Say(line) for line in content.checks[set_id].outro]
    return steps


def receive(content: Content) -> list[Step]:
    practice, p = content.practice, content.phrases
    expect = Expect("phrase", practice.phrase, practice.accept)
    return [
        *(Say(line) for line in practice.intro),
        Instructions(
            p.how_phrase_voice.format(phrase=practice.phrase),
            p.how_phrase_keys.format(phrase=practice.phrase),
        ),
        *(Ask(s.id, s.text, practice.short, expect, s.reply) for s in practice.scenarios),
        *(Say(line) for line in practice.outro),
    ]


def _with_quiet_time(
    content: Content,
    intro: Sequence[str],
    prompts: Sequence[Prompt],
    outro: Sequence[str],
    pause_line: str,
    timed: bool,
) -> list[Step]:
    """Each prompt said, then its quiet time; with no time limit the quiet lasts until "next"."""
    p = content.phrases
    how = (
        Instructions(p.how_pause_voice, p.how_pause_keys)
        if timed
        else Instructions(p.how_pause_untimed_voice, p.how_pause_untimed_keys)
    )
    steps: list[Step] = [*(Say(line) for line in intro), how]
    for prompt in prompts:
        steps += [Say(prompt.text, anchor=True), Pause(prompt.pause_seconds, pause_line)]
    steps += [Say(line) for line in outro]
    return steps


def journal(content: Content, *, timed: bool = True) -> list[Step]:
    j = content.journal
    return _with_quiet_time(content, j.intro, j.prompts, j.outro, j.pause_line, timed)


def ground(content: Content, *, timed: bool = True) -> list[Step]:
    g = content.grounding
    return _with_quiet_time(content, g.intro, g.steps, g.outro, "", timed)


def find_pattern(content: Content, pattern_id: str | None) -> Pattern:
    wanted = pattern_id or content.breathing.default_pattern
    for pattern in content.breathing.patterns:
        if pattern.id == wanted:
            return pattern
    known = ", ".join(p.id for p in content.breathing.patterns)
    raise KeyError(f"unknown breathing pattern {wanted!r}; choose one of: {known}")


def breathe(
    content: Content,
    pattern: Pattern | str | None = None,
    *,
    cycles: int | None = None,
    minutes: float | None = None,
    mode: CueMode = "voice",
    measure: Callable[[str], float] | None = None,
) -> list[Step]:
    """A breathing break. `measure(text)`, where given, is how long a cue takes to say: cues
    that would not fit their phase are swapped for a shorter word or a tone."""
    b, p = content.breathing, content.phrases
    chosen = pattern if isinstance(pattern, Pattern) else find_pattern(content, pattern)
    count = cycles if cycles is not None else cycles_for(chosen, minutes or b.default_minutes)
    plan = schedule(b, chosen, count, mode)
    if measure is not None:
        plan = fit_cues(plan, measure, {kind: cue.short for kind, cue in b.cues.items()})
    return [
        *(Say(line) for line in b.intro),
        Say(f"{chosen.name}. {chosen.description}"),
        Instructions(p.how_breathe_voice, p.how_breathe_keys),
        plan,
        *(Say(line) for line in b.outro),
    ]


# -- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    command: str  # what to type: "reflect signs"
    description: str
    seconds: float  # estimated length at the given speech rate
    questions: int = 0  # for question sets

    def line(self, width: int = 0) -> str:
        """One line for `companion list`; width pads the command into a column (0: no padding)."""
        length = minutes_label(self.seconds)
        detail = f"{self.questions} questions, {length}" if self.questions else length
        name = self.command.ljust(width) if width else f"{self.command}:"
        return f"{name} {self.description} ({detail})"


def estimate_seconds(steps: Sequence[Step], rate: int = RATE_DEFAULT) -> float:
    """Speaking time at `rate` words a minute, plus answers, pauses and breathing."""
    spoken_words = 0
    seconds = 0.0
    for step in steps:
        if isinstance(step, Say):
            spoken_words += len(step.text.split())
        elif isinstance(step, Instructions):
            spoken_words += len(step.voice.split())
        elif isinstance(step, Ask):
            spoken_words += len(step.text.split())
            seconds += ANSWER_SECONDS
        elif isinstance(step, Summary):
            spoken_words += MAX_WORDS
        elif isinstance(step, (Pause, Breathe)):
            seconds += step.seconds
    return seconds + spoken_words * 60 / rate


def minutes_label(seconds: float) -> str:
    minutes = max(1, int(seconds / 60 + 0.5))
    return f"about {minutes} minute" + ("s" if minutes != 1 else "")


def catalogue(content: Content, rate: int = RATE_DEFAULT) -> list[Entry]:
    entries = []
    for set_id in CHECK_SETS:
        qs = content.checks[set_id]
        command = "reflect" if set_id == CHECK_SETS[0] else f"reflect {set_id}"
        seconds = estimate_seconds(reflect(content, [set_id], helpline=""), rate)
        entries.append(Entry(command, qs.description, seconds, len(qs.questions)))
    b = content.breathing
    entries.append(Entry("breathe", b.description, estimate_seconds(breathe(content), rate)))
    for pattern in b.patterns:
        if pattern.id != b.default_pattern:
            seconds = estimate_seconds(breathe(content, pattern.id), rate)
            entries.append(Entry(f"breathe {pattern.id}", pattern.name, seconds))
    entries.append(
        Entry("receive", content.practice.description, estimate_seconds(receive(content), rate))
    )
    entries.append(
        Entry("journal", content.journal.description, estimate_seconds(journal(content), rate))
    )
    entries.append(
        Entry("ground", content.grounding.description, estimate_seconds(ground(content), rate))
    )
    return entries


def spoken_lines(content: Content, steps: Sequence[Step]) -> list[str]:
    """Every line these steps can speak, in order, without repeats: what `cache warm` renders.
    Summaries depend on the answers, so they are rendered when they are said."""
    p = content.phrases
    lines: list[str] = []
    for step in steps:
        if isinstance(step, Say):
            lines.append(step.text)
        elif isinstance(step, Instructions):
            lines += [step.voice, step.keys]
        elif isinstance(step, Ask):
            lines += [
                step.text,
                p.no_answer.format(short=step.short),
                p.unclear.format(short=step.short),
            ]
            if step.reply:
                lines.append(step.reply)
            if step.expect.kind == "phrase":
                lines += [
                    p.phrase_options_voice.format(phrase=step.expect.phrase),
                    p.phrase_options_keys.format(phrase=step.expect.phrase),
                ]
        elif isinstance(step, Pause) and step.text:
            lines.append(step.text)
        elif isinstance(step, Breathe):
            lines += [cue.text for cue in step.cues]
    lines += [
        p.options_voice,
        p.options_keys,
        p.offer_skip_voice,
        p.offer_skip_keys,
        p.waiting_voice,
        p.waiting_keys,
        p.help_voice,
        p.help_keys,
        p.paused_voice,
        p.paused_keys,
        p.resumed,
        p.first_already,
        p.skipped,
        p.stopping,
        p.slower,
        p.faster,
        p.louder,
        p.softer,
        p.slowest,
        p.fastest,
        p.loudest,
        p.softest,
    ]
    return list(dict.fromkeys(lines))


def all_sessions(content: Content) -> dict[str, list[Step]]:
    """Every session by the name `cache warm` takes: question sets, breathe patterns, receive,
    journal."""
    found: dict[str, list[Step]] = {
        set_id: reflect(content, [set_id], helpline="") for set_id in content.checks
    }
    for pattern in content.breathing.patterns:
        found[f"breathe-{pattern.id}"] = breathe(content, pattern.id)
    found["receive"] = receive(content)
    found["journal"] = journal(content) + journal(content, timed=False)
    found["ground"] = ground(content) + ground(content, timed=False)
    return found
