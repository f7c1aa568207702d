# bench/decisions.sh — the "decisions" section of bench/run.sh, which sources
# it (it uses run.sh's OUT, freeport and start_ferry). BENCH=decisions
# ./bench/run.sh runs this section alone.
#
# The policy engine's decision throughput on the embedded defaults (SQLite,
# local disk), the load on this same machine: POST /api/v1/precheck, and
# create-then-delete (POST /api/v1/transfers, then the sender's recall,
# DELETE /api/v1/transfers/{id}); each by the Go load generator (bench/load)
# and by wrk (bench/wrk/*.lua), each on a fresh node. A decision is a
# pre-check whose verdict is "accepted", or a create answered 201; any other
# answer is counted apart and fails the run. The goal: at least 5,000
# decisions/s with p99 under 5 ms.
#
# DEC_C concurrent connections (default 4, two per CPU: 8 answered no more
# decisions/s, with a higher p99 — past 4 the requests only queue), DEC_D
# the measured duration (default 10s), DEC_RUNS runs of each (default 1).
DEC_C=${DEC_C:-4}
DEC_D=${DEC_D:-10s}
DEC_RUNS=${DEC_RUNS:-1}

# The node runs `ferry serve --config` with this policy: the embedded
# defaults but for the enterprise tier, whose sender makes tens of thousands
# of creates in a run (the default burst limit is 30 a minute).
DEC_CFG=$OUT/ferry-decisions.yaml
cat >"$DEC_CFG" <<'YAML'
policy:
  tiers:
    enterprise:
      burst: {count: 100000000, per: 1m}
      daily_volume: 1PB
      storage_quota: 1PB
YAML

if [ -n "${FERRY_PID:-}" ]; then kill "$FERRY_PID" 2>/dev/null || true; wait "$FERRY_PID" 2>/dev/null || true; fi
echo "== decisions: $DEC_C connections, $DEC_D each, $DEC_RUNS run(s), load on this machine ($(nproc) CPUs)"
echo "   policy: the embedded defaults, but tiers.enterprise burst 100000000 per 1m, daily_volume 1PB, storage_quota 1PB ($DEC_CFG)"
go build -o "$OUT/bin/ferry-load" ./bench/load
if ! command -v wrk >/dev/null; then
  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi

# decide TOOL MODE: one measurement on a fresh node; prints its result line,
# and fails on any answer that is not a decision.
decide() {
  local port url out=$OUT/decisions-$1-$2.txt ok=1 m0 m1 t0 t1
  port=$(freeport); start_ferry "$OUT/ferry-data-decisions" "$port" "$DEC_CFG"
  url=http://127.0.0.1:$port
  m0=$(scrape "$url"); t0=$(date +%s.%N)
  if [ "$1" = load ]; then
    "$OUT/bin/ferry-load" -url "$url" -admin-password bench-admin-pw -mode "$2" -c "$DEC_C" -d "$DEC_D" >"$out" || ok=0
  else
    FERRY_TOKEN=$TOKEN FERRY_TO=bob wrk -t 2 -c "$DEC_C" -d "$DEC_D" -s "bench/wrk/$2.lua" "$url" >"$out" || ok=0
  fi
  m1=$(scrape "$url"); t1=$(date +%s.%N)
  kill "$FERRY_PID"; wait "$FERRY_PID" 2>/dev/null || true
  rm -rf "$OUT/ferry-data-decisions"
  local line
  line=$(grep '^result ' "$out" || true)
  # non2xx, rejected, errors and socket_errors must all be 0.
  if [ $ok = 0 ] || [ -z "$line" ] || echo "$line" | grep -Eq '(non2xx|rejected|errors)=[1-9]'; then
    echo "   $1 $2: not every answer was a decision (see $out):" >&2
    cat "$out" >&2
    exit 1
  fi
  # What the node used, from its /metrics: CPU in cores (of nproc) and
  # the share of the time its one SQLite writer was busy, over the run
  # (the load generator's own CPU is not in it).
  echo "$line $(echo "$m0 $m1 $t0 $t1" | awk '{ s = $6 - $5; printf "node_cores=%.2f writer_busy=%.2f", ($3 - $1) / s, ($4 - $2) / s }')"
}

# scrape URL: the node's CPU seconds and SQLite writer busy seconds so far.
scrape() {
  curl -sf "$1/metrics" | awk '$1 == "process_cpu_seconds_total" { c = $2 } $1 == "ferry_sqlite_writer_busy_seconds_total" { w = $2 } END { print c + 0, w + 0 }'
}

dec_results=()
for _ in $(seq "$DEC_RUNS"); do
  for tool in load wrk; do
    for mode in precheck create-delete; do
      line=$(decide "$tool" "$mode")
      echo "   $line"
      dec_results+=("$line")
    done
  done
done

printf '%s\n' "${dec_results[@]}" | awk '
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["tool"] " " f["mode"]; n[key]++; d[key] = d[key] " " f["decisions_per_s"]; p[key] = p[key] " " f["p99_ms"]
    if (!(key in first)) { order[++k] = key; first[key] = 1 } }
  END {
    printf "\n%-28s %18s %14s   %s\n", "decisions (goal >= 5000/s, p99 < 5 ms)", "decisions/s", "p99 ms", "runs"
    for (i = 1; i <= k; i++) printf "%-28s %18s %14s   %d\n", order[i], d[order[i]], p[order[i]], n[order[i]]
    print "(create-delete: a decision is a create; each also costs a delete, so requests/s is twice that)"
    print "(node_cores, writer_busy on each result line: the node'"'"'s CPU in cores and its SQLite writer'"'"'s busy share)"
  }'
