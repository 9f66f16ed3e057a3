# shellcheck shell=bash
# Simulated Cassandra ring membership, shared by tests/cluster/nodetool (run through
# `kubectl exec`) and tests/cluster/registrar (which watches pods). Sourced, not executed.
#
# A ring is the set of pods of one StatefulSet (the pod name without its last "-<ordinal>") in
# one namespace. Its state lives in $CASCTL_CLUSTER_HOME/ring/<namespace>/<set>, one line per
# node that ever joined:
#
#   pod|host_id|identity|pod_uid|state|address|dc|rack|tokens
#
# state is normal, leaving or left (decommissioned). identity is the UID of the pod's
# PersistentVolumeClaim ("-" without one): like Cassandra, which keeps its host ID on its data
# volume, a pod re-created on the same claim rejoins with the same host ID, and one on a new
# claim (or after a decommission) joins as a new node. Whether a node is up is not stored: it
# is up while its pod (same UID) exists, is Ready and is not being deleted.
#
# Requires: CASCTL_CLUSTER_HOME, KUBECONFIG and kubectl on PATH.

US=$'\x1f'
# One line per pod, fields separated by US (a non-whitespace separator keeps empty fields).
POD_FIELDS="{.metadata.namespace}$US{.metadata.name}$US{.metadata.uid}$US{.metadata.deletionTimestamp}$US"
POD_FIELDS+="{.status.conditions[?(@.type==\"Ready\")].status}$US{.status.podIP}$US"
POD_FIELDS+="{.spec.containers[0].env[?(@.name==\"CASSANDRA_DC\")].value}$US"
POD_FIELDS+="{.spec.containers[0].env[?(@.name==\"CASSANDRA_RACK\")].value}$US"
POD_FIELDS+="{.spec.containers[0].env[?(@.name==\"CASSANDRA_NUM_TOKENS\")].value}$US"
POD_FIELDS+="{.spec.volumes[*].persistentVolumeClaim.claimName}$US"
POD_FIELDS+="{.metadata.annotations.casctl\\.test/decommission-delay}"

# ring_set POD_NAME: the StatefulSet a pod belongs to, in RING_SET (no subshell: the
# status of a large ring calls it once per pod).
ring_set() {
  if [[ $1 =~ ^(.+)-[0-9]+$ ]]; then RING_SET=${BASH_REMATCH[1]}; else RING_SET=$1; fi
}

# ring_ordinal POD_NAME: the pod's ordinal, in RING_ORDINAL.
ring_ordinal() {
  if [[ $1 =~ -([0-9]+)$ ]]; then RING_ORDINAL=${BASH_REMATCH[1]}; else RING_ORDINAL=0; fi
}

ring_file() { echo "$CASCTL_CLUSTER_HOME/ring/$1/$2"; }

# ring_lock NS SET: takes the ring's lock for the rest of the calling (sub)shell.
ring_lock() {
  local f
  f=$(ring_file "$1" "$2")
  mkdir -p "${f%/*}"
  exec {RING_LOCK_FD}>>"$f.lock"
  flock "$RING_LOCK_FD"
}

# ring_load NS SET: reads the state into the arrays R_POD, R_HOST, R_IDENT, R_UID, R_STATE,
# R_ADDR, R_DC, R_RACK, R_TOKENS.
ring_load() {
  local f line
  f=$(ring_file "$1" "$2")
  R_POD=() R_HOST=() R_IDENT=() R_UID=() R_STATE=() R_ADDR=() R_DC=() R_RACK=() R_TOKENS=()
  [ -f "$f" ] || return 0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    IFS='|' read -r p h i u s a d r t <<<"$line"
    R_POD+=("$p") R_HOST+=("$h") R_IDENT+=("$i") R_UID+=("$u") R_STATE+=("$s")
    R_ADDR+=("$a") R_DC+=("$d") R_RACK+=("$r") R_TOKENS+=("$t")
  done <"$f"
}

ring_save() {
  local f i
  f=$(ring_file "$1" "$2")
  {
    for i in "${!R_POD[@]}"; do
      printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "${R_POD[i]}" "${R_HOST[i]}" "${R_IDENT[i]}" \
        "${R_UID[i]}" "${R_STATE[i]}" "${R_ADDR[i]}" "${R_DC[i]}" "${R_RACK[i]}" "${R_TOKENS[i]}"
    done
  } >"$f.tmp"
  mv "$f.tmp" "$f"
}

# ring_index POD: index of the pod's entry in the loaded state, or 1 (false) when it has none.
ring_index() {
  local i
  for i in "${!R_POD[@]}"; do
    if [ "${R_POD[i]}" = "$1" ]; then RING_INDEX=$i; return 0; fi
  done
  return 1
}

# ring_parse LINE: splits a POD_FIELDS line into P_NS, P_NAME, P_UID, P_DELETING, P_READY,
# P_IP, P_DC, P_RACK, P_TOKENS, P_CLAIM, P_DECOMMISSION_DELAY (defaults applied).
# shellcheck disable=SC2034 # the P_* variables are read by the scripts that source this
ring_parse() {
  IFS=$US read -r P_NS P_NAME P_UID P_DELETING P_READY P_IP P_DC P_RACK P_TOKENS P_CLAIM \
    P_DECOMMISSION_DELAY <<<"$1"
  P_DC=${P_DC:-datacenter1} P_RACK=${P_RACK:-rack1} P_TOKENS=${P_TOKENS:-16}
  P_CLAIM=${P_CLAIM%% *}
}

# ring_is_up: whether the parsed pod runs a live Cassandra node.
ring_is_up() { [ "$P_READY" = True ] && [ -z "$P_DELETING" ] && [ -n "$P_IP" ]; }

# ring_observe: records the parsed pod in the loaded state (the caller holds the lock and saves).
# A Ready pod joins, or rejoins with its old host ID when it runs on the same claim.
ring_observe() {
  ring_is_up || return 0
  local i identity
  if ring_index "$P_NAME"; then
    i=$RING_INDEX
    if [ "${R_UID[i]}" = "$P_UID" ]; then
      # Same pod as before: a decommissioned one stays out of the ring.
      [ "${R_STATE[i]}" = left ] && return 0
      R_ADDR[i]=$P_IP R_DC[i]=$P_DC R_RACK[i]=$P_RACK R_TOKENS[i]=$P_TOKENS
      return 0
    fi
  else
    i=${#R_POD[@]}
  fi
  identity=-
  if [ -n "$P_CLAIM" ]; then
    identity=$(kubectl get pvc -n "$P_NS" "$P_CLAIM" -o 'jsonpath={.metadata.uid}' 2>/dev/null) || identity=-
    identity=${identity:--}
  fi
  if [ "$i" -lt "${#R_POD[@]}" ] && [ "${R_STATE[i]}" != left ] && [ "${R_IDENT[i]}" = "$identity" ]; then
    : # restart on the same data: same host ID
  else
    R_HOST[i]=$(cat /proc/sys/kernel/random/uuid)
  fi
  R_POD[i]=$P_NAME R_IDENT[i]=$identity R_UID[i]=$P_UID R_STATE[i]=normal
  R_ADDR[i]=$P_IP R_DC[i]=$P_DC R_RACK[i]=$P_RACK R_TOKENS[i]=$P_TOKENS
}

# ring_pods NS SET: prints the POD_FIELDS lines of the set's pods.
ring_pods() {
  local line
  kubectl get pods -n "$1" -o "jsonpath={range .items[*]}$POD_FIELDS{\"\\n\"}{end}" |
    while IFS= read -r line; do
      ring_parse "$line"
      ring_set "$P_NAME"
      [ "$RING_SET" = "$2" ] && printf '%s\n' "$line"
    done
  return "${PIPESTATUS[0]}"
}
