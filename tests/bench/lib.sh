# shellcheck shell=bash
# Shared by the benchmark scripts: whole-process timing and peak memory with /usr/bin/time,
# medians, and the locally built kubectl. Source it; do not run it.
#
# The caller sets `kubectl` (usually kubectl=$(kubectl_bin)) before new_namespace or
# delete_namespaces, which say so when it did not.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The release binary of casctl (built if missing or stale).
casctl_bin() {
  (cd "$bench_root" && cargo build --release --quiet) >&2
  echo "$bench_root/target/release/casctl"
}

# The kubectl built with the local control plane.
kubectl_bin() {
  local dir
  dir=$("$bench_root/tests/cluster/build" kubernetes 2>/dev/null) || return 1
  echo "$dir/kubectl"
}

# measure_ms RUNS COMMAND... : runs the command RUNS times (output discarded) and prints
# "<median wall ms> <median peak RSS KiB>": wall time from date (0.1 ms resolution;
# /usr/bin/time rounds to 10 ms), peak memory from /usr/bin/time.
measure_ms() {
  local runs=$1; shift
  local start end walls=() rss=() tmp
  tmp=$(mktemp)
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tmp" "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    walls+=("$(( (end - start) / 100000 ))")   # tenths of a millisecond
    rss+=("$(tail -1 "$tmp")")
  done
  rm -f "$tmp"
  local w
  w=$(median "${walls[@]}")
  echo "$(awk -v w="$w" 'BEGIN{printf "%.1f", w / 10}') $(median "${rss[@]}")"
}

median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'
}

# The local control plane's kubeconfig (started if needed; the caller stops nothing).
cluster_kubeconfig() {
  "$bench_root/tests/local-cluster" status >/dev/null 2>&1 || "$bench_root/tests/local-cluster" up >&2
  "$bench_root/tests/local-cluster" kubeconfig
}

# Templates whose pods become Ready as soon as they run (the local control plane's
# casctl.test/ready-delay annotation), in a fresh directory printed on stdout.
instant_ready_templates() {
  local dir
  dir=$(mktemp -d)
  cp "$bench_root/templates/service.yaml" "$dir/"
  # The pod template's label is the only one indented by 8 spaces.
  grep -c '^        app: cassandra$' "$bench_root/templates/statefulset.yaml" | grep -qx 1 ||
    { echo "the StatefulSet template's layout changed" >&2; return 1; }
  sed '/^        app: cassandra$/a\      annotations:\n        casctl.test/ready-delay: "0s"' \
    "$bench_root/templates/statefulset.yaml" >"$dir/statefulset.yaml"
  echo "$dir"
}

# new_namespace PREFIX: creates a fresh namespace bench-PREFIX-<random>, named in NS and
# remembered in the array `namespaces` for the caller's cleanup (not in a subshell: call it
# directly, not as $(new_namespace …)). Needs $kubectl and KUBECONFIG.
new_namespace() {
  : "${kubectl:?new_namespace needs kubectl (kubectl=\$(kubectl_bin))}"
  NS="bench-$1-$RANDOM$RANDOM"
  namespaces+=("$NS")
  "$kubectl" create namespace "$NS" >/dev/null
  "$kubectl" wait --for=create --timeout=60s -n "$NS" serviceaccount/default >/dev/null
}

# delete_namespaces: the cleanup of every namespace new_namespace made.
delete_namespaces() {
  : "${kubectl:?delete_namespaces needs kubectl (kubectl=\$(kubectl_bin))}"
  local ns
  for ns in "${namespaces[@]}"; do "$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done
}

# now_ms: wall clock in milliseconds.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The API server's audit log (tests/local-cluster keeps one).
audit_log() { echo "$(dirname "$(cluster_kubeconfig)")/kwok/clusters/casctl/logs/audit.log"; }

# iso_us MS: an epoch time in milliseconds as the audit log writes times (UTC, microseconds),
# so that times compare as strings.
iso_us() { date -u -d "@$(( $1 / 1000 )).$(printf '%03d' $(( $1 % 1000 )))" +%Y-%m-%dT%H:%M:%S.%6NZ; }

# audit_count AGENT_PREFIX FROM_MS TO_MS: requests whose user agent starts with AGENT_PREFIX,
# received between the two times (one audit line per request: the policy logs only the
# ResponseComplete stage).
audit_count() {
  local prefix=$1 from to
  from=$(iso_us "$2"); to=$(iso_us "$3")
  # Requests still open at TO (watches) are logged when they end; give them a moment.
  sleep 2
  grep -F "\"userAgent\":\"$prefix" "$(audit_log)" |
    grep -o '"requestReceivedTimestamp":"[^"]*"' |
    awk -F'"' -v from="$from" -v to="$to" '$4 >= from && $4 <= to { n++ } END { print n + 0 }'
}
