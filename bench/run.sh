#!/usr/bin/env bash
# ferry beside its peers, on this machine, in one run:
#   ingest   — a 1 GiB upload (one tus PATCH by curl) through ferry and through tusd v2 (local disk)
#   download — the same 1 GiB through ferry and through nginx serving the file
#   memory   — ferry's peak RSS (VmHWM) while it ingests a 5 GiB upload
#   decisions — the policy engine's decisions/s and p99 (bench/decisions.sh;
#               BENCH=decisions runs it alone)
#   inspected — 1 GiB of text through every inspector, to available, beside
#               tusd's plain ingest (bench/inspected.sh; BENCH=inspected)
#   s3       — a 1 GiB upload through ferry on PostgreSQL + versitygw and
#               through tusd's S3 store on the same gateway (bench/s3.sh;
#               BENCH=s3)
# Each timing is the median of $RUNS runs; the ratios are what to quote.
# Needs: curl, go; installs tusd (go install) and nginx (apt) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out}
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-1024}
BIG_MB=${BIG_MB:-5120}
mkdir -p "$OUT/bin"
export GOBIN=$OUT/bin PATH=$OUT/bin:$PATH

# BENCH=decisions runs the decisions section alone: no peers, no payload.
ONLY=${BENCH:-all}
go build -o bin/ferry ./cmd/ferry # never a stale binary
if [ "$ONLY" = all ]; then
  command -v tusd >/dev/null || go install github.com/tus/tusd/v2/cmd/tusd@v2.9.1
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null || apt-get install -y -qq nginx >/dev/null
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
waitport() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# The payload lives in memory (/dev/shm where there is one), so that reading
# it costs every server the same; before each timed run the kernel's dirty
# pages are written out and its clean caches dropped (when root), so that
# no run pays for the one before it.
SHM=/dev/shm; [ -d "$SHM" ] && [ -w "$SHM" ] || SHM=$OUT
FILE=$SHM/ferry-bench-payload-${SIZE_MB}M.bin
[ -f "$FILE" ] || [ "$ONLY" != all ] || head -c $((SIZE_MB << 20)) /dev/urandom >"$FILE"
settle() { sync; [ -w /proc/sys/vm/drop_caches ] && echo 1 >/proc/sys/vm/drop_caches || true; }
BYTES=$(stat -c %s "$FILE" 2>/dev/null || echo 0)

# start_ferry DATA PORT [CONFIG]: a fresh node, on the embedded defaults or
# with ferry.yaml CONFIG; sets FERRY_PID and TOKEN (alice, enterprise).
start_ferry() {
  rm -rf "$1"
  FERRY_ADMIN_PASSWORD=bench-admin-pw ./bin/ferry serve ${3:+--config "$3"} --data "$1" --listen "127.0.0.1:$2" >"$OUT/ferry.log" 2>&1 &
  FERRY_PID=$!; pids+=("$FERRY_PID")
  waitport "$2"
  local admin
  admin=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"admin","password":"bench-admin-pw"}' "http://127.0.0.1:$2/api/v1/login" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  for u in alice bob; do
    curl -sf -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d "{\"username\":\"$u\",\"password\":\"$u-password\",\"tier\":\"enterprise\"}" "http://127.0.0.1:$2/api/v1/admin/users"
  done
  TOKEN=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"alice","password":"alice-password"}' "http://127.0.0.1:$2/api/v1/login" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  BOB=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"bob","password":"bob-password"}' "http://127.0.0.1:$2/api/v1/login" | sed 's/.*"token":"\([^"]*\)".*/\1/')
}

# patch URL FILE [AUTH]: one tus PATCH of the whole file; prints seconds.
patch() {
  curl -sf -o /dev/null -w '%{time_total}\n' -X PATCH -H 'Expect:' -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
    -H 'Content-Type: application/offset+octet-stream' ${3:+-H "Authorization: Bearer $3"} --upload-file "$2" "$1"
}

new_transfer() { # port size [name] -> transfer id
  curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"to\":[\"bob\"],\"name\":\"${3:-payload.img}\",\"size\":$2}" "http://127.0.0.1:$1/api/v1/transfers" |
    sed 's/.*"id":"\([^"]*\)".*/\1/'
}

if [ "$ONLY" = decisions ]; then . bench/decisions.sh; exit 0; fi
if [ "$ONLY" = inspected ]; then . bench/inspected.sh; exit 0; fi
if [ "$ONLY" = s3 ]; then . bench/s3.sh; exit 0; fi

echo "== ingest: ${SIZE_MB} MiB, one PATCH each, ferry and tusd alternating, median of $RUNS"
FPORT=$(freeport); start_ferry "$OUT/ferry-data" "$FPORT"
TPORT=$(freeport); rm -rf "$OUT/tusd-data"; mkdir -p "$OUT/tusd-data"
tusd -host 127.0.0.1 -port "$TPORT" -upload-dir "$OUT/tusd-data" -base-path /files/ >"$OUT/tusd.log" 2>&1 &
pids+=($!); waitport "$TPORT"
ferry_times=(); tusd_times=(); avail_times=()
for _ in $(seq "$RUNS"); do
  settle
  LAST_ID=$(new_transfer "$FPORT" "$BYTES")
  t0=$(date +%s.%N)
  ferry_times+=("$(patch "http://127.0.0.1:$FPORT/api/v1/uploads/$LAST_ID" "$FILE" "$TOKEN")")
  # ...and until the blob is fsynced, inspected and available to bob.
  state=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$FPORT/api/v1/transfers/$LAST_ID?wait=60s" | sed 's/.*"state":"\([^"]*\)".*/\1/')
  [ "$state" = available ] || { echo "transfer ended $state" >&2; exit 1; }
  avail_times+=("$(echo "$(date +%s.%N) - $t0" | bc -l)")
  settle
  loc=$(curl -sf -D - -o /dev/null -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $BYTES" "http://127.0.0.1:$TPORT/files/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case "$loc" in http*) ;; *) loc="http://127.0.0.1:$TPORT$loc" ;; esac
  tusd_times+=("$(patch "$loc" "$FILE")")
  rm -f "$OUT"/tusd-data/*
done
FERRY_UP=$(printf '%s\n' "${ferry_times[@]}" | median)
TUSD_UP=$(printf '%s\n' "${tusd_times[@]}" | median)
AVAIL=$(printf '%s\n' "${avail_times[@]}" | median)
echo "   ferry: ${ferry_times[*]} s (available after ${avail_times[*]} s); tusd: ${tusd_times[*]} s"

echo "== download: ${SIZE_MB} MiB, median of $RUNS"
get_times=(); for _ in $(seq "$RUNS"); do
  get_times+=("$(curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $BOB" "http://127.0.0.1:$FPORT/api/v1/transfers/$LAST_ID/content")")
done
FERRY_DOWN=$(printf '%s\n' "${get_times[@]}" | median)
echo "   ferry: ${get_times[*]} s"

NPORT=$(freeport); mkdir -p "$OUT/nginx/logs"
cat >"$OUT/nginx/nginx.conf" <<NGX
daemon off; master_process off; worker_processes 1; error_log $OUT/nginx/logs/error.log; pid $OUT/nginx/nginx.pid;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on; default_type application/octet-stream;
  server { listen 127.0.0.1:$NPORT; root $(dirname "$FILE"); } }
NGX
"$NGINX" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" &
pids+=($!); waitport "$NPORT"
nginx_times=(); for _ in $(seq "$RUNS"); do
  nginx_times+=("$(curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$NPORT/$(basename "$FILE")")")
done
NGINX_DOWN=$(printf '%s\n' "${nginx_times[@]}" | median)
echo "   nginx: ${nginx_times[*]} s"

echo "== memory: ferry's peak RSS during a ${BIG_MB} MiB upload"
kill "$FERRY_PID"; wait "$FERRY_PID" 2>/dev/null || true
BIG=$OUT/sparse-${BIG_MB}M.bin; rm -f "$BIG"; truncate -s $((BIG_MB << 20)) "$BIG"
FPORT=$(freeport); start_ferry "$OUT/ferry-data-big" "$FPORT"
# A type without a per-group cap (a disk image is an archive, capped at 5 GB):
# a binary STL model, professional, which enterprise may send at any size.
BIG_ID=$(new_transfer "$FPORT" $((BIG_MB << 20)) model.stl)
BIG_T=$(patch "http://127.0.0.1:$FPORT/api/v1/uploads/$BIG_ID" "$BIG" "$TOKEN")
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$FERRY_PID/status")
rm -f "$BIG"; rm -rf "$OUT/ferry-data-big"

awk -v av="$AVAIL" -v b="$BYTES" -v fu="$FERRY_UP" -v tu="$TUSD_UP" -v fd="$FERRY_DOWN" -v nd="$NGINX_DOWN" -v pk="$PEAK_KB" -v bt="$BIG_T" -v bm="$BIG_MB" 'BEGIN {
  mb = b / 1048576
  printf "\n%-34s %10s %10s %8s\n", "", "ferry", "peer", "ratio"
  printf "%-34s %8.0f MB %8.0f MB %7.2fx   (goal >= 0.90, peer tusd v2.9.1)\n", "ingest MiB/s (to last PATCH answer)", mb/fu, mb/tu, tu/fu
  printf "%-34s %8.0f MB %8.0f MB %7.2fx   (ferry also fsynced and inspected; tusd never fsyncs)\n", "  ... to available to recipient", mb/av, mb/tu, tu/av
  printf "%-34s %8.0f MB %8.0f MB %7.2fx   (goal >= 0.90, peer nginx sendfile)\n", "download MiB/s", mb/fd, mb/nd, nd/fd
  printf "%-34s %7.1f MiB   (goal < 100 MiB; %d MiB in %.1f s)\n", "peak RSS during the big upload", pk/1024, bm, bt
}'

. bench/decisions.sh
. bench/inspected.sh
. bench/s3.sh
