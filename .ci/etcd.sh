# Starts one etcd member on loopback for the etcd backend's tests, as
# .ci/run and the GitHub workflow both do: fast elections so that 1 s
# leases are allowed, a data dir of its own, free ports. Source it, then
# call start_etcd; it exports LOCKABLE_ETCD_ENDPOINTS and etcd_pid, and
# stop_etcd stops it by pid and removes its data.

start_etcd() {
	etcd_dir=$(mktemp -d)
	local ports client_port peer_port
	ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
	read -r client_port peer_port <<<"$ports"
	etcd --name ci --data-dir "$etcd_dir/data" \
		--listen-client-urls "http://127.0.0.1:$client_port" --advertise-client-urls "http://127.0.0.1:$client_port" \
		--listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
		--initial-cluster "ci=http://127.0.0.1:$peer_port" \
		--heartbeat-interval 10 --election-timeout 100 >"$etcd_dir/log" 2>&1 &
	etcd_pid=$!
	for _ in $(seq 100); do
		if etcdctl --endpoints "127.0.0.1:$client_port" endpoint health >/dev/null 2>&1; then break; fi
		kill -0 "$etcd_pid" 2>/dev/null || { cat "$etcd_dir/log"; return 1; }
		sleep 0.1
	done
	etcdctl --endpoints "127.0.0.1:$client_port" endpoint health
	export LOCKABLE_ETCD_ENDPOINTS="127.0.0.1:$client_port"
}

# (|| true: under set -e a failing command in an EXIT trap would become
# the script's exit status, and etcd stopped by SIGTERM exits 143.)
stop_etcd() {
	kill "$etcd_pid" 2>/dev/null || true
	wait "$etcd_pid" 2>/dev/null || true
	rm -rf "$etcd_dir"
}
