#!/usr/bin/env bash
# Crash harness (issue 9): kills `casebook` with SIGKILL at random moments while it saves and while it indexes,
# then checks that nothing saved was lost or torn and that the index opens (or rebuilds itself) and answers.
#
#   bash .ci/crash-harness.sh            # 200 kills during saves, 100 during indexing
#   SAVE_KILLS=20 INDEX_KILLS=10 bash .ci/crash-harness.sh
#
# Saves cycle through three writers, each killed after a random delay:
#   1. `import --id X --replace` alternating two revised texts: X must afterwards be byte-equal to one of the two
#      complete versions (the old one or the new one), never a mix;
#   2. `bundle import --accept-changed` alternating two bundles that change the same records: every such record
#      must be byte-equal to its version from one bundle or the other;
#   3. `new writeup --id …`: the new file is absent or a complete record that `show` reads.
# After every kill the whole library must pass `check` with no errors (every file parses).
# Indexing: `index --rebuild` on a generated library of INDEX_WRITEUPS write-ups, killed at random; afterwards a
# search must answer (the index opens, or rebuilds itself) with every write-up findable.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${CASEBOOK_BIN:-$PWD/target/debug/casebook}
SAVE_KILLS=${SAVE_KILLS:-200}
INDEX_KILLS=${INDEX_KILLS:-100}
SAVE_WRITEUPS=${SAVE_WRITEUPS:-300}
INDEX_WRITEUPS=${INDEX_WRITEUPS:-1500}
[ -x "$BIN" ] || { echo "crash harness: $BIN missing (cargo build first)"; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAIL=0
fail() { echo "FAIL: $*"; FAIL=$((FAIL + 1)); }
cb() { "$BIN" --library "$LIB" "$@"; }
sha() { if [ -f "$1" ]; then sha256sum "$1" | cut -c1-64; else echo absent; fi; }
# A random delay in seconds between 0 and $1 (fractional).
delay() { awk -v max="$1" -v seed="$RANDOM$RANDOM" 'BEGIN { srand(seed); printf "%.3f", rand() * max }'; }
# Runs a command in the background and kills it with SIGKILL after a random delay up to $1 seconds.
# Prints "killed" or "finished".
run_and_kill() {
  local max=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(delay "$max")"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    echo killed
  else
    wait "$pid" 2>/dev/null
    echo finished
  fi
}
# Seconds (fractional) a command takes when left alone.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1.2 + 0.02 }'
}
check_library() {
  if ! cb check >/dev/null 2>&1; then
    fail "after $1: check reports errors: $(cb check 2>&1 | grep "^错误" | head -3)"
  fi
}

echo "== crash harness: saves ($SAVE_KILLS kills) =="
LIB=$WORK/lib
"$BIN" gen --writeups "$SAVE_WRITEUPS" --out "$LIB" >/dev/null
cb index >/dev/null 2>&1
TARGET_ID=g01-p00001-1
TARGET=$(find "$LIB" -name "$TARGET_ID.md" | head -1)
printf '修订稿甲\n%s\n' "$(printf '甲版正文：楼栋议事更规范。%.0s' $(seq 1 200))" >"$WORK/rev-a.txt"
printf '修订稿乙\n%s\n' "$(printf '乙版正文：网格员走访更勤。%.0s' $(seq 1 300))" >"$WORK/rev-b.txt"
cb import "$WORK/rev-a.txt" --id "$TARGET_ID" --replace >/dev/null 2>&1 || fail "import --replace (a) does not run"
VERSION_A=$(sha "$TARGET")
T_IMPORT=$(timed cb import "$WORK/rev-b.txt" --id "$TARGET_ID" --replace)
VERSION_B=$(sha "$TARGET")
[ "$VERSION_A" != "$VERSION_B" ] || fail "the two revisions give the same file"

# Two bundles of district g02's records: as generated (v0), and with every write-up's body changed (v1).
DISTRICT=$(grep -m1 '^district:' "$(find "$LIB/g02" -name '*-1.md' | head -1)" | sed 's/district: //')
cb bundle export --district "$DISTRICT" --out "$WORK/v0.zip" >/dev/null || fail "bundle export v0"
cp -r "$LIB" "$WORK/lib1"
find "$WORK/lib1/g02" -name '*.md' ! -name project.md -exec sh -c 'printf "\n补充：第二版。\n" >> "$1"' _ {} \;
"$BIN" --library "$WORK/lib1" bundle export --district "$DISTRICT" --out "$WORK/v1.zip" >/dev/null || fail "bundle export v1"
declare -A V0 V1
for f in $(cd "$LIB" && find g02 -name '*.md' ! -name project.md); do
  V0[$f]=$(sha "$LIB/$f")
  V1[$f]=$(sha "$WORK/lib1/$f")
done
T_BUNDLE=$(timed cb bundle import "$WORK/v1.zip" --accept-changed)
cb bundle import "$WORK/v0.zip" --accept-changed >/dev/null 2>&1
T_NEW=$(timed cb new writeup --title 计时用新材料 --district "$DISTRICT" --year 2022 --id crash-timing)
echo "command times (s, ×1.2): import $T_IMPORT, bundle import $T_BUNDLE, new $T_NEW"

KILLED=0
FINISHED=0
NEXT=a
BUNDLE_NEXT=1
for i in $(seq 1 "$SAVE_KILLS"); do
  case $((i % 3)) in
    0)
      r=$(run_and_kill "$T_IMPORT" cb import "$WORK/rev-$NEXT.txt" --id "$TARGET_ID" --replace)
      got=$(sha "$TARGET")
      [ "$got" = "$VERSION_A" ] || [ "$got" = "$VERSION_B" ] || fail "kill $i (import): $TARGET torn ($got)"
      if [ "$got" = "$VERSION_A" ]; then NEXT=b; else NEXT=a; fi
      ;;
    1)
      r=$(run_and_kill "$T_BUNDLE" cb bundle import "$WORK/v$BUNDLE_NEXT.zip" --accept-changed)
      ones=0
      for f in "${!V0[@]}"; do
        got=$(sha "$LIB/$f")
        if [ "$got" = "${V1[$f]}" ]; then
          ones=$((ones + 1))
        elif [ "$got" != "${V0[$f]}" ]; then
          fail "kill $i (bundle): $f is neither version ($got)"
        fi
      done
      # Go on towards the other version once this one is complete.
      if [ "$BUNDLE_NEXT" = 1 ] && [ "$ones" = "${#V0[@]}" ]; then BUNDLE_NEXT=0; fi
      if [ "$BUNDLE_NEXT" = 0 ] && [ "$ones" = 0 ]; then BUNDLE_NEXT=1; fi
      ;;
    2)
      id=crash-new-$i
      r=$(run_and_kill "$T_NEW" cb new writeup --title "崩溃测试新材料$i" --district "$DISTRICT" --year 2022 --id "$id")
      path=$(find "$LIB" -name "$id.md" | head -1)
      if [ -n "$path" ]; then
        cb show "$id" --json >/dev/null 2>&1 || fail "kill $i (new): $path exists but cannot be read"
        grep -q "崩溃测试新材料$i" "$path" || fail "kill $i (new): $path lacks its title"
      fi
      ;;
  esac
  [ "$r" = killed ] && KILLED=$((KILLED + 1)) || FINISHED=$((FINISHED + 1))
  # Every tenth round, and at the end, the whole library must parse.
  if [ $((i % 10)) = 0 ] || [ "$i" = "$SAVE_KILLS" ]; then check_library "kill $i"; fi
done
LEFT=$(find "$LIB" -name '.*.tmp' | wc -l)
cb search 综治 >/dev/null 2>&1 || fail "search after the save kills"
echo "saves: $SAVE_KILLS rounds, $KILLED killed mid-run, $FINISHED finished before the kill; $LEFT hidden temporary files left by kills (ignored by the library scan)"
SAVE_KILLED=$KILLED

echo "== crash harness: indexing ($INDEX_KILLS kills, $INDEX_WRITEUPS write-ups) =="
LIB=$WORK/big
"$BIN" gen --writeups "$INDEX_WRITEUPS" --out "$LIB" >/dev/null
T_INDEX=$(timed cb index --rebuild)
EXPECTED=$(cb search --json --limit 1 -- "" 2>/dev/null | grep -m1 '"total"' | tr -dc 0-9)
echo "index --rebuild takes ${T_INDEX}s (×1.2); an empty search finds ${EXPECTED:-?} records"
KILLED=0
FINISHED=0
REBUILT=0
for i in $(seq 1 "$INDEX_KILLS"); do
  r=$(run_and_kill "$T_INDEX" cb index --rebuild)
  [ "$r" = killed ] && KILLED=$((KILLED + 1)) || FINISHED=$((FINISHED + 1))
  # After every kill: a search answers (using the last complete index) and an empty search counts every record.
  out=$(cb search 综治 2>&1) || fail "index kill $i: search fails: $(echo "$out" | tail -2)"
  echo "$out" | grep -q panicked && fail "index kill $i: panic"
  echo "$out" | grep -q 重建 && REBUILT=$((REBUILT + 1))
  total=$(cb search --json --limit 1 -- "" 2>/dev/null | grep -m1 '"total"' | tr -dc 0-9)
  [ "$total" = "$EXPECTED" ] || fail "index kill $i: empty search finds $total records, expected $EXPECTED"
  # At most the index in use and one left by the killed build.
  folders=$(find "$LIB/.casebook" -maxdepth 1 -name 'index-*' -type d | wc -l)
  [ "$folders" -le 2 ] || fail "index kill $i: $folders index folders under .casebook"
done
cb check >/dev/null 2>&1 || fail "check after the index kills"
echo "indexing: $INDEX_KILLS rounds, $KILLED killed mid-run, $FINISHED finished before the kill; $INDEX_KILLS probes, $REBUILT of them had to rebuild the index"
echo "== crash harness: $((SAVE_KILLED + KILLED)) processes killed; $FAIL invariant violation(s) =="
[ "$FAIL" = 0 ]
