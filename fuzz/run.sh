#!/usr/bin/env bash
# Fuzzes every loader with cargo-fuzz (libFuzzer), one target after another and one process at
# a time, and prints the executions, speed and coverage of each.
#
#   fuzz/run.sh [SECONDS-PER-TARGET] [TARGET...]
#
# SECONDS-PER-TARGET defaults to 600 (a long run; CI runs 15). TARGET defaults to all of them:
# qualmap_json qdpx qdc table graph gexf graphml dot canvas cxl xls xlsx ods docx. Each input may take at most 1 s and 1 GiB. Exits non-zero
# if any target finds a crash, a hang or a blow-up; the input is then in fuzz/artifacts/TARGET/
# (reproduce with `cargo fuzz run -s none TARGET fuzz/artifacts/TARGET/FILE`, from fuzz/).
# New corpus entries collect in fuzz/corpus/TARGET (not committed); the seeds in fuzz/seeds/
# are. FUZZ_SANITIZER=address runs with AddressSanitizer (slower; the crate has no unsafe code,
# so the default is none).
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a nightly toolchain, or stable,
# which this script then runs with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(qualmap_json qdpx qdc table graph gexf graphml dot canvas cxl xls xlsx ods docx)
sanitizer=${FUZZ_SANITIZER:-none}
# A panic inside calamine that the import catches and refuses with the file named (what users
# get) is a finding in long runs; in short runs (under a minute, as CI's) the input is kept in
# fuzz/caught/TARGET/ and the run goes on, so that CI fails on our bugs, hangs and blow-ups, not
# on a calamine bug users are already safe from. FUZZ_KEEP_CAUGHT=1 or 0 chooses either way.
keep_caught=${FUZZ_KEEP_CAUGHT:-auto}
if [ "$keep_caught" = auto ]; then
  if [ "$seconds" -lt 60 ]; then keep_caught=1; else keep_caught=0; fi
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
  exit 2
fi
fuzz=(cargo fuzz)
if rustup toolchain list 2>/dev/null | grep '^nightly' >/dev/null; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
fi

dict_of() {
  case $1 in
    qualmap_json) echo json ;;
    qdc) echo xml ;;
    gexf | graphml | cxl) echo graphxml ;;
    canvas) echo json ;;
    *) echo "$1" ;;
  esac
}
max_len_of() {
  case $1 in
    qdpx) echo 262144 ;;
    *) echo 65536 ;;
  esac
}

echo "== building the fuzz targets (sanitizer: $sanitizer)"
started=$SECONDS
"${fuzz[@]}" build -s "$sanitizer"
echo "built in $((SECONDS - started)) s"

mkdir -p logs
summary=()
failed=()
for target in "${targets[@]}"; do
  [ -d "seeds/$target" ] || { echo "no such target: $target" >&2; exit 2; }
  mkdir -p "corpus/$target" "artifacts/$target"
  log="logs/$target.log"
  echo "== $target: ${seconds} s"
  status=0
  caught_env=()
  if [ "$keep_caught" = 1 ]; then
    caught_env=(env "QUALMAP_FUZZ_KEEP_CAUGHT_LIBRARY_PANICS_IN=$PWD/caught/$target")
  fi
  "${caught_env[@]}" "${fuzz[@]}" run -s "$sanitizer" "$target" "$PWD/corpus/$target" "$PWD/seeds/$target" -- \
    -dict="$PWD/dict/$(dict_of "$target").dict" -max_len="$(max_len_of "$target")" \
    -timeout=1 -rss_limit_mb=1024 -max_total_time="$seconds" -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  coverage=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
  line="$target: ${runs:-?} executions, ${speed:-?} exec/s, ${coverage:-cov: ?}"
  if [ -d "caught/$target" ]; then
    caught=$(find "caught/$target" -type f | wc -l)
    [ "$caught" -eq 0 ] || line="$line; $caught inputs made calamine panic, caught and refused (kept in fuzz/caught/$target/)"
  fi
  if [ "$status" -ne 0 ]; then
    line="$line — FOUND A BUG (exit $status)"
    failed+=("$target")
    # What libFuzzer says about it: the panic or the timeout, and where the input went.
    grep -aE "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written|out-of-memory|ALARM" "$log" | head -n 12 >&2 || true
  fi
  echo "$line"
  summary+=("$line")
done

echo "== fuzzing summary (${seconds} s per target; logs in fuzz/logs/)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found bugs in: ${failed[*]}; inputs are in fuzz/artifacts/" >&2
  exit 1
fi
