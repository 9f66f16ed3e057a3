# Shared by the benchmark scripts: whole-process timing and peak memory with /usr/bin/time,
# medians, and the locally built kubectl. Source it; do not run it.

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
