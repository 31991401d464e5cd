"""Run a sequence of steps against a Speaker, a Listener and a Clock. Pure: no engines here.

Rules the person can rely on, at every step that listens:
- repeat, skip, back, pause/resume, help, stop, slower, faster, louder and softer always work;
- a missed answer (nothing heard, or not understood) gets a short restatement first, then the
  options spelled out, and after `max_reprompts` misses an offer to skip; silence after that
  offer holds the session until the person comes back: never a dead end, never talking to an
  empty room;
- stop always ends the session at once, with a goodbye.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from companion.content.model import Phrases
from companion.dialogue.protocols import (
    NEXT,
    RATE_STEP,
    VOLUME_STEP,
    YES_NO,
    Answer,
    Clock,
    Command,
    Expect,
    Heard,
    Line,
    LineKind,
    Listener,
    Miss,
    Speaker,
    TimelineUnavailable,
    Voice,
)
from companion.dialogue.steps import Ask, Breathe, Cue, Instructions, Pause, Say, Step, Summary

# A clock that counts in samples (the export timeline) can stop a fraction of a sample short of a
# deadline and never move for so little: a deadline this close counts as reached.
TIME_TOLERANCE = 0.0005
RESUME_GAP = 1.0  # seconds of quiet between "welcome back" and the next breath
# Commands that act during breathing without leaving it (stop, skip, pause and the pace are
# handled apart).
_WHILE_BREATHING = (Command.HELP, Command.LOUDER, Command.SOFTER)
PACE_STEP = 1.15  # slower: each breath 15 % longer; faster: that much shorter
PACE_MIN, PACE_MAX = 0.6, 1.8


class Outcome(StrEnum):
    COMPLETED = "completed"
    STOPPED = "stopped"  # the person said stop
    ENDED = "ended"  # the input went away (standard input closed) while an answer was needed


@dataclass
class Result:
    outcome: Outcome
    answers: dict[str, Answer] = field(default_factory=dict)
    voice: Voice = field(default_factory=Voice)


class _Goto(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


class _Skip(Exception):
    pass


class _Stop(Exception):
    pass


class _Ended(Exception):
    pass


def _is_anchor(step: Step) -> bool:
    return isinstance(step, Ask | Breathe | Summary) or (isinstance(step, Say) and step.anchor)


class Session:
    def __init__(
        self,
        steps: Sequence[Step],
        *,
        speaker: Speaker,
        listener: Listener,
        clock: Clock,
        phrases: Phrases,
        voice: Voice | None = None,
        timeout: float | None = 10.0,
        max_reprompts: int = 3,
    ) -> None:
        if max_reprompts < 1:
            raise ValueError("max_reprompts must be at least 1")
        self.steps = list(steps)
        self.speaker = speaker
        self.listener = listener
        self.clock = clock
        self.phrases = phrases
        self.voice = voice or Voice()
        self.timeout = timeout
        self.max_reprompts = max_reprompts
        self.answers: dict[str, Answer] = {}
        self.input_ended = False  # timed steps go on without input once it has gone
        self._anchors = [i for i, s in enumerate(self.steps) if _is_anchor(s)]

    # -- running ------------------------------------------------------------------------------

    def run(self) -> Result:
        i = 0
        while i < len(self.steps):
            try:
                self._run_step(i, self.steps[i])
                i += 1
            except _Goto as goto:
                i = goto.index
            except _Skip:
                i += 1
            except _Stop:
                self._say(self.phrases.stopping)
                return Result(Outcome.STOPPED, dict(self.answers), self.voice)
            except _Ended:
                return Result(Outcome.ENDED, dict(self.answers), self.voice)
        return Result(Outcome.COMPLETED, dict(self.answers), self.voice)

    def _run_step(self, i: int, step: Step) -> None:
        if isinstance(step, Say):
            self._say_step(i, step.text, step.kind)
        elif isinstance(step, Instructions):
            self._say_step(i, self._by_mode(step.voice, step.keys))
        elif isinstance(step, Ask):
            self._ask(i, step)
        elif isinstance(step, Pause):
            self._pause(i, step)
        elif isinstance(step, Breathe):
            self._breathe(step)
        elif isinstance(step, Summary):
            self._say_step(i, step.compose(dict(self.answers)), "summary")

    # -- speaking -----------------------------------------------------------------------------

    def _say(self, text: str, kind: LineKind = "say") -> bool:
        """Speak a line. False if the person cut it short; what they pressed is still waiting."""
        return self.speaker.say(Line(text, kind), self.voice)

    def _say_step(self, i: int, text: str, kind: LineKind = "say") -> None:
        """A line that is a step of its own: cut short, the waiting input is acted on at once
        (skip moves to the next line, stop stops, repeat says it again...)."""
        if self._say(text, kind):
            return
        value = self._listen(YES_NO, 0).value
        if value is Miss.ENDED:
            raise _Ended
        if isinstance(value, Command) and value is not Command.SKIP:
            self._command(value, i)

    def _by_mode(self, voice: str, keys: str) -> str:
        return keys if self.listener.mode == "keys" else voice

    def _listen(self, expect: Expect, timeout: float | None) -> Heard:
        heard = self.listener.listen(expect, timeout)
        label = _label(heard, expect)
        if label:
            self._say(self.phrases.heard.format(text=label), "heard")
        return heard

    # -- asking -------------------------------------------------------------------------------

    def _ask(self, i: int, step: Ask) -> None:
        self._say(step.text, "ask")
        misses = 0
        while True:
            heard = self._listen(step.expect, self.timeout)
            value = heard.value
            if value is Miss.ENDED:
                raise _Ended
            if isinstance(value, Answer) and value in step.expect.answers:
                self.answers[step.id] = value
                if step.reply:
                    self._say(step.reply)
                return
            if isinstance(value, Command):
                if value is Command.SKIP:
                    self.answers.pop(step.id, None)
                    self._say(self.phrases.skipped)
                    raise _Skip
                self._command(value, i)
                raise _Goto(i)  # the command was handled: ask again, misses forgiven
            misses += 1
            self._reprompt(i, step, misses, silent=value is Miss.SILENCE)

    def _reprompt(self, i: int, step: Ask, misses: int, *, silent: bool) -> None:
        p = self.phrases
        if misses < self.max_reprompts and misses == 1:
            template = p.no_answer if silent else p.unclear
            self._say(template.format(short=step.short))
        elif misses < self.max_reprompts:
            self._say(self._options(step.expect))
        elif misses == self.max_reprompts or not silent:
            self._say(self._by_mode(p.offer_skip_voice, p.offer_skip_keys))
        else:
            self._hold(self._by_mode(p.waiting_voice, p.waiting_keys))
            raise _Goto(i)

    def _options(self, expect: Expect) -> str:
        p = self.phrases
        if expect.kind == "phrase":
            return self._by_mode(p.phrase_options_voice, p.phrase_options_keys).format(
                phrase=expect.phrase
            )
        return self._by_mode(p.options_voice, p.options_keys)

    # -- commands -----------------------------------------------------------------------------

    def _command(self, command: Command, i: int) -> None:
        """Handle a command at step i. Returns to re-run the step; may raise to move elsewhere."""
        if command is Command.STOP:
            raise _Stop
        if command is Command.BACK:
            here = self._anchor_of(i)
            earlier = [a for a in self._anchors if a < here]
            if earlier:
                raise _Goto(earlier[-1])
            self._say(self.phrases.first_already)
            raise _Goto(here)
        if command is Command.REPEAT:
            raise _Goto(self._anchor_of(i))
        if command is Command.PAUSE:
            self._hold(self._by_mode(self.phrases.paused_voice, self.phrases.paused_keys))
        elif command is Command.HELP:
            self._say(self._by_mode(self.phrases.help_voice, self.phrases.help_keys))
        elif command in (Command.SLOWER, Command.FASTER, Command.LOUDER, Command.SOFTER):
            self._adjust(command)
        # RESUME when not paused, and SKIP where a caller did not handle it: nothing to do

    def _anchor_of(self, i: int) -> int:
        earlier = [a for a in self._anchors if a <= i]
        return earlier[-1] if earlier else i

    def _adjust(self, command: Command) -> None:
        p, v = self.phrases, self.voice
        changes = {
            Command.SLOWER: (v.with_rate(v.rate - RATE_STEP), p.slower, p.slowest),
            Command.FASTER: (v.with_rate(v.rate + RATE_STEP), p.faster, p.fastest),
            Command.LOUDER: (v.with_volume(v.volume + VOLUME_STEP), p.louder, p.loudest),
            Command.SOFTER: (v.with_volume(v.volume - VOLUME_STEP), p.softer, p.softest),
        }
        new, changed, at_limit = changes[command]
        self.voice = new
        self._say(changed if new != v else at_limit)

    def _hold(self, line: str) -> None:
        """Wait, with no time limit, until the person comes back. Stop still works."""
        self._say(line)
        while True:
            heard = self._listen(NEXT, None)  # Enter, "ready", "okay" all bring the person back
            value = heard.value
            if value is Miss.ENDED:
                raise _Ended
            if value is Command.STOP:
                raise _Stop
            if value is Command.HELP:
                self._say(self._by_mode(self.phrases.help_voice, self.phrases.help_keys))
                continue
            if value is Miss.SILENCE:
                continue
            # Keys: any key brings the person back. Voice: only words meant for us do, so a
            # cough or the television cannot end a pause.
            if (
                self.listener.mode == "keys"
                or isinstance(value, Answer)
                or value in (Command.RESUME, Command.PAUSE, Command.REPEAT, Command.SKIP)
            ):
                self._say(self.phrases.resumed)
                return

    # -- quiet time -----------------------------------------------------------------------------

    def _wait(self, i: int, deadline: float | None) -> bool:
        """Listen for commands until the deadline (None: until "next"). True if told to move on.

        Pause pushes the deadline back by the time spent paused.
        """
        while True:
            left = None if deadline is None else deadline - self.clock.now()
            if left is not None and left <= TIME_TOLERANCE:
                return False
            if self.input_ended:
                if left is None:
                    raise _Ended
                self.clock.sleep(left)
                return False
            heard = self._listen(NEXT, left)
            value = heard.value
            if value is Miss.ENDED:
                self.input_ended = True
            elif value in (Answer.NEXT, Command.SKIP, Command.RESUME):
                return True
            elif value is Command.PAUSE:
                paused_at = self.clock.now()
                self._command(Command.PAUSE, i)
                if deadline is not None:
                    deadline += self.clock.now() - paused_at
            elif isinstance(value, Command):
                self._command(value, i)

    def _pause(self, i: int, step: Pause) -> None:
        if step.text:
            self._say(step.text)
        deadline = None if self.timeout is None else self.clock.now() + step.seconds
        self._wait(i, deadline)

    # -- breathing ------------------------------------------------------------------------------

    def _breathe(self, step: Breathe) -> None:
        """A speaker that can play a timed stream gets the cues as one (they then land on exact
        samples of the device's clock); otherwise the session times each cue itself."""
        play = getattr(self.speaker, "play_timeline", None)
        if play is None:
            return self._breathe_by_clock(step)
        position = 0.0  # seconds into the breathing
        pace = 1.0
        while True:
            cues = step.cues
            ahead = [
                (c.at - position, self._cue_line(c, step.seconds)) for c in cues if c.at >= position
            ]
            try:
                cut = play(ahead, step.seconds - position, self.voice)
            except TimelineUnavailable:
                later = [c for c in cues if c.at >= position]
                rest = Breathe(
                    tuple(replace(c, at=c.at - position) for c in later), step.seconds - position
                )
                return self._breathe_by_clock(rest)
            if cut is None:
                return
            position += cut
            current = max((c.cycle for c in cues if c.at <= position), default=0)
            event = self._breathing_input(self._listen(NEXT, 0).value)
            if event is Command.PAUSE:  # that breath again, now the person is back
                position = min(c.at for c in cues if c.cycle == current)
            elif event is not None:
                pace, step = self._change_pace(event, pace, step, current)
            # anything else: carry on from where it was

    def _change_pace(
        self, command: Command, pace: float, step: Breathe, current: int
    ) -> tuple[float, Breathe]:
        """Slower or faster from the breath after `current`, within limits; says which."""
        p = self.phrases
        factor = PACE_STEP if command is Command.SLOWER else 1 / PACE_STEP
        if not PACE_MIN <= pace * factor <= PACE_MAX:
            self._say(p.breathe_slowest if command is Command.SLOWER else p.breathe_fastest)
            return pace, step
        self._say(p.breathe_slower if command is Command.SLOWER else p.breathe_faster)
        return pace * factor, step.stretched(current + 1, factor)

    def _breathe_by_clock(self, step: Breathe) -> None:
        """Each cue at start + cue.at. Pause: the interrupted breath starts over when the person
        is back. Slower and faster: the breaths from the next one on are longer or shorter."""
        start = self.clock.now()
        pace = 1.0
        k = 0  # the next cue; the wait before it is the phase of cue k - 1
        while k <= len(step.cues):
            cues = step.cues
            deadline = start + (cues[k].at if k < len(cues) else step.seconds)
            event = self._breathing_wait(deadline)
            current = cues[max(k - 1, 0)].cycle
            if event is Command.PAUSE:  # paused and back: that breath again, a moment from now
                k = next(j for j, c in enumerate(cues) if c.cycle == current)
                start = self.clock.now() + RESUME_GAP - cues[k].at
                continue
            if event is Command.SLOWER or event is Command.FASTER:
                pace, step = self._change_pace(event, pace, step, current)
                continue
            if k == len(cues):
                return
            self._say_cue(cues[k], step.seconds)
            k += 1

    def _say_cue(self, cue: Cue, total: float) -> None:
        self.speaker.say(self._cue_line(cue, total), self.voice)

    @staticmethod
    def _cue_line(cue: Cue, total: float) -> Line:
        left = max(0, round(total - cue.at))
        detail = f"({left // 60}:{left % 60:02d} left)" if cue.kind else ""
        tone = cue.kind if cue.sound in ("tone", "both") else ""
        return Line(cue.text, "cue", tone=tone, spoken=cue.sound != "tone", detail=detail)

    def _breathing_wait(self, deadline: float) -> Command | None:
        """Wait until the deadline, hearing commands. Returns PAUSE when the person paused and is
        back, SLOWER or FASTER for a change of pace, None when the time has come."""
        while (left := deadline - self.clock.now()) > TIME_TOLERANCE:
            if self.input_ended:
                self.clock.sleep(left)
                return None
            event = self._breathing_input(self._listen(NEXT, left).value)
            if event is not None:
                return event
        return None

    def _breathing_input(self, value: Answer | Command | Miss) -> Command | None:
        """What was heard while breathing. Stop and skip leave the breathing; pause holds until
        the person is back and returns PAUSE; slower and faster are returned for the caller to
        apply; help, louder and softer are done here; anything else is ignored (None)."""
        if value is Miss.ENDED:
            self.input_ended = True
        elif value is Command.STOP:
            raise _Stop
        elif value in (Command.SKIP, Answer.NEXT):
            raise _Skip
        elif value is Command.PAUSE:
            self._hold(self._by_mode(self.phrases.paused_voice, self.phrases.paused_keys))
            return Command.PAUSE
        elif value is Command.SLOWER or value is Command.FASTER:
            return value
        elif value in _WHILE_BREATHING:
            assert isinstance(value, Command)
            self._command(value, -1)  # never moves: these commands only speak or adjust
        return None


def _label(heard: Heard, expect: Expect) -> str:
    """How the transcript shows what was heard; "" for nothing heard."""
    value = heard.value
    if value in (Miss.SILENCE, Miss.ENDED):
        return ""
    if value is Miss.UNCLEAR:
        return f'"{heard.text}"' if heard.text else ""
    if value is Answer.PHRASE:
        return expect.phrase
    return str(value)
