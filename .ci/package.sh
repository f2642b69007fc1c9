#!/usr/bin/env bash
# Portable packages (issue 16): no installer, no Rust, nothing downloaded at run time. Builds (release) and packs
#
#   target/package/casebook-windows-x86_64.zip      casebook.exe (cross-built with mingw-w64)
#   target/package/casebook-linux-x86_64.tar.gz     casebook
#
# each in one folder with README-使用说明.txt (Chinese; CRLF and a BOM for Notepad in the Windows one), the sample
# library corpus/ and licenses/ (the font's OFL, jieba's licence, THIRD-PARTY.txt listing every crate compiled
# into the program with its licence, read from `cargo metadata`). Prints each binary's size.
#
# Usage: bash .ci/package.sh [windows] [linux]      (default: both)
# Needs: the Rust target x86_64-pc-windows-gnu and gcc-mingw-w64-x86-64 for Windows (.ci/windows.sh installs
# them), zip, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out="$CARGO_TARGET_DIR/package"
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(windows linux)
mkdir -p "$out"

# THIRD-PARTY.txt for one target: the crates reachable from casebook through normal dependencies on that
# platform (what is compiled into the shipped binary), with their licences.
third_party() {
  local triple=$1 dest=$2
  cargo metadata --format-version 1 --locked --filter-platform "$triple" >"$out/metadata.json"
  python3 - "$out/metadata.json" "$triple" >"$dest" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]
seen, stack = set(), [root]
while stack:
    pid = stack.pop()
    if pid in seen:
        continue
    seen.add(pid)
    for dep in nodes[pid]["deps"]:
        if any(k["kind"] is None for k in dep["dep_kinds"]):
            stack.append(dep["pkg"])
seen.discard(root)
rows = sorted((packages[p]["name"], packages[p]["version"], packages[p].get("license") or "见其源代码",
               packages[p].get("repository") or "") for p in seen)
print("经验库 Casebook 使用的第三方组件 / Third-party components compiled into Casebook")
print(f"平台 / target: {sys.argv[2]}; {len(rows)} 个 Rust 软件包 (crates.io)")
print()
print("经验库本身按 MIT 或 Apache-2.0 许可发布。以下组件按各自的许可证使用；许可证全文见各软件包的源代码")
print("（crates.io 上的同名同版本软件包）。Casebook itself: MIT OR Apache-2.0. Each component below is used")
print("under its own licence; full texts are in each package's source on crates.io.")
print()
print("另外随附 / Also included:")
print("  - Noto Sans CJK SC 子集（字体，内嵌于程序）: SIL Open Font License 1.1, 见 OFL.txt")
print("  - jieba 分词词典（内嵌于程序）: MIT, 见 jieba-LICENSE.txt")
print("  - Rust 标准库 / the Rust standard library: MIT OR Apache-2.0")
if "windows" in sys.argv[2]:
    print("  - mingw-w64 运行时（静态链接）/ mingw-w64 runtime, statically linked: ZPL 2.1 and MIT (winpthreads)")
print()
for name, version, lic, repo in rows:
    print(f"{name} {version}  —  {lic}  {repo}".rstrip())
PY
  rm -f "$out/metadata.json"
}

# The common part of a package folder: the sample library and the licences.
fill() {
  local dir=$1
  mkdir -p "$dir/licenses"
  # The sample library without its derived index.
  cp -r corpus "$dir/corpus"
  rm -rf "$dir/corpus/.casebook"
  cp assets/fonts/OFL.txt "$dir/licenses/OFL.txt"
  cp assets/search/jieba/LICENSE "$dir/licenses/jieba-LICENSE.txt"
  # The PaddleOCR PP-OCRv4 models (Apache-2.0), read by the program from ocr/ beside it.
  mkdir -p "$dir/ocr"
  cp assets/ocr/*.onnx assets/ocr/LICENSE "$dir/ocr/"
  cp assets/ocr/LICENSE "$dir/licenses/PaddleOCR-models-LICENSE.txt"
}

size() { stat -c %s "$1"; }
mb() { python3 -c "print(f'{$1/1048576:.1f} MB')"; }

for what in "${which[@]}"; do
  case $what in
    windows)
      triple=x86_64-pc-windows-gnu
      nice cargo build --release --target "$triple"
      name=casebook-windows-x86_64
      stage="$out/$name"
      rm -rf "$stage" "$out/$name.zip"
      mkdir -p "$stage"
      cp "$CARGO_TARGET_DIR/$triple/release/casebook.exe" "$stage/"
      fill "$stage"
      third_party "$triple" "$stage/licenses/THIRD-PARTY.txt"
      # Notepad on every Windows version reads UTF-8 with a BOM and CRLF line ends.
      for f in "$stage/README-使用说明.txt" "$stage/licenses/THIRD-PARTY.txt" "$stage/licenses/OFL.txt" \
        "$stage/licenses/jieba-LICENSE.txt"; do
        src=$f
        [ "$f" = "$stage/README-使用说明.txt" ] && src=docs/package/README-使用说明.txt
        python3 - "$src" "$f" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8-sig").read().replace("\r\n", "\n").replace("\n", "\r\n")
open(sys.argv[2], "w", encoding="utf-8-sig", newline="").write(text)
PY
      done
      (cd "$out" && zip -qr -X "$name.zip" "$name")
      echo "windows: $out/$name.zip ($(mb "$(size "$out/$name.zip")")); casebook.exe $(mb "$(size "$stage/casebook.exe")") ($(size "$stage/casebook.exe") bytes)"
      ;;
    linux)
      triple=x86_64-unknown-linux-gnu
      nice cargo build --release
      name=casebook-linux-x86_64
      stage="$out/$name"
      rm -rf "$stage" "$out/$name.tar.gz"
      mkdir -p "$stage"
      cp "$CARGO_TARGET_DIR/release/casebook" "$stage/"
      fill "$stage"
      cp docs/package/README-使用说明.txt "$stage/"
      third_party "$triple" "$stage/licenses/THIRD-PARTY.txt"
      tar -C "$out" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
      bytes=$(size "$stage/casebook")
      echo "linux: $out/$name.tar.gz ($(mb "$(size "$out/$name.tar.gz")")); casebook $(mb "$bytes") ($bytes bytes)"
      if [ "$bytes" -ge $((60 * 1024 * 1024)) ]; then
        echo "the Linux release binary is over 60 MB"
        exit 1
      fi
      ;;
    *)
      echo "usage: bash .ci/package.sh [windows] [linux]"
      exit 2
      ;;
  esac
done
