#!/usr/bin/env python3
"""The lab page and the playground in a real browser (headless Chromium).

    tests/browser_test.py build/ticklab [build-web/web]

For each page `ticklab run ... --format html` writes, Chromium opens it at #tick=N and the
DOM the player built is compared with the engine's own answers at that tick: the thread on
each core and the ready queue (from --format csv), every shared variable (from the writes in
--format json), and the outcome texts (race, deadlock, crash). The page must set no
data-error (the player records any uncaught error there) and refer to no network address.
With a playground directory (meson -Dweb=true), the WebAssembly build runs under node and
must print the same JSON as the native binary, and the playground page runs the kitchen on 1
and 3 cores in Chromium with the terminal's makespans (13 and 7).

Exits 77 (skipped, for meson) when Chromium is not installed; CI installs it.
"""
import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(condition, what):
    if condition:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        failures.append(what)


def browser():
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def dump_dom(chromium, url, budget=5000):
    profile = tempfile.mkdtemp(prefix="ticklab-chromium-")
    try:
        result = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 "--user-data-dir=" + profile, "--virtual-time-budget=%d" % budget,
                                 "--dump-dom", url],
                                capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return result.stdout


def ticklab(binary, *args):
    return subprocess.run([binary] + list(args), capture_output=True, text=True).stdout


def engine_at(binary, args, tick):
    """What the engine says about tick `tick`: cores and ready queue (csv), shared values (json)."""
    rows = list(csv.reader(io.StringIO(ticklab(binary, *args, "--format", "csv"))))
    header, row = rows[0], None
    for candidate in rows[1:]:
        if candidate and candidate[0] == str(tick):
            row = candidate
    cores = [row[i] for i, name in enumerate(header) if name.startswith("core")] if row else []
    ready = row[header.index("ready")] if row else ""
    run = json.loads(ticklab(binary, *args, "--format", "json"))
    values = {}
    for process in run["processes"]:
        for name in process["variables"]:
            values[name] = None
    for event in run["events"]:
        if event["kind"] == "write" and event["tick"] <= tick:
            values[event["variable"]] = event["value"]
    # Variables never written keep their initial values: the page's data says which.
    return cores, ready, values


def page_at(dom):
    cores = {int(core): html.unescape(thread)
             for core, thread in re.findall(r'data-core="(\d+)">[^<]*<span class="running" data-thread="([^"]*)"', dom)}
    queues = [html.unescape(threads) for threads in re.findall(r'class="queue" data-queue="[^"]*" data-threads="([^"]*)"', dom)]
    values = {html.unescape(name): int(value)
              for name, value in re.findall(r'class="variable" data-var="([^"]*)" data-value="(-?\d+)"', dom)}
    return cores, " ".join(q for q in queues if q), values


def text_of(dom):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)))


def lab_pages(binary, chromium, work):
    cases = [
        (["run", "race", "--cores", "2"], [150, 300]),
        (["run", "kitchen", "--cores", "1"], [2, 7]),
        (["run", "tellers", "--cores", "2", "--quantum", "3"], [9]),
        (["run", "deadlock", "--cores", "2"], [2]),
        (["run", "crash", "--cores", "2"], [6, 7]),
    ]
    for args, ticks in cases:
        name = "-".join(a.lstrip("-") for a in args[1:])
        page = os.path.join(work, name + ".html")
        with open(page, "w") as f:
            f.write(ticklab(binary, *args, "--format", "html"))
        source = open(page).read()
        check(not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", source) and "https://" not in source
              and source.count("http://") == source.count("http://www.w3.org/2000/svg"),
              "%s: the page refers to no network address" % name)
        for tick in ticks:
            dom = dump_dom(chromium, "file://%s#tick=%d" % (page, tick))
            check("data-error" not in dom.split(">")[1] if dom.count(">") > 1 else False,
                  "%s #tick=%d: no script error" % (name, tick))
            check('data-tick="%d"' % tick in dom, "%s #tick=%d: the player is at tick %d" % (name, tick, tick))
            want_cores, want_ready, want_values = engine_at(binary, args, tick)
            got_cores, got_ready, got_values = page_at(dom)
            end = int(re.search(r'class="lab( js)?" data-end="(\d+)"', dom).group(2))
            if tick < end:
                check([got_cores.get(i, "") for i in range(len(want_cores))] == want_cores,
                      "%s #tick=%d: cores run %s (page: %s)" % (name, tick, want_cores, got_cores))
                check(got_ready == want_ready,
                      "%s #tick=%d: ready queue '%s' (page: '%s')" % (name, tick, want_ready, got_ready))
            for variable, value in want_values.items():
                if value is not None:
                    check(got_values.get(variable) == value,
                          "%s #tick=%d: %s = %s (page: %s)" % (name, tick, variable, value, got_values.get(variable)))
            yield name, tick, dom


def outcome_texts(pages):
    by = {(name, tick): dom for name, tick, dom in pages}
    race = text_of(by[("race-cores-2", 150)])
    check("count = 50" in race, "race #tick=150 shows count = 50, its value at that tick")
    check("shared variables of counter: count = 100" in race, "race: the outcome says count = 100")
    check("race: thread b (line 17) reads count at tick 0 and thread a (line 14) writes it at tick 2" in race,
          "race: the outcome names the race on count, with both lines")
    tellers = text_of(by[("tellers-cores-2-quantum-3", 9)])
    check(re.search(r"race: thread teller_\w \(line \d+\) \w+ balance", tellers) is not None,
          "tellers: the outcome names the race on balance")
    deadlock = text_of(by[("deadlock-cores-2", 2)])
    check("deadlock: left waits for mutex 'fork2' held by right; right waits for mutex 'fork1' held by left" in deadlock,
          "deadlock: the outcome names both mutexes and says deadlock")
    check("fork1: held by A left" in deadlock and "fork2: held by B right" in deadlock,
          "deadlock #tick=2: the mutex panel shows both holders")
    crash = text_of(by[("crash-cores-2", 7)])
    check("fault at tick 7: tab (process browser, line 13) ran 'crash'; the rest of browser was killed (2 threads)" in crash,
          "crash: the outcome has the summary's fault line")
    check("tab (faulted)" in crash and "renderer (killed)" in crash, "crash: faulted and killed as the summary says")
    kitchen = text_of(by[("kitchen-cores-1", 7)])
    check("finished at tick 13: makespan 13" in kitchen, "kitchen: the outcome has the makespan")


def korean_and_compare(binary, chromium, work):
    page = os.path.join(work, "compare-ko.html")
    with open(page, "w") as f:
        f.write(ticklab(binary, "compare", "kitchen", "--format", "html", "--lang", "ko"))
    dom = dump_dom(chromium, "file://%s#tick=5" % page)
    check('<html lang="ko"' in dom, "compare --lang ko: <html lang=\"ko\">")
    moments = re.findall(r'class="moment" data-run="(\d)"', dom)
    check(moments == ["0", "1"], "compare: both runs shown at the same tick")
    check(dom.count('id="cursor-0"') == 1 and 'id="cursor-1"' in dom and 'visibility="visible"' in dom,
          "compare: one cursor per run, shown")
    check("준비 큐" in text_of(dom) and "속도 향상" in text_of(dom), "compare --lang ko: Korean words")
    check("speed-up 1.86x; efficiency 61.9%" in text_of(dom), "compare: the right run's speed-up (13 / 7 ticks) and efficiency")


def playground(binary, chromium, web):
    node = shutil.which("node") or shutil.which("nodejs")

    def wasm_run(args):
        script = ("Promise.resolve(require(%s)({print: s => process.stdout.write(s + '\\n'), "
                  "printErr: s => process.stderr.write(s + '\\n')}))"
                  ".then(m => { const code = m.callMain(%s); process.exitCode = code; })"
                  % (json.dumps(os.path.join(web, "ticklab.js")), json.dumps(args)))
        return subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=300)

    if node:
        for args in (["run", "kitchen", "--cores", "3", "--format", "json"],
                     ["run", "race", "--cores", "2", "--format", "json"],
                     ["run", "deadlock", "--cores", "2", "--format", "json"]):
            wasm = wasm_run(args)
            native = subprocess.run([binary] + args, capture_output=True, text=True)
            check(wasm.stdout == native.stdout and wasm.returncode == native.returncode,
                  "wasm under node: ticklab %s gives the native JSON and exit code %d" % (" ".join(args), native.returncode))
        # No Lua in WebAssembly: a policy file is refused with a clear message, as bad input.
        wasm = wasm_run(["run", "kitchen", "--scheduler", "policies/rr.lua"])
        check(wasm.stderr.startswith("ticklab: error: policies/rr.lua: policies written in Lua are not available in the playground; "
                                     "run ticklab on a computer for them") and wasm.stdout == "" and wasm.returncode == 3,
              "wasm under node: a Lua policy is refused with the playground's message and exit code 3 (got %d: %r)"
              % (wasm.returncode, wasm.stderr))
    for cores, makespan in ((1, 13), (3, 7)):
        url = "file://%s/index.html?program=kitchen&cores=%d&policy=rr&quantum=2&run" % (web, cores)
        dom = dump_dom(chromium, url, budget=60000)
        text = text_of(dom)
        check("finished at tick %d: makespan %d" % (makespan, makespan) in text,
              "playground: kitchen on %d core%s, makespan %d" % (cores, "" if cores == 1 else "s", makespan))
        check('data-exit="0"' in dom, "playground: the engine exited 0 on %d cores" % cores)
        check('<option value="rr">' in dom and ".lua" not in dom, "playground: the policy list has rr and no policy written in Lua")
    dom = dump_dom(chromium, "file://%s/index.html?program=kitchen&source=process%%20p%%0A%%20%%20thread%%20t%%0A%%20%%20%%20%%20compute%%20x%%0A&run"
                   % web, budget=60000)
    text = text_of(dom)
    check("kitchen-edited.tl:3:13: error" in text and "^" in text,
          "playground: an error in the program shows with its line, column and caret")


def main():
    binary = os.path.abspath(sys.argv[1])
    web = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    chromium = browser()
    if not chromium:
        print("skipped: Chromium is not installed (apt-get install chromium); .ci/run installs it and runs this test")
        return 77
    work = tempfile.mkdtemp(prefix="ticklab-browser-")
    try:
        pages = list(lab_pages(binary, chromium, work))
        outcome_texts(pages)
        korean_and_compare(binary, chromium, work)
        if web:
            playground(binary, chromium, web)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
