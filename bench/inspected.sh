# bench/inspected.sh — the "inspected" section of bench/run.sh, which
# sources it (it uses run.sh's OUT, SHM, RUNS, freeport, waitport, settle,
# median, patch, new_transfer and start_ferry). BENCH=inspected
# ./bench/run.sh runs it alone.
#
# A 1 GiB text file (mixed Chinese and English; bench/textgen) ingested by
# ferry with every inspector on — type sniffing, archives, keywords over a
# dictionary of a million generated entries (none of them in the text) and,
# where clamd is installed, the malware scan — timed from the first byte of
# the PATCH until the transfer is available to its recipient; beside tusd's
# plain ingest of the same file (the PATCH alone). The goal: ferry's
# throughput at least 0.5x tusd's. ferry is also timed without clamd, whose
# own scan of a text file this size takes several times the upload.
INS_MB=${INS_MB:-1024}
INS_ENTRIES=${INS_ENTRIES:-1000000}
INS_TEXT=$SHM/ferry-bench-text-${INS_MB}M.txt
INS_DICT=$OUT/words-${INS_ENTRIES}.txt
if [ ! -f "$INS_TEXT" ] || [ ! -f "$INS_DICT" ]; then
  echo "   generating ${INS_MB} MiB of text and ${INS_ENTRIES} keywords (bench/textgen; a few minutes, kept for later runs)"
  go run ./bench/textgen -entries "$INS_ENTRIES" -size "$INS_MB" -dict "$INS_DICT" -text "$INS_TEXT"
fi
INS_BYTES=$(stat -c %s "$INS_TEXT")
command -v tusd >/dev/null || go install github.com/tus/tusd/v2/cmd/tusd@v2.9.1

# clamd, when installed: a configuration of its own, the EICAR signature as
# its whole database (written reversed here, so that no file of ours is
# flagged), limits above the file's size.
CLAMD=$(command -v clamd || echo /usr/sbin/clamd)
CLAM_ADDR=
if [ -x "$CLAMD" ] && command -v sigtool >/dev/null; then
  CL=$OUT/clamd; rm -rf "$CL"; mkdir -p "$CL/db" "$CL/tmp"
  printf '%s' '*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE$}7)CC7)^P(45XZP\4[PA@%P!O5X' | rev >"$CL/eicar.txt"
  (cd "$CL" && sigtool --md5 eicar.txt >db/eicar.hdb) && rm -f "$CL/eicar.txt"
  CPORT=$(freeport)
  cat >"$CL/clamd.conf" <<CONF
Foreground yes
DatabaseDirectory $CL/db
TemporaryDirectory $CL/tmp
LogFile $CL/clamd.log
TCPSocket $CPORT
TCPAddr 127.0.0.1
StreamMaxLength 2000M
MaxFileSize 2000M
MaxScanSize 2000M
AlertExceedsMax yes
AlertEncrypted yes
CONF
  "$CLAMD" -c "$CL/clamd.conf" >"$CL/out.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do
    python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$CPORT)); s.sendall(b'zPING\0'); exit(0 if s.recv(16).startswith(b'PONG') else 1)" 2>/dev/null && break
    sleep 0.1
  done
  CLAM_ADDR=tcp://127.0.0.1:$CPORT
fi

# ins_config FILE [CLAMD_ADDRESS]: every inspector on.
ins_config() {
  {
    echo "inspect:"
    echo "  keywords:"
    echo "    files: [\"$INS_DICT\"]"
    if [ -n "${2:-}" ]; then
      echo "  clamd:"
      echo "    address: \"$2\""
      echo "    max_size: 1900MiB"
      echo "    timeout: 10m"
    fi
  } >"$1"
}

# ins_ferry CONFIG: the median seconds from the PATCH's start to available,
# each run on a fresh node (the same content, known already, would pass
# without its content inspected again).
ins_ferry() {
  local port times=() id t0 state
  for _ in $(seq "$RUNS"); do
    port=$(freeport); start_ferry "$OUT/ferry-data-ins" "$port" "$1"
    settle
    id=$(new_transfer "$port" "$INS_BYTES" report.txt)
    t0=$(date +%s.%N)
    patch "http://127.0.0.1:$port/api/v1/uploads/$id" "$INS_TEXT" "$TOKEN" >/dev/null
    state=inspecting
    for _ in $(seq 20); do # ?wait= long-polls up to a minute at a time
      state=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/transfers/$id?wait=60s" | sed 's/.*"state":"\([^"]*\)".*/\1/')
      [ "$state" = inspecting ] || break
    done
    [ "$state" = available ] || { echo "inspected bench: the transfer ended $state" >&2; tail -5 "$OUT/ferry.log" >&2; exit 1; }
    times+=("$(echo "$(date +%s.%N) - $t0" | bc -l)")
    kill "$FERRY_PID" 2>/dev/null || true; wait "$FERRY_PID" 2>/dev/null || true
  done
  rm -rf "$OUT/ferry-data-ins"
  echo "${times[*]}" >"$OUT/ins-times.txt"
  printf '%s\n' "${times[@]}" | median
}

echo "== inspected: ${INS_MB} MiB of text, every inspector on, ${INS_ENTRIES} keywords; median of $RUNS"
ins_config "$OUT/ferry-ins.yaml"
INS_NOCLAM=$(ins_ferry "$OUT/ferry-ins.yaml")
echo "   ferry (sniff, archives, keywords), to available: $(cat "$OUT/ins-times.txt") s"
INS_CLAM=
if [ -n "$CLAM_ADDR" ]; then
  ins_config "$OUT/ferry-ins-clamd.yaml" "$CLAM_ADDR"
  INS_CLAM=$(ins_ferry "$OUT/ferry-ins-clamd.yaml")
  echo "   ferry (and clamd), to available: $(cat "$OUT/ins-times.txt") s"
fi
TPORT=$(freeport); rm -rf "$OUT/tusd-data-ins"; mkdir -p "$OUT/tusd-data-ins"
tusd -host 127.0.0.1 -port "$TPORT" -upload-dir "$OUT/tusd-data-ins" -base-path /files/ >"$OUT/tusd.log" 2>&1 &
TUSD_PID=$!; pids+=("$TUSD_PID"); waitport "$TPORT"
tusd_times=()
for _ in $(seq "$RUNS"); do
  settle
  loc=$(curl -sf -D - -o /dev/null -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $INS_BYTES" "http://127.0.0.1:$TPORT/files/" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')
  case "$loc" in http*) ;; *) loc="http://127.0.0.1:$TPORT$loc" ;; esac
  tusd_times+=("$(patch "$loc" "$INS_TEXT")")
  rm -f "$OUT"/tusd-data-ins/*
done
kill "$TUSD_PID" 2>/dev/null || true
INS_TUSD=$(printf '%s\n' "${tusd_times[@]}" | median)
echo "   tusd (plain ingest): ${tusd_times[*]} s"
awk -v b="$INS_BYTES" -v n="$INS_NOCLAM" -v c="${INS_CLAM:-0}" -v t="$INS_TUSD" 'BEGIN {
  mb = b / 1048576
  printf "\n%-46s %10s %10s %8s\n", "inspected ingest (goal ratio >= 0.5)", "ferry", "tusd", "ratio"
  printf "%-46s %7.0f MB/s %7.0f MB/s %7.2fx\n", "sniff + archives + keywords, to available", mb/n, mb/t, t/n
  if (c > 0) printf "%-46s %7.0f MB/s %7.0f MB/s %7.2fx\n", "... and clamd, to available", mb/c, mb/t, t/c
}'
