"""The content as typed, frozen data. Every field here is a key in a TOML file.

The loader (`loader.py`) turns a TOML table into these classes field by field, so this module
is also the schema: a key's name, its type, and whether it has a default. Docstrings on the
classes say what each file is for; README's "Your own questions" documents the check schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lean = Literal["", "independent", "dependent"]
PhaseKind = Literal["in", "top", "hold", "out"]


@dataclass(frozen=True)
class Question:
    """One yes / no / not-sure question."""

    id: str
    text: str  # the question, as spoken
    short: str  # a short restatement, used in the first reprompt
    theme: str  # how the summary names it: "feeling uneasy when others help"
    step: str = ""  # id of a healing step the summary may offer after a yes
    lean: Lean = ""  # balance questions: which way a yes leans
    seek_help: bool = False  # a yes here means a professional could help


@dataclass(frozen=True)
class QuestionSet:
    """A reflection check (`companion reflect SET`, or `--content FILE.toml`)."""

    title: str
    description: str  # one line, for `companion list`
    intro: tuple[str, ...]
    questions: tuple[Question, ...]
    outro: tuple[str, ...] = ()


@dataclass(frozen=True)
class HealingStep:
    id: str
    title: str
    about: str  # one or two sentences on the step
    suggestions: tuple[str, ...]  # small next steps; each completes "One small step: ..."


@dataclass(frozen=True)
class Healing:
    """The healing steps; summaries draw their one small next step from here."""

    default_step: str  # offered when no answer points at a step
    steps: tuple[HealingStep, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    text: str  # the situation, ending with the invitation to say the phrase
    reply: str  # said after the phrase is heard


@dataclass(frozen=True)
class Practice:
    """The practice of receiving (`companion receive`)."""

    title: str
    description: str
    phrase: str  # what each scenario listens for: "thank you"
    accept: tuple[str, ...]  # other ways of saying it that count: "thanks"
    short: str  # first reprompt: "Just the two words: thank you."
    intro: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    outro: tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    pause_seconds: int = 60  # thinking time after the prompt


@dataclass(frozen=True)
class Journal:
    """Journal prompts with thinking pauses (`companion journal`)."""

    title: str
    description: str
    intro: tuple[str, ...]
    pause_line: str  # said as each thinking pause starts
    prompts: tuple[Prompt, ...]
    outro: tuple[str, ...]


@dataclass(frozen=True)
class Phase:
    kind: PhaseKind  # in, top (a second short inhale), hold, out
    seconds: float


@dataclass(frozen=True)
class Pattern:
    id: str
    name: str
    description: str
    phases: tuple[Phase, ...]


@dataclass(frozen=True)
class Cue:
    first: str  # said in the first cycle; may use {seconds}
    again: str  # said in later cycles, and as the first word when counting
    short: str  # said when `again` would not fit in its phase (one word)


@dataclass(frozen=True)
class Breathing:
    """Breathing patterns and their cues (`companion breathe`)."""

    title: str
    description: str
    default_pattern: str
    default_minutes: float
    intro: tuple[str, ...]
    outro: tuple[str, ...]
    cues: dict[str, Cue]  # keyed by phase kind
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Grounding:
    """A short grounding sequence with timed pauses (`companion ground`)."""

    title: str
    description: str
    intro: tuple[str, ...]
    steps: tuple[Prompt, ...]  # each said, then its quiet time
    outro: tuple[str, ...]


@dataclass(frozen=True)
class SummaryPhrases:
    """The pieces a summary is built from. Placeholders are named in braces."""

    opening: str
    said_yes: str  # {themes}
    said_unsure: str  # {themes}
    said_yes_and_unsure: str  # {yes} {unsure}
    all_no: str
    and_more: str  # {count}
    not_diagnosis: str
    lean_independent: str
    lean_dependent: str
    lean_both: str
    next_step: str  # {suggestion}
    seek_help_yes: str
    seek_help_unsure: str


@dataclass(frozen=True)
class Phrases:
    """What the dialogue itself says: reprompts, help, command replies."""

    no_answer: str  # {short}
    unclear: str  # {short}
    options_voice: str
    options_keys: str
    phrase_options_voice: str  # {phrase}
    phrase_options_keys: str  # {phrase}
    offer_skip_voice: str
    offer_skip_keys: str
    waiting_voice: str
    waiting_keys: str
    help_voice: str
    help_keys: str
    paused_voice: str
    paused_keys: str
    resumed: str
    first_already: str
    skipped: str
    stopping: str
    slower: str
    faster: str
    louder: str
    softer: str
    slowest: str
    fastest: str
    loudest: str
    softest: str
    heard: str  # {text}: the transcript line for what was heard
    how_yes_no_voice: str  # said once before the first question
    how_yes_no_keys: str
    how_phrase_voice: str  # {phrase}: said once before the first scenario
    how_phrase_keys: str  # {phrase}
    how_pause_voice: str  # before the first thinking pause, when pauses are timed
    how_pause_keys: str
    how_pause_untimed_voice: str  # the same with --timeout off: pauses wait for "next"
    how_pause_untimed_keys: str
    how_breathe_voice: str  # before the first breath
    how_breathe_keys: str
    breathe_slower: str  # slower while breathing: longer breaths from the next one
    breathe_faster: str
    breathe_slowest: str
    breathe_fastest: str


@dataclass(frozen=True)
class Helpline:
    name: str  # a region's name, for `companion list`-style displays and tests
    text: str  # one or two short sentences


@dataclass(frozen=True)
class Helplines:
    """Where to turn for help, by region. Replaceable with COMPANION_HELPLINES=FILE."""

    default_region: str
    regions: dict[str, Helpline]


@dataclass(frozen=True)
class Content:
    """Everything the sessions say, loaded and checked."""

    checks: dict[str, QuestionSet]  # by set id, in catalogue order
    healing: Healing
    practice: Practice
    journal: Journal
    breathing: Breathing
    grounding: Grounding
    summary: SummaryPhrases
    phrases: Phrases
    helplines: Helplines
    files: dict[str, str] = field(default_factory=dict)  # what was loaded from where
