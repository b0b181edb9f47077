#!/usr/bin/env bash
# Start-up time of the real window, for one or more builds of qualmap (e.g. before and after a
# change): time from exec until the first frame has run (the app sets the window title to
# "<map> — Qualmap" in its first frame; before that it is "Qualmap"), under Xvfb, on the built-in
# example. Prints the median and the range of RUNS runs per binary. Needs Xvfb and xdotool.
#
#   benches/startup.sh target/release/qualmap [OTHER_BINARY…]     (RUNS=9 by default)
set -euo pipefail
runs=${RUNS:-9}
display=:${DISPLAY_NUMBER:-97}
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
sleep 1
export DISPLAY=$display
for bin in "$@"; do
  times=()
  for _ in $(seq "$runs"); do
    home=$(mktemp -d)
    start=$(date +%s%N)
    HOME=$home XDG_RUNTIME_DIR=$home QUALMAP_RECOVERY_DIR=$home/recovery "$bin" >/dev/null 2>&1 &
    pid=$!
    if timeout 60 xdotool search --sync --onlyvisible --name ".+ Qualmap" >/dev/null 2>&1; then
      end=$(date +%s%N)
      times+=($(( (end - start) / 1000000 )))
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$home"
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  n=${#sorted[@]}
  if [ "$n" -eq 0 ]; then
    echo "$bin: no window appeared"
    continue
  fi
  printf '%-40s median %5d ms   range %d–%d ms   (%d runs)\n' "$bin" "${sorted[$((n / 2))]}" "${sorted[0]}" "${sorted[$((n - 1))]}" "$n"
done
