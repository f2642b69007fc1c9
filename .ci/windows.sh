#!/usr/bin/env bash
# CI for Windows (issue 16), run by .ci/run after the Linux stages; also runs alone: bash .ci/windows.sh
#
#   1. installs what a fresh Debian 12 machine lacks: the Rust target x86_64-pc-windows-gnu, mingw-w64, Wine 8,
#      Xvfb and the tools to drive a window;
#   2. builds the test-only bcryptprimitives.dll shim (.ci/wine/shim.c; Rust's std needs ProcessPrng, which Wine
#      8.0 lacks; real Windows has it, so the shim is never shipped);
#   3. cross-builds casebook.exe in release;
#   4. runs the clerk's command-line subset under Wine on a library with Chinese folder and file names and compares
#      it with the Linux binary (.ci/wine/cli-subset.py), console encodings included;
#   5. opens the window under Wine + Xvfb, types a query and takes a screenshot (.ci/wine/window.sh);
#   6. builds the portable packages (.ci/package.sh) and runs the unpacked Windows one under Wine.
# Every stage prints its time; a summary closes the run.
#
# Environment: WINDOWS_STAGES (default "all"; e.g. "build cli") limits the stages after the set-up;
# CASEBOOK_LINUX_BIN (default target/debug/casebook, which `cargo test` built) is the Linux binary compared with.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
target=x86_64-pc-windows-gnu
exe="$CARGO_TARGET_DIR/$target/release/casebook.exe"
wine_dir="$CARGO_TARGET_DIR/wine"   # the shim and the Wine prefix (build output, never committed)
stages=${WINDOWS_STAGES:-all}
want() { [ "$stages" = all ] || [[ " $stages " == *" $1 "* ]]; }

timings=()
stage_start=0
begin() { echo "== windows: $1 =="; stage_name=$1; stage_start=$(date +%s); }
end() {
  local took=$(($(date +%s) - stage_start))
  timings+=("$(printf '%-28s %4d s' "$stage_name" "$took")")
  echo "-- $stage_name: ${took} s"
}
summary() {
  echo "== windows: stage times =="
  printf '%s\n' "${timings[@]}"
  echo "total $(($(date +%s) - all_start)) s"
}
all_start=$(date +%s)
trap summary EXIT

begin "install"
if ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi
missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v wine >/dev/null || missing+=(wine wine64)
dpkg -s wine64 >/dev/null 2>&1 || missing+=(wine64)
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
command -v xdotool >/dev/null || missing+=(xdotool)
command -v import >/dev/null || missing+=(imagemagick)
command -v zip >/dev/null || missing+=(zip)
command -v unzip >/dev/null || missing+=(unzip)
for pkg in libgl1-mesa-dri libgl1 libegl1; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
wine --version 2>/dev/null
end

begin "shim"
mkdir -p "$wine_dir"
x86_64-w64-mingw32-gcc -O2 -s -shared -o "$wine_dir/bcryptprimitives.dll" .ci/wine/shim.c
# A test program that holds a file open as Word or an antivirus does (.ci/wine/hold.c).
x86_64-w64-mingw32-gcc -O2 -s -municode -o "$wine_dir/hold.exe" .ci/wine/hold.c
end

if want build; then
  begin "cross-build (release)"
  nice cargo build --release --target "$target"
  ls -l "$exe"
  end
fi

# Wine runs casebook.exe from a folder holding the shim; a prefix of our own, created on first use.
run_dir="$wine_dir/bin"
export WINEPREFIX=${WINEPREFIX:-$wine_dir/prefix} WINEDEBUG=-all
if want cli || want window || want package; then
  begin "wine prefix"
  mkdir -p "$run_dir"
  cp "$exe" "$wine_dir/bcryptprimitives.dll" "$wine_dir/hold.exe" "$run_dir/"
  wine wineboot -i >/dev/null 2>&1 || true
  wine "$run_dir/casebook.exe" --version
  end
fi

if want cli; then
  begin "command line under Wine"
  linux_bin=${CASEBOOK_LINUX_BIN:-$CARGO_TARGET_DIR/debug/casebook}
  [ -x "$linux_bin" ] || nice cargo build
  work=$(mktemp -d)
  python3 .ci/wine/cli-subset.py --linux "$linux_bin" --exe "$run_dir/casebook.exe" --hold "$run_dir/hold.exe" \
    --work "$work"
  rm -rf "$work"
  end
fi

if want window; then
  begin "window under Wine + Xvfb"
  bash .ci/wine/window.sh "$run_dir" "$CARGO_TARGET_DIR/windows-window.png"
  # Again with a Chinese font standing in for Windows' Microsoft YaHei (WenQuanYi Micro Hei: sans-serif, outlines
  # only, like it): the app must draw Chinese with it rather than with its bundled font, so the screenshots differ.
  yahei=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
  if [ ! -f "$yahei" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null
  fi
  bash .ci/wine/window.sh "$run_dir" "$CARGO_TARGET_DIR/windows-window-yahei.png" "$yahei"
  differ=$(compare -metric AE "$CARGO_TARGET_DIR/windows-window.png" "$CARGO_TARGET_DIR/windows-window-yahei.png" null: 2>&1 || true)
  echo "pixels that differ with the system font: $differ"
  [ "${differ%% *}" -gt 20000 ] 2>/dev/null || { echo "the system's Chinese font was not used"; exit 1; }
  end
fi

if want package; then
  begin "portable package (zip) under Wine"
  bash .ci/package.sh windows
  unpacked=$(mktemp -d)
  unzip -q "$CARGO_TARGET_DIR/package/casebook-windows-x86_64.zip" -d "$unpacked"
  cd "$unpacked/casebook-windows-x86_64"
  # The package as a user unzips it; only the Wine shim is added, beside the program.
  cp "$wine_dir/bcryptprimitives.dll" .
  wine casebook.exe --library corpus search 调解 --no-semantic >"$unpacked/out.txt"
  head -n 3 "$unpacked/out.txt"
  grep -q "条结果" "$unpacked/out.txt" || { echo "the unpacked casebook.exe did not search"; exit 1; }
  # Started from another folder with no --library, it opens the sample library beside it.
  (cd "$unpacked" && wine casebook-windows-x86_64/casebook.exe summary) | grep -q "135 篇写作材料" ||
    { echo "the sample library beside the program was not found"; exit 1; }
  # A scanned page read by OCR with the models of the package's ocr/ folder, which comes first in the places the
  # program looks (a dry run writes nothing).
  [ -f ocr/ch_PP-OCRv4_det_infer.onnx ] && [ -f ocr/ch_PP-OCRv4_rec_infer.onnx ] ||
    { echo "the OCR models are not in the package"; exit 1; }
  cp "$root/tests/ocr/small-clean150.png" scan.png
  wine casebook.exe --library corpus import scan.png --district 渝中区 --year 2022 --type 工作简报 --dry-run \
    >"$unpacked/ocr.txt" 2>&1 || true
  grep -q "文字识别（OCR）得出" "$unpacked/ocr.txt" ||
    { cat "$unpacked/ocr.txt"; echo "OCR did not run from the unpacked package"; exit 1; }
  cd "$root"
  rm -rf "$unpacked"
  end
fi
