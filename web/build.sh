#!/usr/bin/env bash
# Builds the browser app into target/qualmap-web (qualmap.js, qualmap_bg.wasm, index.html) and
# prints its size. Needs the wasm32 target and wasm-bindgen (the version Cargo.lock pins):
#   rustup target add wasm32-unknown-unknown
#   cargo install wasm-bindgen-cli --version "$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)" --locked
# Serve the folder with any static server (module scripts do not load from file://), e.g.
#   python3 -m http.server -d target/qualmap-web 8000   and open http://localhost:8000/?map=…
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --profile web --target wasm32-unknown-unknown --bin qualmap
out=target/qualmap-web
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/web/qualmap.wasm
cp web/index.html "$out/"
wasm=$(stat -c %s "$out/qualmap_bg.wasm")
js=$(stat -c %s "$out/qualmap.js")
echo "web build: $out: wasm $((wasm / 1024)) KiB, js $((js / 1024)) KiB, gzip -9: $(gzip -9c "$out/qualmap_bg.wasm" | wc -c | awk '{print int($1/1024)}') KiB"
