#!/usr/bin/env python3
"""Writes ticklab's bash and zsh completions from the binary's own --help texts and the
bundled files: every command, every option of each (from `ticklab COMMAND --help`), the
values an option lists ({auto,always,never}, `Output: table, summary, ...`), the policy names
(`ticklab schedulers` and policies/*.lua), the bundled programs (programs/*.tl), the lessons
(their numbers and names, lessons/en/NN-name.lesson), and files where a path is expected.

Usage: completions.py TICKLAB SOURCE_ROOT BASH_OUTPUT ZSH_OUTPUT"""

import glob
import os
import re
import subprocess
import sys

import help_text

# What a positional (by its name in --help) or an option's value is, when it is not a list
# of choices that --help gives: "program" (a bundled program or a .tl file), "lesson" (a number,
# a name or a .lesson file), "policy" (a built-in or bundled policy, or a .lua file), "lua"
# (a .lua file), "file" (any file).
POSITIONALS = {"program": "program", "lesson": "lesson", "policy": "lua"}
OPTIONS = {"--scheduler": "policy", "--output": "file", "--choices": "file"}


def bundled(source_root, ticklab):
    schedulers = subprocess.run([ticklab, "schedulers"], capture_output=True, text=True, check=True).stdout
    builtins = []
    for line in schedulers.splitlines():
        if not line.strip():
            break
        if not line.startswith(" "):
            builtins.append(line.split()[0])
    policies = builtins + sorted(os.path.basename(p) for p in glob.glob(os.path.join(source_root, "policies", "*.lua")))
    programs = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(source_root, "programs", "*.tl")))
    lessons = []
    for path in sorted(glob.glob(os.path.join(source_root, "lessons", "en", "*.lesson"))):
        match = re.match(r"(\d+)-(.*)\.lesson$", os.path.basename(path))
        if match:
            lessons.append((str(int(match.group(1))), match.group(2)))
    return {"policy": policies, "program": programs, "lesson": [n for n, _ in lessons] + [name for _, name in lessons]}


def model(ticklab):
    """[(command, summary, positionals, options)], each option as (names, kind, choices, description)."""
    out = []
    for name, summary in help_text.commands(ticklab):
        positionals, options = help_text.entries(ticklab, name)
        kinds = []
        for entry in positionals:
            if entry.names[0] not in POSITIONALS:
                raise SystemExit(f"completions.py: 'ticklab {name}' has a positional '{entry.names[0]}' it does not know")
            kinds.append(POSITIONALS[entry.names[0]])
        opts = []
        for entry in options:
            kind = ""
            if entry.takes_value():
                kind = next((OPTIONS[n] for n in entry.names if n in OPTIONS), "")
            opts.append((entry.names, entry.takes_value(), kind, entry.choices(), entry.description))
        out.append((name, summary, kinds, opts))
    return out


def words(items):
    return " ".join(items)


def write_bash(path, commands, data):
    lines = [
        "# bash completion for ticklab. Generated at build time by packaging/completions.py from",
        "# `ticklab --help`, each command's --help and the bundled files; do not edit.",
        "",
        "_ticklab_files() { # $1: a glob such as '*.tl', or empty for any file",
        '    local IFS=$\'\\n\'',
        '    compopt -o filenames 2>/dev/null',
        '    if [[ -n $1 ]]; then',
        '        COMPREPLY+=( $(compgen -f -X "!$1" -- "$cur") $(compgen -d -- "$cur") )',
        '    else',
        '        COMPREPLY+=( $(compgen -f -- "$cur") )',
        '    fi',
        "}",
        "",
        "_ticklab_value() { # $1: what the word is",
        '    case $1 in',
        f'        program) COMPREPLY+=( $(compgen -W "{words(data["program"])} -" -- "$cur") ); _ticklab_files \'*.tl\' ;;',
        f'        lesson) COMPREPLY+=( $(compgen -W "{words(data["lesson"])}" -- "$cur") ); _ticklab_files \'*.lesson\' ;;',
        f'        policy) COMPREPLY+=( $(compgen -W "{words(data["policy"])} all" -- "$cur") ); _ticklab_files \'*.lua\' ;;',
        "        lua) _ticklab_files '*.lua' ;;",
        "        file) _ticklab_files '' ;;",
        "    esac",
        "}",
        "",
        "_ticklab() {",
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
        "    COMPREPLY=()",
        "    if (( COMP_CWORD == 1 )); then",
        f'        COMPREPLY=( $(compgen -W "{words(c[0] for c in commands)} --help --version" -- "$cur") )',
        "        return 0",
        "    fi",
        "    local command=${COMP_WORDS[1]}",
        '    case "$command" in',
    ]
    for name, _, positionals, options in commands:
        lines.append(f"    {name})")
        # The value of the option just typed.
        cases = []
        for names, takes, kind, choices, _ in options:
            if not takes:
                continue
            pattern = "|".join(names)
            if choices:
                cases.append(f'            {pattern}) COMPREPLY=( $(compgen -W "{words(choices)}" -- "$cur") ); return 0 ;;')
            elif kind:
                cases.append(f"            {pattern}) _ticklab_value {kind}; return 0 ;;")
            else:
                cases.append(f"            {pattern}) return 0 ;;")
        if cases:
            lines += ['        case "$prev" in', *cases, "        esac"]
        all_names = [n for names, *_ in options for n in names]
        lines.append('        if [[ $cur == -* ]]; then')
        lines.append(f'            COMPREPLY=( $(compgen -W "{words(all_names)}" -- "$cur") )')
        if positionals:
            lines.append("        else")
            lines.append(f"            _ticklab_value {positionals[0]}")
        lines += ["        fi", "        ;;"]
    lines += ["    esac", "    return 0", "}", "", "complete -F _ticklab ticklab", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


def zsh_text(text):
    """A description inside a single-quoted _arguments spec: no quote, bracket or colon."""
    text = text.replace("'", "").replace("[", "(").replace("]", ")").replace(":", " -").replace("\\", "").replace("$", "")
    return text[:100]


def write_zsh(path, commands, data):
    lines = [
        "#compdef ticklab",
        "# zsh completion for ticklab. Generated at build time by packaging/completions.py from",
        "# `ticklab --help`, each command's --help and the bundled files; do not edit.",
        "",
        "_ticklab_program() {",
        f"  local -a programs=({words(data['program'])} -)",
        "  _alternative 'programs:bundled program:compadd -a programs' 'files:program file:_files -g \"*.tl\"'",
        "}",
        "_ticklab_lesson() {",
        f"  local -a lessons=({words(data['lesson'])})",
        "  _alternative 'lessons:lesson:compadd -a lessons' 'files:lesson file:_files -g \"*.lesson\"'",
        "}",
        "_ticklab_policy() {",
        f"  local -a policies=({words(data['policy'])} all)",
        "  _alternative 'policies:policy:compadd -a policies' 'files:policy file:_files -g \"*.lua\"'",
        "}",
        "_ticklab_lua() { _files -g '*.lua' }",
        "_ticklab_file() { _files }",
        "",
        "_ticklab_commands() { _describe 'command' commands }",
        "",
        "_ticklab() {",
        "  local -a commands=(",
    ]
    for name, summary, _, _ in commands:
        lines.append(f"    '{name}:{zsh_text(summary)}'")
    lines += [
        "  )",
        "  if (( CURRENT == 2 )); then",
        "    _arguments '(- *)--help[Print the help and exit]' '(- *)--version[Print the version and exit]' \\",
        "      '1:command:_ticklab_commands'",
        "    return",
        "  fi",
        "  local command=$words[2]",
        "  shift words",
        "  (( CURRENT-- ))",
        "  case $command in",
    ]
    for name, _, positionals, options in commands:
        specs = []
        for names, takes, kind, choices, description in options:
            exclusive = f"({' '.join(names)})" if len(names) > 1 else ""
            spelled = "{" + ",".join(names) + "}" if len(names) > 1 else names[0]
            value = ""
            if takes:
                if choices:
                    value = f":value:({' '.join(choices)})"
                elif kind:
                    value = f":{kind}:_ticklab_{kind}"
                else:
                    value = ":value: "
            if len(names) > 1:
                specs.append(f"'{exclusive}'{spelled}'[{zsh_text(description)}]{value}'")
            else:
                specs.append(f"'{spelled}[{zsh_text(description)}]{value}'")
        for position, kind in enumerate(positionals, 1):
            specs.append(f"'{position}:{kind}:_ticklab_{kind}'")
        lines.append(f"    {name})")
        lines.append("      _arguments -s \\")
        lines += [f"        {spec} \\" for spec in specs[:-1]]
        lines.append(f"        {specs[-1]}")
        lines.append("      ;;")
    lines += ["  esac", "}", "", '_ticklab "$@"', ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))


def main():
    ticklab, source_root, bash_out, zsh_out = sys.argv[1:5]
    commands = model(ticklab)
    data = bundled(source_root, ticklab)
    write_bash(bash_out, commands, data)
    write_zsh(zsh_out, commands, data)


if __name__ == "__main__":
    main()
