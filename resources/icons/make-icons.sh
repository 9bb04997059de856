#!/usr/bin/env bash
# Renders every form of the panel's icon from socketserver-panel.svg, the one source image:
# socketserver-panel.png (Linux, the window icon), .ico (Windows), .icns (macOS bundle).
# Needs ImageMagick (apt-get install imagemagick) and python3. Run it after editing the SVG and
# commit the results.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 32 48 64 128 256 512; do
    convert -background none socketserver-panel.svg -resize ${size}x${size} "$tmp/$size.png"
done
cp "$tmp/256.png" socketserver-panel.png
convert "$tmp/16.png" "$tmp/32.png" "$tmp/48.png" "$tmp/64.png" "$tmp/256.png" socketserver-panel.ico
# An .icns file is "icns", its length, then (type, length, PNG data) entries.
python3 - "$tmp" <<'PY'
import struct, sys
entries = b""
for kind, size in ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512)):
    data = open(f"{sys.argv[1]}/{size}.png", "rb").read()
    entries += kind + struct.pack(">I", len(data) + 8) + data
open("socketserver-panel.icns", "wb").write(b"icns" + struct.pack(">I", len(entries) + 8) + entries)
PY
