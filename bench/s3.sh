# bench/s3.sh — the "s3" section of bench/run.sh, which sources it (it uses
# run.sh's OUT, SHM, RUNS, SIZE_MB, freeport, waitport, settle, median,
# patch, new_transfer and start_ferry). BENCH=s3 ./bench/run.sh runs it
# alone.
#
# The configuration for several nodes, on this machine: a throwaway
# PostgreSQL cluster and the Versity S3 gateway (posix backend on the local
# disk, in $OUT/s3), one bucket for ferry and one for tusd. A 1 GiB upload
# in one tus PATCH through ferry (metadata postgres, blobs s3) and through
# tusd v2 with its S3 store on the same gateway, alternating, median of
# $RUNS. For ferry also the time until the transfer is available to its
# recipient: the multipart upload completed in place (its SHA-256 was
# computed as the bytes arrived), the blob pointer written, the content
# inspected. Each ferry run
# has a database and a bucket of its own, so that no run finds the content
# stored (and inspected) by the one before. tusd runs with its defaults
# (which include an MD5 and a SHA-256 of every part; S3_TUSD_FLAGS adds
# flags). PostgreSQL keeps its defaults (fsync on); the payload never goes
# through it. The goal: ferry's ingest at least 0.9x tusd's.
# Needs: PostgreSQL (initdb, pg_ctl in /usr/lib/postgresql/*/bin), runuser,
# versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0);
# installs tusd (go install) when missing.
S3_FILE=$SHM/ferry-bench-payload-${SIZE_MB}M.bin
[ -f "$S3_FILE" ] || head -c $((SIZE_MB << 20)) /dev/urandom >"$S3_FILE"
S3_BYTES=$(stat -c %s "$S3_FILE")
command -v tusd >/dev/null || go install github.com/tus/tusd/v2/cmd/tusd@v2.9.1
S3_DIR=$OUT/s3
rm -rf "$S3_DIR"; mkdir -p "$S3_DIR"

# PostgreSQL: a cluster of its own, as the postgres user (initdb refuses
# root), in a folder that user can reach, on a free loopback port; trust
# authentication for the superuser "ferry" on loopback.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/initdb" ] || { echo "s3 bench: no PostgreSQL in /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
PG_USER=$(id -un); [ "$(id -u)" = 0 ] && PG_USER=postgres
PG_DATA=$(mktemp -d /tmp/ferry-bench-pg.XXXXXX)
chown "$PG_USER" "$PG_DATA"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }
PG_PORT=$(freeport)
as_pg "$PG_BIN/initdb" -D "$PG_DATA/data" -U ferry -A trust -E UTF8 --no-instructions >"$S3_DIR/initdb.log" 2>&1 ||
  { cat "$S3_DIR/initdb.log" >&2; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/data" -l "$PG_DATA/postgres.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA" start >/dev/null ||
  { cat "$PG_DATA/postgres.log" >&2; exit 1; }
# On a failure (some are silent: set -e), stopped and removed with the
# rest (run.sh's cleanup), and the logs' ends shown.
s3_failed() {
  echo "s3 bench failed; the ends of the logs ($OUT/ferry.log, $OUT/tusd-s3.log, $S3_DIR):" >&2
  tail -n 5 "$OUT/ferry.log" "$OUT/tusd-s3.log" "$S3_DIR/versitygw.log" "$PG_DATA/postgres.log" >&2 2>/dev/null || true
}
trap 'rc=$?; [ "$rc" = 0 ] || s3_failed; as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$PG_DATA"; cleanup' EXIT
pg_sql() { as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U ferry -d postgres -qAt -c "$1"; }
PG_VERSION=$(pg_sql 'SHOW server_version' | cut -d' ' -f1)

# versitygw: the posix backend keeps ETags in extended attributes, or in a
# sidecar folder where the file system has none.
VGW=$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")
[ -x "$VGW" ] || VGW=/root/go/bin/versitygw
[ -x "$VGW" ] || { echo "s3 bench: no versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)" >&2; exit 1; }
S3_KEY=ferrybench S3_SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$S3_DIR/gw"
VGW_BACKEND=()
if ! python3 -c "import os,sys; p=sys.argv[1]+'/.x'; open(p,'w').close(); os.setxattr(p,'user.t',b'1'); os.remove(p)" "$S3_DIR" 2>/dev/null; then
  mkdir -p "$S3_DIR/meta"; VGW_BACKEND=(--sidecar "$S3_DIR/meta")
fi
GW_PORT=$(freeport); S3_EP=http://127.0.0.1:$GW_PORT
"$VGW" --access "$S3_KEY" --secret "$S3_SECRET" --region us-east-1 --port "127.0.0.1:$GW_PORT" --quiet \
  posix "${VGW_BACKEND[@]}" "$S3_DIR/gw" >"$S3_DIR/versitygw.log" 2>&1 &
pids+=($!); waitport "$GW_PORT"
# make_bucket NAME: a signed PUT Bucket (curl signs SigV4 itself; the
# gateway wants the payload hash header, which curl 7.88 leaves out).
make_bucket() {
  curl -sf -o /dev/null -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 aws:amz:us-east-1:s3 -u "$S3_KEY:$S3_SECRET" "$S3_EP/$1" ||
    { echo "s3 bench: cannot create bucket $1 at $S3_EP" >&2; exit 1; }
}
make_bucket tusd

# s3_config N: the ferry.yaml of run N, on database ferry_N and bucket ferry-N.
s3_config() {
  pg_sql "CREATE DATABASE ferry_$1" >/dev/null
  make_bucket "ferry-$1"
  cat >"$S3_DIR/ferry-$1.yaml" <<YAML
metadata: {driver: postgres, dsn: "postgres://ferry@127.0.0.1:$PG_PORT/ferry_$1?sslmode=disable"}
blobs: {driver: s3, endpoint: "$S3_EP", region: us-east-1, bucket: ferry-$1, access_key: $S3_KEY, secret_key: $S3_SECRET, path_style: true}
YAML
}

TPORT=$(freeport)
AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET AWS_REGION=us-east-1 \
  tusd -host 127.0.0.1 -port "$TPORT" -base-path /files/ -s3-bucket tusd -s3-endpoint "$S3_EP" ${S3_TUSD_FLAGS:-} \
  >"$OUT/tusd-s3.log" 2>&1 &
S3_TUSD_PID=$!; pids+=("$S3_TUSD_PID"); waitport "$TPORT"

echo "== s3: ${SIZE_MB} MiB, one PATCH each, ferry (PostgreSQL $PG_VERSION + versitygw) and tusd (S3 store on the same versitygw) alternating, median of $RUNS"
s3_up=(); s3_avail=(); s3_tusd=()
for i in $(seq "$RUNS"); do
  s3_config "$i"
  port=$(freeport); start_ferry "$OUT/ferry-data-s3" "$port" "$S3_DIR/ferry-$i.yaml"
  settle
  id=$(new_transfer "$port" "$S3_BYTES")
  t0=$(date +%s.%N)
  s3_up+=("$(patch "http://127.0.0.1:$port/api/v1/uploads/$id" "$S3_FILE" "$TOKEN")")
  state=inspecting
  for _ in $(seq 20); do # ?wait= long-polls up to a minute at a time
    state=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/transfers/$id?wait=60s" | sed 's/.*"state":"\([^"]*\)".*/\1/')
    [ "$state" = inspecting ] || break
  done
  [ "$state" = available ] || { echo "s3 bench: the transfer ended $state" >&2; tail -5 "$OUT/ferry.log" >&2; exit 1; }
  s3_avail+=("$(echo "$(date +%s.%N) - $t0" | bc -l)")
  kill "$FERRY_PID" 2>/dev/null || true; wait "$FERRY_PID" 2>/dev/null || true
  settle
  loc=$(curl -sf -D - -o /dev/null -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $S3_BYTES" "http://127.0.0.1:$TPORT/files/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case "$loc" in http*) ;; *) loc="http://127.0.0.1:$TPORT$loc" ;; esac
  s3_tusd+=("$(patch "$loc" "$S3_FILE")")
done
kill "$S3_TUSD_PID" 2>/dev/null || true
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA/data" -m fast -w stop >/dev/null || true
rm -rf "$PG_DATA" "$S3_DIR/gw" "$S3_DIR/meta" "$OUT/ferry-data-s3"
trap cleanup EXIT
S3_UP=$(printf '%s\n' "${s3_up[@]}" | median)
S3_AVAIL=$(printf '%s\n' "${s3_avail[@]}" | median)
S3_TUSD=$(printf '%s\n' "${s3_tusd[@]}" | median)
echo "   ferry: ${s3_up[*]} s (available after ${s3_avail[*]} s); tusd: ${s3_tusd[*]} s"
awk -v b="$S3_BYTES" -v fu="$S3_UP" -v av="$S3_AVAIL" -v tu="$S3_TUSD" 'BEGIN {
  mb = b / 1048576
  printf "\n%-34s %10s %10s %8s\n", "PostgreSQL + S3 (versitygw)", "ferry", "tusd", "ratio"
  printf "%-34s %8.0f MB %8.0f MB %7.2fx   (goal >= 0.90, peer tusd v2.9.1 s3store)\n", "ingest MiB/s (to last PATCH answer)", mb/fu, mb/tu, tu/fu
  printf "%-34s %8.0f MB %8.0f MB %7.2fx   (ferry also completed the upload, committed and inspected it)\n", "  ... to available to recipient", mb/av, mb/tu, tu/av
}'
