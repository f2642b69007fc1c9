#!/usr/bin/env python3
"""Whole-process command-line times: `casebook search` and `casebook show` as a script or a user runs them (process
start to exit, output discarded), beside ripgrep scanning every file for the same literal, on the same library,
in one run. Each command runs once to warm the page cache and the index, then ROUNDS times; medians are reported.

  cli.py LIB CASEBOOK [--out F]
"""

import json
import statistics
import subprocess
import sys
import time

# Questions and words of the kinds the fixed query set has: a two-character word, a common phrase, a
# programme name, a typed question (best-match tier), a district with a word.
QUERIES = ["调解", "矛盾纠纷", "网格化管理", "电梯加装矛盾怎么调解", "永川 积分"]
ROUNDS = 11


def wall_ms(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


def median_ms(cmd):
    wall_ms(cmd)
    return statistics.median(wall_ms(cmd) for _ in range(ROUNDS))


def main():
    lib, casebook = sys.argv[1], sys.argv[2]
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
    base = [casebook, "--library", lib]
    first = subprocess.run(base + ["search", QUERIES[0], "--json", "--limit", "1"], capture_output=True, text=True)
    hit_id = json.loads(first.stdout)["hits"][0]["id"]
    result = {"rounds": ROUNDS, "search": {}, "rg": {}}
    for q in QUERIES:
        result["search"][q] = median_ms(base + ["search", q, "--limit", "20"])
        # ripgrep answers a literal only: the query as typed, spaces and all.
        result["rg"][q] = median_ms(["rg", "-l", "-F", q, lib])
    result["show_ms"] = median_ms(base + ["show", hit_id])
    result["search_median_ms"] = statistics.median(result["search"].values())
    result["rg_median_ms"] = statistics.median(result["rg"].values())
    line = json.dumps(result, ensure_ascii=False)
    print("RESULT " + line)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(line)


if __name__ == "__main__":
    main()
