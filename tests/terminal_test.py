#!/usr/bin/env python3
"""A learner at a real terminal: every lesson, in English and in Korean, and the step
debugger, driven through a pseudo-terminal (so libedit reads the keys, as it does for a
person), under several locales, typing right answers, wrong ones and Korean text.

Asserted: the exit status (0; a crash is a signal, and is reported as such), each judged
answer (the right/wrong marker of the reply), that a nonsense answer in Korean is asked
again rather than taken (or taken as empty, which would reveal the answer), and that every
lesson is played to its end.

The right answers are not written here: they come from `ticklab lesson N --all`, which
prints each question with its answer. Wrong answers are made from right ones (a number
plus one, another letter). In the Korean lessons, names are typed with the words the lesson
gives them (its `@names` line: 파스타 for pasta) and whole numbers with a unit (13틱).

Run from the source root: tests/terminal_test.py build/ticklab
"""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

TICKLAB = os.path.abspath(sys.argv[1])
# Every lesson there is: the numbers of lessons/en/NN-*.lesson.
LESSONS = sorted(int(name[:2]) for name in os.listdir("lessons/en") if re.match(r"[0-9]{2}-.*\.lesson$", name))

# What the player prints, per language: the prompts it waits at, and the first words of
# its replies.
PLAYER = {
    "en": {
        "pause": "[Enter: go on, q: stop] ",
        "step": "[Enter: next tick, c: the rest, q: stop] ",
        "right": "Right: ",
        "wrong": "Not quite: ",
        "answer": "Answer: ",
        "end": "End of lesson {}.",
        "pick": "pick: ",
        "again": "[Enter: try again, s: show a way, q: stop] ",
    },
    "ko": {
        "pause": "[Enter: 계속, q: 그만] ",
        "step": "[Enter: 다음 틱, c: 나머지 모두, q: 그만] ",
        "right": "맞았습니다! ",
        "wrong": "아쉽네요. ",
        "answer": "정답: ",
        "end": "{}강 끝.",
        "pick": "선택: ",
        "again": "[Enter: 다시 하기, s: 방법 보기, q: 그만] ",
    },
}
QUESTION = "> "

# The environments a learner's terminal may have. ticklab must read UTF-8 in every one:
# no LANG at all, the C locale, a UTF-8 one, and a locale the system does not have.
LOCALES = [
    {"LANG": "C.UTF-8"},
    {},
    {"LC_ALL": "C"},
    {"LANG": "ko_KR.UTF-8"},
]

# Typed at the first question of every lesson: not an answer, so it must be asked again.
NONSENSE = "모르겠어요"

failures = []


def fail(what, transcript=""):
    failures.append(what)
    print(f"FAIL: {what}")
    if transcript:
        for line in transcript.splitlines()[-25:]:
            print(f"    | {line}")


class Terminal:
    """ticklab on the slave side of a pseudo-terminal; we are the person at the keyboard."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.output = b""
        self.seen = 0  # what the replies so far have consumed
        self.status = None

    def _read_available(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program has ended and closed the terminal
            data = b""
        if not data:
            self._reap()
            return False
        self.output += data
        return True

    def _reap(self):
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)

    def _waiting_for_keys(self):
        """Whether the program is blocked reading the terminal (read(2) on fd 0)."""
        try:
            with open(f"/proc/{self.pid}/syscall") as f:
                fields = f.read().split()
        except OSError:
            return None
        return len(fields) > 1 and fields[0] == "0" and int(fields[1], 16) == 0

    def wait(self, prompt, deadline=30.0):
        """Reads until the program waits for a line after a prompt (a regular expression the
        text must end with) or ends. Returns the new text, and whether the program ended.

        Waiting is seen in /proc (the program blocked in read(2) on the terminal) and the
        prompt must have arrived too: a pseudo-terminal passes output on asynchronously, so
        the program may be waiting while the end of what it wrote is still on its way."""
        end = time.monotonic() + deadline
        quiet_since = None
        while self.status is None:
            if time.monotonic() > end:
                raise TimeoutError("the program neither asked for input nor ended")
            if self._read_available(0.005):
                quiet_since = None
                continue
            if self.status is not None:
                break
            if not re.search(prompt + r"\Z", self.output[self.seen:].decode("utf-8", errors="replace")):
                continue
            waiting = self._waiting_for_keys()
            if waiting is None:  # no /proc: a quiet spell instead
                quiet_since = quiet_since or time.monotonic()
                waiting = time.monotonic() - quiet_since > 0.2
            if waiting:
                break
        text = self.output[self.seen:].decode("utf-8", errors="replace")
        self.seen = len(self.output)
        return text, self.status is not None

    def type(self, line):
        os.write(self.fd, (line if isinstance(line, bytes) else line.encode()) + b"\r")

    def finish(self, deadline=2.0):
        end = time.monotonic() + deadline
        while self.status is None and time.monotonic() < end:
            self._read_available(0.05)
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            self._reap()
        os.close(self.fd)
        return self.output.decode("utf-8", errors="replace")

    def exit_text(self):
        if os.WIFSIGNALED(self.status):
            return f"killed by signal {os.WTERMSIG(self.status)}"
        return f"exit {os.WEXITSTATUS(self.status)}"


def environment(home, extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm-256color", "HOME": home,
           "TICKLAB_PROGRESS": os.path.join(home, "progress"), "NO_COLOR": "1", "COLUMNS": "100"}
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra)
    return env


def lesson_file(number, language):
    directory = os.path.join("lessons", language)
    for name in sorted(os.listdir(directory)):
        if name.startswith(f"{number:02d}-") and name.endswith(".lesson"):
            return os.path.join(directory, name)
    raise FileNotFoundError(f"no lesson {number} in {directory}")


def words_for_names(number, language):
    """The lesson's @names: {'pasta': '파스타', ...}."""
    words = {}
    with open(lesson_file(number, language), encoding="utf-8") as f:
        for line in f:
            if line.startswith("@names "):
                for pair in re.split(r"[ ,]+", line[len("@names "):].strip()):
                    word, _, name = pair.partition("=")
                    words.setdefault(name, word)
    return words


def questions(number, language, home):
    """Each question of the lesson with its right answer, from `ticklab lesson N --all`:
    ("choice", letter, option count) or ("predict", answer text)."""
    shown = subprocess.run([TICKLAB, "lesson", str(number), "--lang", language, "--all"], capture_output=True,
                           env=environment(home, {"LANG": "C.UTF-8"}), stdin=subprocess.DEVNULL, timeout=60)
    if shown.returncode != 0:
        fail(f"ticklab lesson {number} --lang {language} --all: exit {shown.returncode}", shown.stderr.decode())
        return []
    found = []
    options = 0
    prefix = PLAYER[language]["answer"]
    for line in shown.stdout.decode().splitlines():
        if line.startswith("? "):
            options = 0
        elif re.match(r"  [a-z]\) ", line):
            options += 1
        elif line.startswith(prefix):
            answer = line[len(prefix):]
            if options:
                found.append(("choice", answer[0], options))
            else:
                found.append(("predict", answer.split(" — ")[0]))
    return found


def typed_answer(question, language, names, right):
    """What the learner types: the right answer, or a wrong one made from it."""
    if question[0] == "choice":
        _, letter, count = question
        if right:
            return letter
        return chr(ord("a") + (ord(letter) - ord("a") + 1) % count)
    answer = question[1]
    number = re.fullmatch(r"(-?[0-9.]+)(%?)", answer)
    if number:
        value, percent = number.group(1), number.group(2)
        if not right:
            value = f"{float(value) + (10 if percent else 1):g}"
        if percent:
            return value + ("퍼센트" if language == "ko" else "%")
        if language == "ko" and re.fullmatch(r"-?[0-9]+", value):
            return value + "틱"
        return value + (" ticks" if not right and re.fullmatch(r"-?[0-9]+", value) else "")
    # A name, or names in order (ties shown "a = b"); in Korean, the lesson's own words.
    typed = [names.get(name, name) for name in re.split(r", | = ", answer)]
    return ", ".join(typed) if right else None


def reply_of(text):
    """The first line after the echo of what was typed."""
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[1] if len(lines) > 1 else ""


def play_lesson(number, language, locale, home):
    """Plays one lesson; whether it went as expected."""
    failed_before = len(failures)
    asked = questions(number, language, home)
    if not asked:
        fail(f"lesson {number} ({language}): --all shows no question with its answer")
        return False
    names = words_for_names(number, language) if language == "ko" else {}
    player = PLAYER[language]
    what = f"ticklab lesson {number} --lang {language} ({' '.join(f'{k}={v}' for k, v in locale.items()) or 'no locale'})"
    terminal = Terminal([TICKLAB, "lesson", str(number), "--lang", language], environment(home, locale))
    index = 0         # the question being asked
    nonsense_typed = False
    expected = None   # the marker the reply to the last answer must start with
    steps = 0
    judged = {"right": 0, "wrong": 0}
    prompt = "|".join(re.escape(p) for p in (player["pause"], player["step"], QUESTION, player["pick"], player["again"]))
    try:
        while True:
            text, ended = terminal.wait(f"(?:{prompt})")
            if expected is not None:
                if expected == "again":
                    if player["right"] in text or player["wrong"] in text or player["answer"] in text:
                        # It arrived cut or empty: the question is over. Go on to see what else breaks.
                        fail(f"{what}: '{NONSENSE}' was judged instead of being asked again", text)
                        index += 1
                    elif not text.endswith(QUESTION):
                        fail(f"{what}: '{NONSENSE}' was not asked again", text)
                        break
                elif not reply_of(text).startswith(player[expected]):
                    fail(f"{what}: question {index}: expected the reply '{player[expected]}...'", text)
                    break
                else:
                    judged[expected] += 1
                expected = None
            if ended:
                break
            if text.endswith(player["pause"]):
                terminal.type("")
            elif text.endswith(player["step"]):
                steps += 1
                terminal.type("" if steps % 3 else "c")
            elif text.endswith(player["pick"]):
                terminal.type("1")  # @manual: the first ready thread, at every pick
            elif text.endswith(player["again"]):
                terminal.type("s")  # a goal missed: see a schedule that reaches it
            elif text.endswith(QUESTION):
                if index >= len(asked):
                    fail(f"{what}: more questions than --all shows ({len(asked)})", text)
                    break
                question = asked[index]
                if index == 0 and not nonsense_typed:
                    nonsense_typed = True
                    terminal.type(NONSENSE)
                    expected = "again"
                    continue
                right = index % 3 != 1
                line = typed_answer(question, language, names, right)
                if line is None:
                    right = True
                    line = typed_answer(question, language, names, True)
                terminal.type(line)
                expected = "right" if right else "wrong"
                index += 1
            else:
                fail(f"{what}: waits for input after text that is no prompt", text)
                break
    except TimeoutError as error:
        fail(f"{what}: {error}", terminal.output.decode("utf-8", errors="replace"))
    transcript = terminal.finish()
    if terminal.exit_text() != "exit 0":
        fail(f"{what}: {terminal.exit_text()}, expected exit 0", transcript)
        return False
    if index != len(asked):
        fail(f"{what}: {index} questions asked, --all shows {len(asked)}", transcript)
    if player["end"].format(number) not in transcript:
        fail(f"{what}: not played to its end", transcript)
    if judged["right"] + judged["wrong"] != len(asked):
        fail(f"{what}: {judged} judged answers for {len(asked)} questions", transcript)
    return len(failures) == failed_before


def lesson8_challenges_ko(home, locale):
    """The Korean lesson 8 at a terminal, its challenges won: explore's question answered, then
    each @manual played with the schedule `--all` shows for it, one pick at a time."""
    what = f"ticklab lesson 8 --lang ko, the challenges ({' '.join(f'{k}={v}' for k, v in locale.items()) or 'no locale'})"
    shown = subprocess.run([TICKLAB, "lesson", "8", "--lang", "ko", "--all"], capture_output=True,
                           env=environment(home, {"LANG": "C.UTF-8"}), stdin=subprocess.DEVNULL, timeout=60)
    ways = [line.split(": ", 1)[1].split() for line in shown.stdout.decode().splitlines()
            if line.startswith("이렇게 고르면 됩니다")]
    if len(ways) != 2:
        fail(f"{what}: --all shows {len(ways)} schedules for the challenges, expected 2", shown.stdout.decode())
        return
    asked = questions(8, "ko", home)
    player = PLAYER["ko"]
    terminal = Terminal([TICKLAB, "lesson", "8", "--lang", "ko"], environment(home, locale))
    prompt = "|".join(re.escape(p) for p in (player["pause"], player["step"], QUESTION, player["pick"], player["again"]))
    index = 0
    picks = []
    try:
        while True:
            text, ended = terminal.wait(f"(?:{prompt})")
            if ended:
                break
            if text.endswith(player["pick"]):
                if not picks:
                    if not ways:
                        fail(f"{what}: more challenges than --all shows", text)
                        break
                    picks = list(ways.pop(0))
                terminal.type(picks.pop(0))
            elif text.endswith(player["again"]):
                fail(f"{what}: the schedule --all shows did not reach the goal", text)
                terminal.type("q")
            elif text.endswith(QUESTION):
                question = asked[index] if index < len(asked) else ("predict", "")
                terminal.type(typed_answer(question, "ko", words_for_names(8, "ko"), True))
                index += 1
            elif text.endswith(player["step"]):
                terminal.type("c")
            else:
                terminal.type("")
    except TimeoutError as error:
        fail(f"{what}: {error}", terminal.output.decode("utf-8", errors="replace"))
    transcript = terminal.finish()
    if terminal.exit_text() != "exit 0":
        fail(f"{what}: {terminal.exit_text()}, expected exit 0", transcript)
        return
    for line in ["? count의 마지막 값은 무엇이 될 수 있을까요?",
                 "맞았습니다! explore로 race_small의 스케줄",
                 "모든 스케줄: 모두",
                 "* 도전: count가 2로 끝나도록 스케줄을 골라 보세요.",
                 "성공! ",
                 "* 도전: 두 철학자가 교착 상태에 빠지게 만들어 보세요.",
                 "틱 0, 코어 0: 어느 스레드를 실행할까요?",
                 "다음: incr count의 read 단계",
                 "8강 끝."]:
        if line not in transcript:
            fail(f"{what}: expected to see: {line}", transcript)
    if transcript.count("성공! ") != 2:
        fail(f"{what}: {transcript.count('성공! ')} challenges won, expected 2", transcript)


def step_session(home, locale):
    """The step debugger on a program whose threads have Korean, Japanese and jamo names."""
    what = f"ticklab step wide_names.tl ({' '.join(f'{k}={v}' for k, v in locale.items()) or 'no locale'})"
    terminal = Terminal([TICKLAB, "step", "tests/golden/inputs/wide_names.tl", "--cores", "2"], environment(home, locale))
    # Each command, and a line its reply must hold.
    session = [
        ("p 라면", "thread 라면 (process 주방) at tick 0: running on core 0: tick 1 of 'compute 4'"),
        ("p ラーメン", "thread ラーメン (process 주방) at tick 0: running on core 1"),
        ("break dispatch 국수", "No thread, process, shared variable or mutex is called '국수'."),
        ("break dispatch ㅋㅋ", "Breakpoint 1: stop when a 'dispatch' event happens to ㅋㅋ."),
        ("c", "Breakpoint 1 (dispatch ㅋㅋ): at tick 2, core 0 runs ㅋㅋ."),
        ("process 카페", "process 카페 at tick 2: running"),
        ("ram", "    주방         16K at 0"),
        (b"p \xff\xfe\xea\xb0", None),  # bytes that are not UTF-8: any reply, but no crash
        ("quit", None),
    ]
    prompt = r"\(tick [0-9]+\) "
    try:
        text, ended = terminal.wait(prompt)
        for command, reply in session:
            if ended:
                fail(f"{what}: ended before '{command}'", text)
                break
            terminal.type(command)
            text, ended = terminal.wait(prompt)
            if reply is not None and reply not in text:
                fail(f"{what}: '{command}' should reply: {reply}", text)
                break
    except TimeoutError as error:
        fail(f"{what}: {error}", terminal.output.decode("utf-8", errors="replace"))
    transcript = terminal.finish()
    if terminal.exit_text() != "exit 0":
        fail(f"{what}: {terminal.exit_text()}, expected exit 0", transcript)


def manual_session(home, locale):
    """Manual mode at a terminal: three choices, one undone with back, and the comparison."""
    what = f"ticklab step --manual ({' '.join(f'{k}={v}' for k, v in locale.items()) or 'no locale'})"
    terminal = Terminal([TICKLAB, "step", "--jobs", "P1:0:24,P2:0:3,P3:0:3", "--manual"], environment(home, locale))
    session = [
        ("P1", "tick 24: core 0 needs a thread."),
        ("back", "undone: P1"),
        ("2", "tick 3: core 0 needs a thread."),
        ("P3", "tick 6: core 0 needs a thread."),
    ]
    prompt = r"choose: "
    try:
        text, ended = terminal.wait(prompt)
        for command, reply in session:
            if ended:
                fail(f"{what}: ended before '{command}'", text)
                break
            terminal.type(command)
            text, ended = terminal.wait(prompt)
            if reply not in text:
                fail(f"{what}: '{command}' should reply: {reply}", text)
                break
        terminal.type("P1")
    except TimeoutError as error:
        fail(f"{what}: {error}", terminal.output.decode("utf-8", errors="replace"))
    transcript = terminal.finish()
    if "your average waiting 3.00" not in transcript or "as good as sjf" not in transcript:
        fail(f"{what}: no comparison with sjf at the end", transcript)
    if terminal.exit_text() != "exit 0":
        fail(f"{what}: {terminal.exit_text()}, expected exit 0", transcript)


def main():
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as home:
        played = 0
        for number in LESSONS:
            for language in ("en", "ko"):
                locale = LOCALES[(number + (language == "ko")) % len(LOCALES)]
                played += play_lesson(number, language, locale, home)
        for locale in LOCALES:
            step_session(home, locale)
        manual_session(home, LOCALES[0])
        lesson8_challenges_ko(home, {"LANG": "ko_KR.UTF-8"})
    print(f"terminal: {played} of {2 * len(LESSONS)} lessons played to their end as expected, "
          f"{len(LOCALES)} step sessions, {len(failures)} failures "
          f"({time.monotonic() - started:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
