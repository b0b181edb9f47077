#!/usr/bin/env bash
# Builds the browser app into target/qualmap-web (index.html, qualmap.js, qualmap_bg.wasm, and
# fonts/ with the script fonts and their licence) and prints its size. Needs the wasm32 target and
# wasm-bindgen (the version Cargo.lock pins):
#   rustup target add wasm32-unknown-unknown
#   cargo install wasm-bindgen-cli --version "$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)"
# and, to make the wasm smaller, binaryen's wasm-opt (version 116 or later: Debian 12's 108 cannot
# read what Rust 1.95 writes), found as $WASM_OPT or on the PATH, e.g.
#   npm install --prefix ~/.qualmap-tools binaryen@132 && export WASM_OPT=~/.qualmap-tools/node_modules/.bin/wasm-opt
# Serve the folder with any static server (module scripts do not load from file://), e.g.
#   python3 -m http.server -d target/qualmap-web 8000   and open http://localhost:8000/?map=…
# `qualmap publish MAP -o DIR` turns the folder into a site for one map.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --profile web --target wasm32-unknown-unknown --bin qualmap
out=target/qualmap-web
rm -rf "$out"
mkdir -p "$out/fonts"
wasm-bindgen --target web --no-typescript --out-dir "$out" target/wasm32-unknown-unknown/web/qualmap.wasm
wasm_opt=${WASM_OPT:-$(command -v wasm-opt || true)}
if [ -n "$wasm_opt" ]; then
  # The features Rust 1.95 turns on for wasm32 by default; -Oz optimises for size.
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/qualmap_bg.wasm" -o "$out/qualmap_bg.opt.wasm"
  mv "$out/qualmap_bg.opt.wasm" "$out/qualmap_bg.wasm"
else
  echo "web build: no wasm-opt (set WASM_OPT): the wasm is not size-optimised" >&2
fi
cp web/index.html "$out/"
# The script fonts are fetched by the page (scene::fonts::SCRIPT_FONT_FILES), not built in.
cp assets/fonts/*.ttf assets/fonts/*.otf assets/fonts/OFL.txt "$out/fonts/"
size() { stat -c %s "$1"; }
kib() { echo $(( ($1 + 1023) / 1024 )); }
wasm=$(size "$out/qualmap_bg.wasm")
js=$(size "$out/qualmap.js")
fonts=$(cat "$out"/fonts/* | wc -c)
echo "web build: $out: wasm $(kib "$wasm") KiB + js $(kib "$js") KiB = $(kib $((wasm + js))) KiB (gzip -9: $(kib "$(gzip -9c "$out/qualmap_bg.wasm" | wc -c)") KiB); fonts $(kib "$fonts") KiB"
