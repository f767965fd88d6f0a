#!/bin/sh
# The man page and the shell completions as a user gets them: `meson install --destdir` into
# a temporary directory, then `man -l` on the page, the bash completion sourced and driven
# with COMP_WORDS/COMP_CWORD, the zsh one parsed and registered by compinit. Every command
# and every option that `ticklab COMMAND --help` lists must be in the page and be completed.
# Usage: packaging_test.sh BUILD_DIR   (run from the source root; exit 77: skipped)
set -u
build=$1
ticklab=$build/ticklab
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v man >/dev/null && command -v help2man >/dev/null || { echo "skipped: man or help2man is missing"; exit 77; }
[ -f "$build/packaging/ticklab.1" ] || { echo "skipped: the build made no man page (help2man was missing at setup)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/install.log" 2>&1 \
    || { cat "$tmp/install.log"; fail "meson install --destdir"; exit 1; }
page=$(find "$tmp/root" -path '*/share/man/man1/ticklab.1' | head -n 1)
bash_file=$(find "$tmp/root" -path '*/share/bash-completion/completions/ticklab' | head -n 1)
zsh_file=$(find "$tmp/root" -path '*/share/zsh/site-functions/_ticklab' | head -n 1)
[ -n "$page" ] || fail "no share/man/man1/ticklab.1 installed"
[ -n "$bash_file" ] || fail "no share/bash-completion/completions/ticklab installed"
[ -n "$zsh_file" ] || fail "no share/zsh/site-functions/_ticklab installed"
[ $failures -eq 0 ] || exit 1

commands=$("$ticklab" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || fail "no commands in ticklab --help"
# The options a command's --help lists: the names at the start of its option lines.
options_of() { "$ticklab" "$1" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n' | sort -u; }

# The man page: a section per command, and every option of every command in it.
MANWIDTH=80 man -l "$page" 2>"$tmp/man.err" | col -b >"$tmp/man.txt"
[ -s "$tmp/man.err" ] && { cat "$tmp/man.err"; fail "man -l printed warnings"; }
grep -q '^NAME' "$tmp/man.txt" || fail "man -l shows no NAME section"
grep -q 'ticklab - watch an operating system schedule threads' "$tmp/man.txt" || fail "the page's NAME line"
for command in $commands; do
    grep -q "^   ticklab $command\$" "$tmp/man.txt" || fail "man page: no section for 'ticklab $command'"
    for option in $(options_of "$command"); do
        grep -q -- "$option" "$tmp/man.txt" || fail "man page: $command's $option is missing"
    done
done

# bash: registered, and what it proposes for a few words typed.
complete_bash() { # the words typed so far, the last being completed; prints the candidates
    (cd "$tmp/work" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ticklab; printf "%s\n" "${COMPREPLY[@]}"' \
        "$bash_file" "$@") | sort
}
expect() { # expect "what" WANTED_WORD... -- TYPED...: every wanted word is proposed
    what=$1; shift
    wanted=""
    while [ "$1" != "--" ]; do wanted="$wanted $1"; shift; done
    shift
    got=$(complete_bash "$@")
    for word in $wanted; do
        printf '%s\n' "$got" | grep -qx -- "$word" || fail "bash, $what: '$word' not proposed for '$*' (got: $(echo $got))"
    done
}
mkdir -p "$tmp/work/sub"
touch "$tmp/work/mine.lua" "$tmp/work/notes.txt" "$tmp/work/story.tl"
bash -c '. "$0"; complete -p ticklab' "$bash_file" | grep -q -- '-F _ticklab ticklab' || fail "bash: complete -p ticklab"
[ "$(complete_bash ticklab ru)" = "run" ] || fail "bash: 'ticklab ru' should complete to run, got '$(complete_bash ticklab ru)'"
expect "commands" $commands --help --version -- ticklab ""
expect "a scheduler" rr mlfq cfs per-core mlfq.lua rr.lua mine.lua -- ticklab run --scheduler ""
expect "a scheduler" rr -- ticklab step -s ""
expect "a program" kitchen -- ticklab run kit
expect "a program" race race_small race_locked -- ticklab explore rac
expect "a program file" story.tl sub -- ticklab check ""
expect "a format" perfetto html json -- ticklab run --format ""
expect "a lesson" 1 4 12 machine -- ticklab lesson ""
expect "a file" notes.txt mine.lua -- ticklab generate -o ""
expect "a policy file" mine.lua -- ticklab check-policy ""
complete_bash ticklab check-policy "" | grep -qx notes.txt && fail "bash: check-policy proposes notes.txt, not a .lua file"
complete_bash ticklab run --cores "" | grep -q . && fail "bash: --cores proposes words for a number"
expect "the bundled programs" $(for program in programs/*.tl; do basename "$program" .tl; done) -- ticklab run ""
expect "the bundled policies" $(for policy in policies/*.lua; do basename "$policy"; done) -- ticklab run -s ""
# Every option of every command, as its --help lists it.
for command in $commands; do
    expect "$command's options" $(options_of "$command") -- ticklab "$command" -
done

# zsh, when it is installed: the file parses, and compinit registers it for ticklab.
if command -v zsh >/dev/null; then
    zsh -n "$zsh_file" || fail "zsh -n $zsh_file"
    registered=$(zsh -fc 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[ticklab]' zsh \
        "$(dirname "$zsh_file")")
    [ "$registered" = "_ticklab" ] || fail "zsh: compinit registered '$registered' for ticklab, not _ticklab"
    for command in $commands; do
        grep -q "^    '$command:" "$zsh_file" || fail "zsh: no command $command"
        for option in $(options_of "$command"); do
            grep -q -- "$option" "$zsh_file" || fail "zsh: $command's $option is missing"
        done
    done
else
    echo "zsh is not installed: its completion is not checked"
fi

if [ $failures -ne 0 ]; then
    echo "packaging: $failures failures"
    exit 1
fi
echo "packaging: the man page and the completions are installed and complete"
