#!/usr/bin/env bash
# The browser check (CI runs it; so can anyone with Chromium): builds the browser app
# (web/build.sh, with wasm-opt), publishes the built-in example with `qualmap publish` twice and
# checks the two are the same bytes, serves the site with a plain static server and drives
# headless Chromium over it as a reader (site.mjs), then opens a workshop room with
# `qualmap serve` and follows it from two participants' pages (room.mjs). Screenshots and a
# JSON line of figures each land in target/web-check.
#   Needs: the wasm32 target, wasm-bindgen-cli at Cargo.lock's version, Node.js with npm, and
#   Chromium (/usr/bin/chromium, or $CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/web-check
rm -rf "$out"
mkdir -p "$out"

npm ci --prefix web/check --no-audit --no-fund --silent
WASM_OPT="$PWD/web/check/node_modules/.bin/wasm-opt" bash web/build.sh

cargo build --locked --quiet --bin qualmap
qualmap=target/debug/qualmap
example=assets/mentoring-benefits.qualmap
"$qualmap" publish "$example" -o "$out/site" --web target/qualmap-web
"$qualmap" publish "$example" -o "$out/site-again" --web target/qualmap-web
diff -r "$out/site" "$out/site-again" >/dev/null || { echo "qualmap publish is not byte-stable" >&2; exit 1; }
"$qualmap" publish "$example" -o "$out/site-read-only" --read-only --web target/qualmap-web

# Any static server does; this one is on every machine with Python.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$out" "$port" >"$out/http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
python3 - "$port" <<'WAIT'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/site/index.html", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
WAIT

node web/check/site.mjs "http://127.0.0.1:$port/site/" "$out/site" editable
node web/check/site.mjs "http://127.0.0.1:$port/site-read-only/" "$out/read-only"
node web/check/room.mjs "$qualmap" "$example" target/qualmap-web "$out/room"
echo "browser check passed; screenshots in $out"
