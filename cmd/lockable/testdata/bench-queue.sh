#!/usr/bin/env bash
# How fairly lockable serves jobs that wait, measured on whole processes.
# By hand only, not in CI: the numbers depend on the machine.
#
#   bash cmd/lockable/testdata/bench-queue.sh [lockable-binary]   # 5 rounds of each scenario
#   ROUNDS=9 bash cmd/lockable/testdata/bench-queue.sh
#
# Scenarios, each job holding its resource for 100 ms (sleep 0.1):
#   why  2 Android phones (dev1, dev2); 7 jobs, 20 ms apart: six ask for
#        any Android phone, the 4th asks for dev1 only.
#   32   2 resources; 32 jobs, 5 ms apart, all asking for either.
#
# For each round it prints, and at the end the medians over the rounds:
#   longest/bound  the longest wait over the longest wait an arrival-order
#                  schedule gives (simulated with the holds as measured,
#                  from each command's first line to its last, and no time
#                  lost between holds; 1.00 is arrival order at no cost)
#   jain           Jain's fairness index of the waits (1.00: all equal)
#   wall/ideal     from the first arrival to the last release, over the
#                  same for the arrival-order schedule
#   gap ms         the median time from one job's last line to the next
#                  job's first line on the same resource: the release, the
#                  wake-up, the take and the start of the next command
#   cpu/handover   CPU time (user+sys) of all jobs beyond what as many
#                  uncontended jobs cost, per hand-over
#   dev1 overtaken how often a job that came after the dev1 job and also
#                  fits dev1 got dev1 before it (why only; want 0)
set -euo pipefail
cd "$(dirname "$0")/../../.."

rounds=${ROUNDS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lockable=${1:-}
if [ -z "$lockable" ]; then
	lockable=$work/lockable
	go build -o "$lockable" ./cmd/lockable
fi

cat >"$work/lab.json" <<'EOF'
[
  {"id": "dev1", "hostname": "bench", "online": true, "os": "android"},
  {"id": "dev2", "hostname": "bench", "online": true, "os": "android"}
]
EOF
export LOCKABLE_RESOURCES=$work/lab.json LOCKABLE_HOSTNAME=bench

# job runs job $2 of a round in directory $1, asking for $3; the command
# holds the resource for 100 ms and notes when it began and ended.
job() {
	local dir=$1 i=$2 req=$3
	date +%s.%N >"$dir/arrive.$i"
	"$lockable" -q --timeout 120 --requirements "$req" -- \
		"echo \$(date +%s.%N) \$ID >$dir/got.$i; sleep 0.1; date +%s.%N >$dir/done.$i"
}

# cputime prints the CPU time (user + sys, seconds) of the children of
# the shell that calls it, as bash's times tells it (to the millisecond).
cputime() {
	times >"$work/times" # not in a pipe: a pipe's subshell has no children
	tail -1 "$work/times" | python3 -c '
import re, sys
print(sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", sys.stdin.read())))'
}

# baseline is the median CPU of an uncontended job, command included, in
# seconds.
baseline() {
	local dir=$work/baseline
	mkdir -p "$dir"
	export LOCKABLE_LOCK_FOLDER=$dir/locks
	for i in $(seq 5); do
		(job "$dir" "$i" os=android; cputime)
	done | python3 -c '
import sys, statistics
print(statistics.median(float(l) for l in sys.stdin))'
}

# round runs one round of a scenario in its own directory.
round() {
	local scenario=$1 dir=$2 n gap
	mkdir -p "$dir"
	export LOCKABLE_LOCK_FOLDER=$dir/locks
	case $scenario in
	why) n=7 gap=0.02 ;;
	32) n=32 gap=0.005 ;;
	esac
	local pids=()
	for i in $(seq 0 $((n - 1))); do
		local req=os=android
		if [ "$scenario" = why ] && [ "$i" = 3 ]; then req=id=dev1; fi
		job "$dir" "$i" "$req" &
		pids+=($!)
		sleep "$gap"
	done
	wait "${pids[@]}"
	cputime >"$dir/cpu"
}

analyze() {
	python3 - "$@" <<'EOF'
import glob, os, statistics, sys

base, dirs = float(sys.argv[1]), sys.argv[2:]

def fifo(arrive, fits, hold):
    """The arrival-order schedule: whenever a resource is free, it goes to
    the earliest arrived waiting job that fits it (a job that fits both
    takes dev2 first, leaving dev1 to the job that needs it), which holds
    it for as long as it did in the run."""
    n = len(arrive)
    free_at = {"dev1": 0.0, "dev2": 0.0}
    start, waiting = {}, []
    order = sorted(range(n), key=lambda i: arrive[i])
    t, k = min(arrive), 0
    while len(start) < n:
        while k < n and arrive[order[k]] <= t + 1e-12:
            waiting.append(order[k])
            k += 1
        for r in ("dev2", "dev1"):
            if free_at[r] > t + 1e-12:
                continue
            fit = [i for i in waiting if r in fits[i]]
            if fit:
                i = fit[0]
                waiting.remove(i)
                start[i], free_at[r] = t, t + hold[i]
        times = [f for f in free_at.values() if f > t + 1e-12] + ([arrive[order[k]]] if k < n else [])
        t = min(times) if times else t
    waits = [start[i] - arrive[i] for i in range(n)]
    return waits, max(start[i] + hold[i] for i in range(n)) - min(arrive)

rows = []
for d in dirs:
    n = len(glob.glob(os.path.join(d, "arrive.*")))
    arrive = [float(open(os.path.join(d, f"arrive.{i}")).read()) for i in range(n)]
    got = [open(os.path.join(d, f"got.{i}")).read().split() for i in range(n)]
    done = [float(open(os.path.join(d, f"done.{i}")).read()) for i in range(n)]
    start, res = [float(g[0]) for g in got], [g[1] for g in got]
    dev1_job = 3 if "why" in d else None
    fits = [["dev1"] if i == dev1_job else ["dev2", "dev1"] for i in range(n)]
    waits = [start[i] - arrive[i] for i in range(n)]
    hold = [done[i] - start[i] for i in range(n)]
    bound_waits, ideal = fifo(arrive, fits, hold)
    gaps = []
    for r in ("dev1", "dev2"):
        on = sorted((start[i], done[i]) for i in range(n) if res[i] == r)
        gaps += [b[0] - a[1] for a, b in zip(on, on[1:])]
    cpu = float(open(os.path.join(d, "cpu")).read())
    handovers = n - 2
    jain = sum(waits) ** 2 / (n * sum(w * w for w in waits)) if any(waits) else 1.0
    overtaken = 0
    if dev1_job is not None:
        overtaken = sum(1 for i in range(dev1_job + 1, n) if res[i] == "dev1" and start[i] < start[dev1_job])
    rows.append({
        "longest/bound": max(waits) / max(bound_waits),
        "jain": jain,
        "wall/ideal": (max(done) - min(arrive)) / ideal,
        "cpu/handover ms": 1000 * (cpu - n * base) / handovers,
        "longest wait s": max(waits),
        "gap ms": 1000 * statistics.median(gaps),
        "dev1 overtaken": overtaken,
    })
for r in rows:
    print("  " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.items()))
print("  median: " + "  ".join(f"{k} {statistics.median(r[k] for r in rows):.3f}" for k in rows[0]))
EOF
}

base=$(baseline)
echo "uncontended job: $(python3 -c "print(f'{1000*$base:.1f}')") ms of CPU"
for scenario in why 32; do
	echo "scenario $scenario, $rounds rounds:"
	dirs=()
	for r in $(seq "$rounds"); do
		(round "$scenario" "$work/$scenario-$r")
		dirs+=("$work/$scenario-$r")
	done
	analyze "$base" "${dirs[@]}"
done
