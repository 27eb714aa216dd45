#!/usr/bin/env bash
# Memory and idle CPU of lockable serve over a lab of 10,000 resources
# (the shape of the provider benchmarks' list), on the lock folder, with
# three resources held by other lockable processes. By hand only, not in
# CI: the numbers depend on the machine.
#
#   bash cmd/lockable/testdata/bench-serve.sh
#
# It builds ./cmd/lockable, writes the list into a temp dir, starts
# lockable serve under /usr/bin/time -v, asks it for the status, the fit
# of three requirements, the metrics, the list and the event stream, and
# prints its resident memory (VmRSS, VmHWM) after loading, after the
# requests and after 10 s of nothing changing, the CPU it used in those
# 10 s, and the maximum resident size /usr/bin/time saw.
set -euo pipefail
cd "$(dirname "$0")/../../.."

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/lockable" ./cmd/lockable
awk 'BEGIN {
	printf "["
	for (i = 0; i < 10000; i++) {
		printf "%s\n  {\"id\": \"phone-%05d\", \"hostname\": \"lab-runner-%d\", \"online\": %s, \"type\": \"phone\", \"os\": \"android\", \"os_version\": %d, \"serial\": \"28031FDH%06d\", \"ram_gb\": %d, \"tags\": [\"usb\", \"5g\", \"nfc\"], \"network\": {\"ip\": \"10.%d.%d.%d\", \"wifi\": \"lab-5ghz\"}}", (i ? "," : ""), i, i % 8, (i % 10 ? "true" : "false"), 12 + i % 3, i, 4 * 2 ^ (i % 3), int(i / 65536) % 256, int(i / 256) % 256, i % 256
	}
	print "\n]"
}' >"$work/resources.json"

export LOCKABLE_RESOURCES="$work/resources.json" LOCKABLE_LOCK_FOLDER="$work/locks" LOCKABLE_HOSTNAME=lab-runner-0
lockable="$work/lockable"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
/usr/bin/time -v "$lockable" serve --listen "127.0.0.1:$port" 2>"$work/serve.err" &
timer=$!
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
serve=$(awk -v p="$timer" '$4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null | head -1)
rss() { grep -E 'VmRSS|VmHWM' "/proc/$serve/status" | tr -s ' \t' ' ' | paste -sd ' '; }
echo "loaded: $(rss)"
for id in phone-00008 phone-00016 phone-00024; do
	"$lockable" --requirements "id=$id" --no-shell -- sleep 30 &
done
for _ in $(seq 100); do [ "$(curl -s "$url/metrics" | grep -c '^lockable_resources{state="held"} 3')" = 1 ] && break; sleep 0.1; done
get() { curl -s -o /dev/null -w "%{http_code} %{size_download} bytes in %{time_total} s" "$url$1"; }
echo "/api/status: $(get /api/status)"
for q in 'os_version=13' '%7B%22ram_gb%22%3A%7B%22%24gte%22%3A8%7D%7D' 'tags=nfc'; do echo "/api/fit: $(get "/api/fit?requirements=$q")"; done
echo "/metrics: $(get /metrics)"
echo "/resources.json: $(get /resources.json)"
timeout 3 curl -s -N "$url/events" >"$work/events" || true
echo "/events: $(wc -c <"$work/events") bytes in 3 s"
echo "after the requests: $(rss)"
t0=$(awk '{print $14 + $15}' "/proc/$serve/stat")
sleep 10
t1=$(awk '{print $14 + $15}' "/proc/$serve/stat")
echo "CPU in 10 s of nothing changing: $(((t1 - t0) * 1000 / $(getconf CLK_TCK))) ms"
echo "after 10 s: $(rss)"
kill -TERM "$serve"
wait "$timer"
grep -E 'Maximum resident|Exit status' "$work/serve.err"
