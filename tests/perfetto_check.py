#!/usr/bin/env python3
"""The Perfetto export of every bundled program, read as a strict trace parser reads it.

For each program in programs/ and five machine settings and policies, `ticklab run -f perfetto` and
`ticklab run -f json` of the same run, then:
  - every event has ph, cat, name, pid, tid and ts (metadata and counters too), ts never
    goes back, X events have a dur >= 0;
  - each flow start (s) has exactly one finish (f) with its id, not before it;
  - B/E pairs nest on every track (pid, tid), each E closing the B it names, none left open;
  - each shared variable's counter equals, at every sample, the value of the last `write`
    of that variable in the JSON at or before that tick, and its last sample is the final
    value the JSON gives;
  - the ready-queue counter equals, at every sample, the number of threads the JSON's events
    leave ready (made ready, woken or preempted, and not dispatched, killed or waiting
    since), with a sample at every tick at which that number changes;
  - every flow start lies in an X slice of its track, and its finish at the start of one;
  - every race in the JSON is an instant named after its variable at the tick of its second
    access; a deadlock is an instant naming the JSON's deadlock message; every fault and every
    migration of the JSON is there (an instant on the new core; a flow arrow when the thread
    did work on its old core).

Usage: perfetto_check.py TICKLAB [PROGRAM...]   (default: every programs/*.tl)
"""

import glob
import json
import os
import subprocess
import sys

SETTINGS = [["--cores", "1"], ["--cores", "2"], ["--cores", "3", "--switch-cost", "1", "--quantum", "1"],
            ["--cores", "2", "--scheduler", "per-core", "--load", "4K"], ["--cores", "2", "--scheduler", "mlfq"]]
REQUIRED = ("ph", "cat", "name", "pid", "tid", "ts")


def run(ticklab, args):
    done = subprocess.run([ticklab, "run", *args], capture_output=True, timeout=120)
    if done.returncode not in (0, 4, 5):
        raise AssertionError(f"ticklab run {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
    return json.loads(done.stdout)


def check(ticklab, program, settings):
    where = f"{program} {' '.join(settings)}"
    trace = run(ticklab, [program, *settings, "-f", "perfetto"])
    engine = run(ticklab, [program, *settings, "-f", "json"])
    problems = []
    events = trace["traceEvents"]

    last_ts = None
    stacks = {}
    flows = {}
    process_of_pid = {}
    for index, event in enumerate(events):
        missing = [key for key in REQUIRED if key not in event]
        if missing:
            problems.append(f"event {index} ({event.get('ph')}) lacks {', '.join(missing)}")
            continue
        if event["ph"] == "M":
            if event["name"] == "process_name":
                process_of_pid[event["pid"]] = event["args"]["name"]
            continue
        if last_ts is not None and event["ts"] < last_ts:
            problems.append(f"event {index} goes back in time: {event['ts']} after {last_ts}")
        last_ts = event["ts"]
        track = (event["pid"], event["tid"])
        if event["ph"] == "X" and event.get("dur", -1) < 0:
            problems.append(f"event {index}: X without a dur >= 0")
        elif event["ph"] == "B":
            stacks.setdefault(track, []).append(event["name"])
        elif event["ph"] == "E":
            stack = stacks.get(track, [])
            if not stack:
                problems.append(f"event {index}: E on {track} with no B open")
            elif stack[-1] != event["name"]:
                problems.append(f"event {index}: E {event['name']!r} closes B {stack[-1]!r} on {track}")
            else:
                stack.pop()
        elif event["ph"] in ("s", "f"):
            if "id" not in event:
                problems.append(f"event {index}: flow without an id")
                continue
            flows.setdefault(event["id"], []).append(event)
    for track, stack in stacks.items():
        if stack:
            problems.append(f"B left open on {track}: {stack}")
    for flow_id, pair in flows.items():
        phases = [event["ph"] for event in pair]
        if phases != ["s", "f"]:
            problems.append(f"flow {flow_id} is {phases}, not one s then one f")
        elif pair[1].get("bp") != "e" or pair[1]["ts"] < pair[0]["ts"]:
            problems.append(f"flow {flow_id}: finish unbound or before its start")

    # Shared variables: the value of the last write at or before each sample.
    writes = {}
    for event in engine["events"]:
        if event["kind"] == "write":
            writes.setdefault((event["process"], event["variable"]), []).append((event["tick"], event["value"]))
    last_sample = {}
    for event in events:
        if event["ph"] != "C" or event["cat"] != "variable":
            continue
        key = (process_of_pid[event["pid"]], event["name"])
        tick = event["ts"] // 1000
        before = [value for at, value in writes.get(key, []) if at <= tick]
        if before and before[-1] != event["args"]["value"]:
            problems.append(f"{key[0]}.{key[1]} is {event['args']['value']} at tick {tick}; the JSON has {before[-1]}")
        last_sample[key] = event["args"]["value"]
    for process in engine["processes"]:
        for name, value in process["variables"].items():
            if last_sample.get((process["name"], name)) != value:
                problems.append(f"{process['name']}.{name}: last sample {last_sample.get((process['name'], name))}, final {value}")

    # The ready queue: threads made ready and not yet dispatched or killed.
    ready_after = {}
    ready = set()
    for event in engine["events"]:
        kind = event["kind"]
        if kind in ("ready", "wake", "preempt"):
            ready.add(event["thread"])
        elif kind in ("dispatch", "killed", "gil-wait", "lock-wait", "join-wait", "block", "exit", "fault"):
            ready.discard(event["thread"])
        ready_after[event["tick"]] = len(ready)
    samples = [event for event in events if event["ph"] == "C" and event["name"] == "ready queue"]
    if engine["events"] and not samples:
        problems.append("no ready-queue counter")
    for event in samples:
        tick = event["ts"] // 1000
        known = [count for at, count in ready_after.items() if at <= tick]
        expected = known[-1] if known else 0
        if sum(event["args"].values()) != expected:
            problems.append(f"ready queue {event['args']} at tick {tick}; the JSON's events leave {expected} ready")

    # And no change is missed: a sample at every tick the JSON's count changes.
    sampled = {event["ts"] // 1000 for event in samples}
    previous = 0
    for tick in sorted(ready_after):
        if samples and ready_after[tick] != previous and tick not in sampled:
            problems.append(f"the ready queue becomes {ready_after[tick]} at tick {tick}, and no sample says so")
        previous = ready_after[tick]

    instants = [event for event in events if event["ph"] == "i"]
    for race in engine["races"]:
        if not any(e["cat"] == "race" and e["name"] == f"race on {race['variable']}" and e["ts"] == race["second"]["tick"] * 1000
                   for e in instants):
            problems.append(f"no instant for the race on {race['variable']} at tick {race['second']['tick']}")
    if "deadlock" in engine and not any(e["name"] == engine["deadlock"] for e in instants):
        problems.append(f"no instant naming the deadlock {engine['deadlock']!r}")
    for fault in (e for e in engine["events"] if e["kind"] == "fault"):
        if not any(e["name"] == f"{fault['thread']} faults: {fault['message']}" for e in instants):
            problems.append(f"no instant for {fault['thread']}'s fault")
    # Every migration is an instant on its new core; a flow arrow joins the thread's last slice
    # on the old core to its first on the new one when it did work on the old one.
    migrations = [e for e in engine["events"] if e["kind"] == "migrate"]
    moved = [e for e in instants if e["cat"] == "migration"]
    if [(e["ts"] // 1000, e["tid"] - 1, e["args"]["from_core"]) for e in moved] != [(e["tick"], e["core"], e["from_core"]) for e in migrations]:
        problems.append(f"{len(moved)} migration instants for {len(migrations)} migrations")
    slices = {}
    for event in events:
        if event["ph"] == "X":
            slices.setdefault((event["pid"], event["tid"]), []).append((event["ts"], event["ts"] + event["dur"]))
    for flow_id, pair in flows.items():
        start, finish = pair[0], pair[-1]
        if not any(a <= start["ts"] < b for a, b in slices.get((start["pid"], start["tid"]), [])):
            problems.append(f"flow {flow_id} starts outside any slice")
        if not any(a == finish["ts"] for a, _ in slices.get((finish["pid"], finish["tid"]), [])):
            problems.append(f"flow {flow_id} finishes where no slice starts")
    def worked_on(thread, core, before):
        names = (thread, f"switch to {thread}", f"{thread} (bus wait)")
        return any(e["ph"] == "X" and e["pid"] == 1 and e["tid"] == core + 1 and e["name"] in names and e["ts"] < before
                   for e in events)
    bindable = sum(1 for m in migrations if worked_on(m["thread"], m["from_core"], m["tick"] * 1000))
    if len(flows) != bindable:
        problems.append(f"{len(flows)} flows for {bindable} migrations from a core the thread worked on")
    return [f"{where}: {problem}" for problem in problems]


def main():
    ticklab = sys.argv[1]
    programs = sys.argv[2:] or sorted(glob.glob(os.path.join("programs", "*.tl")))
    problems = []
    checked = 0
    for program in programs:
        for settings in SETTINGS:
            problems += check(ticklab, program, settings)
            checked += 1
    for problem in problems[:50]:
        print(problem)
    print(f"perfetto: {checked} runs checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
