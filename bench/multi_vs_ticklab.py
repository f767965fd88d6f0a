#!/usr/bin/env python3
"""Times OSTEP's multi.py (cpu-sched-multi) against ticklab on the same workload, and checks
that both give every job the same finish time.

    bench/multi_vs_ticklab.py PATH/TO/multi.py build-release/ticklab [--repeat 3]

multi.py is not part of ticklab: give the path of a copy you fetched
(https://github.com/remzi-arpacidusseau/ostep-homework, cpu-sched-multi/multi.py).

The workload: 64 jobs of 2,000 to 2,400 ticks (about 2,200 on average, each a multiple of
10), on 8 CPUs, quantum 10; then the same with every job 8 times as long. The settings that
make the two simulators follow the same rules:

- multi.py: one central queue (no -p), its cache model off (-r 1: a warm cache runs no
  faster; -w 0, working sets 0), -c for the finish time, -t for the per-tick trace from
  which each job's finish time is read (the tick after the last one it ran).
- ticklab: `run --jobs ... --scheduler rr --cores 8 --quantum 10`.
- multi.py's timer is global: every CPU is interrupted at each multiple of the quantum, so a
  job dispatched mid-quantum gets only the rest of it. ticklab gives each dispatch a full
  quantum. With every job a multiple of the quantum long, all jobs start together and every
  slice ends on a multiple of 10, so the two rules give the same schedule; the check below
  proves it for this workload.
"""

import argparse
import resource
import statistics
import subprocess
import sys


def jobs(scale):
    # Deterministic lengths: 2,000 to 2,400 ticks in steps of 10, mean about 2,200.
    return [(f"j{i}", (2000 + (i * 37 % 41) * 10) * scale) for i in range(64)]


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# CPU time (user + system) of the child, which waiting for a core on a busy machine does not
# inflate; the median of `repeat` runs.
def timed(command, repeat):
    times = []
    for _ in range(repeat):
        start = cpu_of_children()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(cpu_of_children() - start)
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(command[:3])} ...\n{done.stderr.decode()}")
    return statistics.median(times)


def multi_command(multi, workload, trace):
    job_list = ",".join(f"{name}:{length}:0" for name, length in workload)
    command = [sys.executable, multi, "-n", "8", "-q", "10", "-L", job_list, "-r", "1", "-w", "0", "-c"]
    return command + (["-t"] if trace else [])


def multi_finishes(multi, workload):
    out = subprocess.run(multi_command(multi, workload, True), capture_output=True, text=True, check=True).stdout
    last = {}
    for line in out.splitlines():
        fields = line.split()
        if not fields or not fields[0].isdigit() or not line.startswith(" "):
            continue
        tick = int(fields[0])
        for name in fields[1:]:
            if name != "-":
                last[name] = tick
    return {name: tick + 1 for name, tick in last.items()}


def ticklab_command(ticklab, workload, form):
    job_list = ",".join(f"{name}:0:{length}" for name, length in workload)
    return [ticklab, "run", "--jobs", job_list, "--scheduler", "rr", "--cores", "8", "--quantum", "10", "--format", form]


def ticklab_finishes(ticklab, workload):
    out = subprocess.run(ticklab_command(ticklab, workload, "csv-metrics"), capture_output=True, text=True,
                         check=True).stdout
    lines = out.splitlines()
    header = lines[0].split(",")
    job, finish = header.index("job"), header.index("finish")
    return {row.split(",")[job]: int(row.split(",")[finish]) for row in lines[1:]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("multi", help="path of multi.py")
    parser.add_argument("ticklab", help="path of the ticklab binary")
    parser.add_argument("--repeat", type=int, default=3, help="median of this many runs (default 3)")
    args = parser.parse_args()

    print("CPU seconds (user + system) of each simulator's process, median of the runs")
    print(f"{'workload':<26} {'makespan':>9} {'multi.py s':>11} {'ticklab s':>10} {'ratio':>8}  same finish times")
    for scale in (1, 8):
        workload = jobs(scale)
        want = multi_finishes(args.multi, workload)
        got = ticklab_finishes(args.ticklab, workload)
        same = want == got
        multi_s = timed(multi_command(args.multi, workload, False), args.repeat)
        # csv-metrics: one run (the summary would add the speed-up's second run on one core).
        ticklab_s = timed(ticklab_command(args.ticklab, workload, "csv-metrics"), max(args.repeat, 5))
        mean = sum(length for _, length in workload) / len(workload)
        label = f"64 jobs x ~{mean:,.0f} ticks"
        print(f"{label:<26} {max(got.values()):>9} {multi_s:>11.3f} {ticklab_s:>10.4f} {multi_s / ticklab_s:>7.0f}x  "
              f"{'yes' if same else 'NO'}")
        if not same:
            for name, _ in workload:
                if want.get(name) != got.get(name):
                    print(f"  {name}: multi.py {want.get(name)}, ticklab {got.get(name)}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
