"""ticklab's commands and options, read from its own --help texts (so the man page and the
completions never drift from the binary). Shared by man_include.py and completions.py."""

import re
import subprocess


def help_of(ticklab, *command):
    done = subprocess.run([ticklab, *command, "--help"], capture_output=True, text=True, check=True)
    return done.stdout


def commands(ticklab):
    """[(name, one-line description)] in the order `ticklab --help` lists them."""
    out = []
    section = None
    for line in help_of(ticklab).splitlines():
        if line and not line.startswith(" "):
            section = line.rstrip(":")
            continue
        match = re.match(r"^  (\S+)\s{2,}(.*)$", line)
        if section == "Subcommands" and match:
            out.append((match.group(1), match.group(2)))
    if not out:
        raise SystemExit("no subcommands found in 'ticklab --help'")
    return out


class Entry:
    """One positional or option: its names, the type CLI11 prints, its description."""

    def __init__(self, names, kind, description):
        self.names = names
        self.kind = kind
        self.description = description

    def choices(self):
        found = re.search(r"\{([^}]*)\}", self.kind)
        if found:
            return found.group(1).split(",")
        if "--format" in self.names:
            # "Output: table, summary, json" / "table (every tick) or summary"
            text = re.sub(r"\([^)]*\)", "", self.description.split(";")[0])
            text = text.removeprefix("Output:")
            words = [word.strip() for word in re.split(r",| or ", text)]
            if words and all(re.fullmatch(r"[a-z][a-z-]*", word) for word in words):
                return words
        return []

    def takes_value(self):
        return self.kind != ""


def entries(ticklab, command):
    """(positionals, options) of one command, as its --help lists them (-h,--help included)."""
    positionals, options = [], []
    section = None
    current = None
    for line in help_of(ticklab, command).splitlines():
        if line and not line.startswith(" "):
            section = line.rstrip(":")
            current = None
            continue
        if section not in ("Positionals", "Options") or not line.strip():
            continue
        if line.startswith("   ") and current is not None:  # a description on its own line
            current.description = (current.description + " " + line.strip()).strip()
            continue
        match = re.match(r"^  (\S+)( [^ ].*?)?(?:\s{2,}(.*))?$", line)
        if not match:
            continue
        head, kind, description = match.group(1), (match.group(2) or "").strip(), match.group(3) or ""
        current = Entry(head.split(","), kind, description)
        (positionals if section == "Positionals" else options).append(current)
    return positionals, options


def notes(help):
    """The paragraphs a command's --help ends with (exit codes, examples), after its options."""
    out = []
    seen_options = False
    for line in help.splitlines():
        if line.startswith(("Options:", "Positionals:")):
            seen_options = True
            continue
        if seen_options and line and not line.startswith(" "):
            out.append(line)
    return out
