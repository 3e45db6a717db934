#!/usr/bin/env bash
# Copies the pinned npm packages (package-lock.json) into meetingsec/static/vendor/.
# That folder is git-ignored: third-party code is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=meetingsec/static/vendor
mkdir -p "$dest"
# npm hoists zxing-wasm unless two versions are needed; the polyfill's own copy wins.
zxing=node_modules/barcode-detector/node_modules/zxing-wasm
[ -d "$zxing" ] || zxing=node_modules/zxing-wasm
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/signature_pad/dist/signature_pad.umd.min.js "$dest/signature_pad.umd.min.js"
cp node_modules/barcode-detector/dist/iife/index.js "$dest/barcode-detector.js"
cp "$zxing/dist/reader/zxing_reader.wasm" "$dest/zxing_reader.wasm"
