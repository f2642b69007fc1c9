#!/usr/bin/env bash
# Index build against the lean FTS5 peer, paired in one run: A B A B … (ROUNDS each), whole processes, wall time
# and CPU time, on the same library and machine state. Casebook's build is `casebook index --rebuild`.
#
#   benches/build-paired.sh LIB [ROUNDS]      (default 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=$1
ROUNDS=${2:-3}
cargo build --release --bin casebook >&2
DB=$(mktemp -d)/lean.db
for i in $(seq "$ROUNDS"); do
    /usr/bin/time -f "casebook %e s wall, %U+%S s CPU, %M KB peak" target/release/casebook --library "$LIB" index --rebuild \
        2>&1 >/dev/null | tail -1
    /usr/bin/time -f "fts5-lean %e s wall, %U+%S s CPU, %M KB peak" python3 benches/peers/fts5_lean.py "$LIB" "$DB" \
        2>&1 >/dev/null | tail -1
done
rm -f "$DB"
