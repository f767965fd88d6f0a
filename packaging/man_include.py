#!/usr/bin/env python3
"""Writes the help2man include file of ticklab.1: a section per command with that command's
own --help, as the binary prints it, then the files, the environment and the exit status.

Usage: man_include.py TICKLAB OUTPUT"""

import sys

import help_text


def roff(text):
    """Text for a .nf block: backslashes and hyphens escaped, no line read as a request."""
    lines = []
    for line in text.rstrip("\n").splitlines():
        line = line.replace("\\", "\\e").replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def text(line):
    """Running text: backslashes and hyphens escaped, not read as a request."""
    return roff(line)


def command_section(ticklab, name, summary):
    """A command's --help as a man page section: its summary, usage, a tagged paragraph per
    positional and option, and its closing notes."""
    help = help_text.help_of(ticklab, name)
    usage = next((line for line in help.splitlines() if line.startswith("Usage: ")), "")
    positionals, options = help_text.entries(ticklab, name)
    out = [f'.SS "ticklab {name}"', text(summary), ".PP", "\\fB" + text(usage.removeprefix("Usage: ")) + "\\fR"]
    for entry in positionals + options:
        names = ", ".join("\\fB" + text(n) + "\\fR" for n in entry.names)
        kind = f" \\fI{text(entry.kind)}\\fR" if entry.kind else ""
        out += [".TP", names + kind, text(entry.description) if entry.description else "\\&"]
    notes = help_text.notes(help)
    for note in notes:
        out += [".PP", text(note)]
    return out + [""]


def main():
    ticklab, output = sys.argv[1], sys.argv[2]
    parts = [
        "[DESCRIPTION]",
        ".PP",
        "ticklab is an educational emulator of an operating system's scheduler: programs in a small "
        "toy language run on a machine of a few cores, RAM, storage and a bus, and ticklab shows what "
        "each core runs at every tick, the ready queues, the shared variables and the metrics.",
        ".PP",
        "Each command has its own options, listed below as \\fBticklab\\fR \\fICOMMAND\\fR "
        "\\fB\\-\\-help\\fR prints them.",
        "",
        "[COMMANDS]",
    ]
    for name, summary in help_text.commands(ticklab):
        parts += command_section(ticklab, name, summary)
    parts += [
        "[FILES]",
        ".TP",
        "\\fIprograms/\\fR, \\fIlessons/\\fR, \\fIpolicies/\\fR",
        "The bundled programs, lessons and Lua policies, in the installed data directory "
        "(\\fIshare/ticklab\\fR under the prefix), or in the directory \\fBTICKLAB_DATA\\fR names.",
        "",
        "[ENVIRONMENT]",
        ".TP",
        "\\fBTICKLAB_DATA\\fR",
        "A directory holding programs/, lessons/ and policies/, searched before the installed one.",
        ".TP",
        "\\fBTICKLAB_PROGRESS\\fR",
        "The file in which \\fBticklab lesson\\fR keeps which lessons are done.",
        ".TP",
        "\\fBCOLUMNS\\fR",
        "The width of the Gantt chart when \\fB\\-\\-width\\fR is not given.",
        ".TP",
        "\\fBLANG\\fR",
        "The lessons' language when \\fB\\-\\-lang\\fR is not given (ko for Korean).",
        "",
        "[EXIT STATUS]",
        "0 ok, 2 usage error, 3 bad input, 4 a thread faulted or the run deadlocked, 5 tick limit "
        "reached (or explore stopped at \\-\\-max\\-states), 6 out of memory, 70 internal error.",
        "",
        "[SEE ALSO]",
        "The documents in docs/ of the ticklab sources: cli.md, language.md, output.md, visual.md.",
        "",
    ]
    with open(output, "w", encoding="utf-8") as out:
        out.write("\n".join(parts))


if __name__ == "__main__":
    main()
