#!/usr/bin/env bash
# The window of casebook.exe under Wine + Xvfb (issue 16): opens on a copy of the sample library in a folder named
# 资料库, types a Chinese query, takes a screenshot of the window and checks that it is not blank and that the
# query was answered (the window's pixels change after typing). Run by .ci/windows.sh:
#
#   bash .ci/wine/window.sh EXE_DIR SHOT.png [SYSTEM_FONT]
#
# EXE_DIR holds casebook.exe and the test-only bcryptprimitives.dll; WINEPREFIX names the Wine prefix. Wine has
# no Chinese font, so the app draws Chinese with its bundled font; with SYSTEM_FONT (a .ttc/.ttf with Chinese)
# that font is installed as C:\windows\Fonts\msyh.ttc for the run, standing in for Windows' 微软雅黑, which the
# app must then prefer. The screenshot is left at SHOT.png (docs/screenshots/windows.png is a copy that was
# looked at).
set -euo pipefail
cd "$(dirname "$0")/../.."
exe_dir=$(cd "$1" && pwd)
shot=$(realpath -m "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r corpus "$work/资料库"
rm -rf "$work/资料库/.casebook"
fonts="${WINEPREFIX:-$HOME/.wine}/drive_c/windows/Fonts"
if [ -n "${3:-}" ]; then
  mkdir -p "$fonts"
  cp "$3" "$fonts/msyh.ttc"
  trap 'rm -rf "$work"; rm -f "$fonts/msyh.ttc"' EXIT
fi
export WINEDEBUG=-all LIBGL_ALWAYS_SOFTWARE=1
xvfb-run -a -s "-screen 0 1400x900x24" bash -c '
  set -euo pipefail
  exe_dir=$0; lib=$1; shot=$2; work=$3
  (cd "$exe_dir" && exec wine casebook.exe --library "Z:${lib//\//\\}") &
  app=$!
  wid=""
  for _ in $(seq 1 120); do
    wid=$(xdotool search --name "Casebook" 2>/dev/null | head -n1 || true)
    [ -n "$wid" ] && break
    sleep 0.5
  done
  if [ -z "$wid" ]; then echo "window did not appear"; kill $app || true; exit 1; fi
  # The first frames: fonts, the records read on a helper thread, the index built on the worker.
  sleep 8
  xdotool windowfocus --sync "$wid" 2>/dev/null || true
  import -window "$wid" "$work/before.png"
  xdotool key --window "$wid" ctrl+k
  sleep 1
  xdotool type --delay 250 "网格员" || true
  xdotool key --window "$wid" Return
  sleep 4
  # Open the first result: its full text shows on the right.
  xdotool mousemove --window "$wid" 420 84 click 1
  sleep 2
  import -window "$wid" "$shot"
  wineserver -k 2>/dev/null || kill $app 2>/dev/null || true
  wait $app 2>/dev/null || true
' "$exe_dir" "$work/资料库" "$shot" "$work"
colours=$(convert "$shot" -format %k info:)
changed=$(compare -metric AE "$work/before.png" "$shot" null: 2>&1 || true)
echo "screenshot: $shot ($colours colours; $changed pixels changed by the query)"
[ "$colours" -gt 50 ] || { echo "the window looks blank"; exit 1; }
[ "${changed%% *}" -gt 1000 ] 2>/dev/null || { echo "typing a query changed nothing"; exit 1; }
