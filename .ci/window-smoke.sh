#!/usr/bin/env bash
# Starts the real app on a copy of the sample library under Xvfb, types a Chinese query, and checks that the
# window draws (a screenshot that is not one flat colour). Leaves the screenshot in target/ for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet  # the debug build `cargo test` just made (dependencies are optimised in dev too)
work=$(mktemp -d)
cp -r corpus "$work/corpus"
shot=target/window-smoke.png
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" LIBGL_ALWAYS_SOFTWARE=1
xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  set -euo pipefail
  ./target/debug/casebook --library "$0/corpus" &
  app=$!
  wid=""
  for _ in $(seq 1 60); do
    wid=$(xdotool search --name "Casebook" 2>/dev/null | head -n1 || true)
    [ -n "$wid" ] && break
    sleep 0.5
  done
  if [ -z "$wid" ]; then echo "window did not appear"; kill $app || true; exit 1; fi
  sleep 3
  xdotool windowfocus --sync "$wid" || true
  xdotool key --window "$wid" ctrl+k
  xdotool type --delay 150 "网格员" || true
  sleep 2
  import -window root "$1"
  kill $app
  wait $app 2>/dev/null || true
' "$work" "$shot"
colours=$(convert "$shot" -format %k info:)
echo "screenshot: $shot ($colours colours)"
[ "$colours" -gt 50 ] || { echo "the window looks blank"; exit 1; }
rm -rf "$work"
