#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""What one tracer saw of a storm's children, from the tracer's own output.

Usage: seen.py TOOL OUTPUT_PREFIX PIDS_FILE... > "fork exec exit reap lost"

Each of fork, exec, exit and reap is the number of storm children whose
event of that kind the output lacks, or "-" when the tool cannot report
that kind at all. lost is what the tool itself said it lost (its own
messages: ring or perf buffer overruns, skipped BPF program runs).
Run by bench/run.sh; the formats are each tool's default text output.
"""
import glob
import re
import sys

NUM = re.compile(r"\d+")
LOST = [re.compile(p, re.I) for p in (
    r"lost (\d+) events",            # libbpf-tools, bpftrace, perf trace
    r"records received \d+ \([^)]*\); lost (\d+)",  # forkscope's summary
    r"^forkscope_records_lost_total\{[^}]*\} (\d+)",  # its exporter's scrape
)]


def lines(prefix, suffix=""):
    for name in sorted(glob.glob(prefix + suffix)):
        with open(name, errors="replace") as f:
            yield from f


def lost_in(prefix):
    total = 0
    for line in lines(prefix, "*"):
        for pat in LOST:
            total += sum(int(n) for n in pat.findall(line))
    return total


def forkscope(prefix):
    seen = {k: set() for k in ("fork", "exec", "exit", "reap")}
    for line in lines(prefix):
        f = line.split(None, 3)
        if len(f) < 4 or f[1] not in seen or not f[2].isdigit():
            continue
        if f[1] == "fork":
            m = re.search(r"child (\d+)", line)
            if m:
                seen["fork"].add(int(m.group(1)))
        else:
            seen[f[1]].add(int(f[2]))
    return seen


def counts_only(prefix):
    # the exporter counts in the kernel: no event to miss, losses its own
    return {"fork": None, "exec": None, "exit": None, "reap": None}


def forkstat(prefix):
    # "12:00:00 fork  4242 child ...", "exec 4242 ...", "exit 4242 ..."
    seen = {"fork": set(), "exec": set(), "exit": set(), "reap": None}
    for line in lines(prefix):
        f = line.split()
        if len(f) < 3 or not f[2].isdigit():
            continue
        if f[1] == "fork" and len(f) > 3 and f[3] == "child":
            seen["fork"].add(int(f[2]))
        elif f[1] in ("exec", "exit"):
            seen[f[1]].add(int(f[2]))
    return seen


def bpftrace(prefix):
    # the bench's one-liner: "fork PARENT CHILD", "exec PID", "exit TID"
    seen = {"fork": set(), "exec": set(), "exit": set(), "reap": None}
    for line in lines(prefix):
        f = line.split()
        if len(f) >= 2 and f[0] in seen and f[-1].isdigit():
            seen[f[0]].add(int(f[-1]))
    return seen


def snoops(prefix):
    # execsnoop: "PCOMM PID PPID RET ARGS"; exitsnoop: "PCOMM PID PPID TID ..."
    seen = {"fork": None, "exec": set(), "exit": set(), "reap": None}
    for kind, suffix in (("exec", ".exec"), ("exit", ".exit")):
        for line in lines(prefix, suffix):
            f = line.split()
            if len(f) > 2 and f[1].isdigit():
                seen[kind].add(int(f[1]))
    return seen


def perf_trace(prefix):
    pats = {
        "fork": re.compile(r"sched_process_fork\(.*child_pid: (\d+)"),
        "exec": re.compile(r"sched_process_exec\(.*?\bpid: (\d+)"),
        "exit": re.compile(r"sched_process_exit\(.*?\bpid: (\d+)"),
        "reap": re.compile(r"sched_process_free\(.*?\bpid: (\d+)"),
    }
    seen = {k: set() for k in pats}
    for line in lines(prefix):
        for kind, pat in pats.items():
            m = pat.search(line)
            if m:
                seen[kind].add(int(m.group(1)))
                break
    return seen


PARSERS = {
    "forkscope": forkscope,
    "forkscope-cow": forkscope,
    "forkscope-record": forkscope,  # its recording, read by trace -i
    "forkscope-exporter": counts_only,
    "forkstat": forkstat,
    "bpftrace": bpftrace,
    "execsnoop+exitsnoop": snoops,
    "perf-trace": perf_trace,
}


def main():
    tool, prefix, pid_files = sys.argv[1], sys.argv[2], sys.argv[3:]
    want = set()
    for name in pid_files:
        try:
            with open(name) as f:
                want |= {int(x) for x in f if x.strip()}
        except FileNotFoundError:
            pass
    seen = PARSERS[tool](prefix)
    spawn = any(name.endswith("spawn") for name in pid_files)
    out = []
    for kind in ("fork", "exec", "exit", "reap"):
        if seen[kind] is None or (kind == "exec" and not spawn):
            out.append("-")
        else:
            out.append(str(len(want - seen[kind])))
    out.append(str(lost_in(prefix)))
    print(" ".join(out))


if __name__ == "__main__":
    main()
