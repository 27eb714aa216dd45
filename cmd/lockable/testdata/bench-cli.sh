#!/usr/bin/env bash
# Whole-process time of the lockable binary over a lab of 1,000 resources,
# measured with hyperfine (Debian: apt-get install hyperfine). By hand only,
# not in CI: the numbers depend on the machine.
#
#   bash cmd/lockable/testdata/bench-cli.sh          # 200 runs of each
#   RUNS=500 bash cmd/lockable/testdata/bench-cli.sh
#
# It builds ./cmd/lockable, writes the list into a temp dir, runs each
# command line with hyperfine (no intermediate shell, -N) and prints the
# median of each, in milliseconds. Run it several times and take the median
# of the medians: the machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/../../.."

if ! command -v hyperfine >/dev/null; then
	echo "bench-cli.sh: needs hyperfine: apt-get install hyperfine" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/lockable" ./cmd/lockable
# The static build the README suggests for start-up time: no dynamic loader.
CGO_ENABLED=0 go build -o "$work/lockable-static" ./cmd/lockable

# 1,000 resources on host lab-1: half android, ram_gb 4, 8 or 12.
awk 'BEGIN {
	printf "["
	for (i = 0; i < 1000; i++) {
		printf "%s\n  {\"id\": \"dev-%04d\", \"hostname\": \"lab-1\", \"online\": true, \"os\": \"%s\", \"ram_gb\": %d, \"tags\": [\"usb\", \"5g\"], \"network\": {\"ip\": \"10.0.%d.%d\"}}", (i ? "," : ""), i, (i % 2 ? "android" : "ios"), 4 + (i % 3) * 4, int(i / 250), i % 250
	}
	print "\n]"
}' >"$work/resources.json"

export LOCKABLE_RESOURCES="$work/resources.json" LOCKABLE_LOCK_FOLDER="$work/locks" LOCKABLE_HOSTNAME=lab-1
lockable="$work/lockable"
"$lockable" validate >/dev/null

# flock(1) is the floor a lock tool is measured against: it locks a file
# and runs the command, nothing more. lockable on the bundled lab (six
# resources) is the same job plus reading and matching a list.
mkdir -p "$work/locks"
hyperfine -N --warmup 20 --runs "${RUNS:-200}" --export-json "$work/times.json" \
	--command-name 'sh -c true (baseline: start a shell)' "sh -c true" \
	--command-name 'flock FILE true (baseline: lock a file, run true)' "flock $work/locks/flock.lock true" \
	--command-name 'lockable --no-shell -- true (bundled lab)' "$lockable --resources examples/resources.json --hostname lab-runner-1 --no-shell -- true" \
	--command-name 'lockable --no-shell -- true (bundled lab, CGO_ENABLED=0 build)' "$work/lockable-static --resources examples/resources.json --hostname lab-runner-1 --no-shell -- true" \
	--command-name 'lockable --requirements R -- true' "$lockable --requirements '{\"os\": \"android\", \"ram_gb\": {\"\$gte\": 8}}' -- true" \
	--command-name 'lockable --no-shell --requirements R -- true' "$lockable --no-shell --requirements os=android -- true" \
	--command-name 'lockable status' "$lockable status" \
	--command-name 'lockable status --json' "$lockable status --json" \
	>"$work/hyperfine.txt"

echo "medians over ${RUNS:-200} runs (1,000 resources):"
# hyperfine's JSON has one "command" and one "median" (seconds) per result.
grep -E '"(command|median)"' "$work/times.json" |
	sed -E 's/^ *"(command|median)": "?//; s/"?,?$//' |
	paste - - |
	awk -F'\t' '{ printf "  %8.2f ms  %s\n", $2 * 1000, $1 }'
