#!/usr/bin/env bash
# Benchmarks side by side, in one run: Casebook against the tools a user would pick instead — SQLite FTS5 with the
# trigram tokenizer (python3's sqlite3), ripgrep (unindexed scan) and jieba-rs tokenizing alone — on generated
# libraries, with the fixed query set benches/queries.txt. Writes one Markdown table (see BENCHMARKS.md).
#
#   benches/run.sh                 # 10k and 100k write-ups
#   benches/run.sh 10000           # only 10k
#
# CASEBOOK_BENCH_DIR (default target/bench, inside the git-ignored build folder: never committed) holds the
# generated libraries (made once, then reused), the FTS5 databases and the results:
# results/<size>/{casebook,fts5,ui}.json, results/machine.json and results/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${CASEBOOK_BENCH_DIR:-target/bench}
mkdir -p "$DIR" && DIR=$(cd "$DIR" && pwd)
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(10000 100000); fi
mkdir -p "$DIR/results"

# --- peers -------------------------------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v rg >/dev/null; then
    echo "installing ripgrep (Debian package) …" >&2
    as_root apt-get install -y ripgrep >&2 || { as_root apt-get update >&2 && as_root apt-get install -y ripgrep >&2; }
fi
if ! python3 -c "import sqlite3; sqlite3.connect(':memory:').execute(\"create virtual table t using fts5(x, tokenize='trigram')\")" 2>/dev/null; then
    echo "python3's SQLite lacks FTS5 trigram (needs 3.34+); installing pysqlite3-binary from PyPI …" >&2
    python3 -m pip install --user pysqlite3-binary >&2
fi

# --- build once (release profile), then run -------------------------------------------------------------------------
cargo bench --bench search --bench ui --no-run >&2
cargo build --release --bin casebook >&2

python3 - "$DIR/results/machine.json" <<'EOF'
import json, os, platform, subprocess, sys, sqlite3
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return ""
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
json.dump({
    "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(mem) / 1048576, 1),
    "kernel": platform.release(), "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
    "rustc": sh("rustc --version"), "ripgrep": sh("rg --version | head -1"),
    "sqlite": sqlite3.sqlite_version, "python": platform.python_version(),
    "load_before": os.getloadavg(),
    "git": sh("git rev-parse --short HEAD"),
}, open(sys.argv[1], "w"), indent=2)
EOF

for n in "${SIZES[@]}"; do
    name="gen$((n / 1000))k"
    lib="$DIR/$name"
    out="$DIR/results/$n"
    mkdir -p "$out"
    echo "== $n write-ups: $lib" >&2
    cargo bench --bench search -- gen "$n" "$lib" >&2
    cargo bench --bench search -- all "$lib" --out "$out/casebook.json"
    python3 benches/peers/fts5.py all "$lib" "$DIR/fts5-$name.db" benches/queries.txt --out "$out/fts5.json"
    cargo bench --bench ui -- "$lib" --out "$out/ui.json"
    python3 benches/peers/cli.py "$lib" target/release/casebook --out "$out/cli.json"
done

python3 - "$DIR/results/machine.json" <<'EOF'
import json, os, sys
m = json.load(open(sys.argv[1])); m["load_after"] = os.getloadavg(); json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
python3 benches/report.py "$DIR/results" "${SIZES[@]}" | tee "$DIR/results/report.md"
