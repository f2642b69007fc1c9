#!/usr/bin/env python3
"""Turns the JSON written by benches/run.sh into the Markdown tables of BENCHMARKS.md.

    python3 benches/report.py RESULTS_DIR SIZE...
"""

import json
import math
import os
import sys


def load(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError:
        return None


def num(x, digits=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}"


def ratio(a, b, higher_is_better):
    """How many times better `a` (ours) is than `b` (peer)."""
    if not a or not b:
        return "–"
    r = a / b if higher_is_better else b / a
    return f"{r:.1f}×"


def verdict(ok):
    return "met" if ok else "**missed**"


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def pct(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)] if xs else float("nan")


def section(results, size):
    d = os.path.join(results, str(size))
    ours, fts, ui = load(os.path.join(d, "casebook.json")), load(os.path.join(d, "fts5.json")), load(
        os.path.join(d, "ui.json"))
    if not ours:
        return f"\n(no results for {size})\n"
    s, b, c, j = ours["search"], ours["build"], ours["cold"], ours["jieba"]
    rec = s["recall"]
    fs = fts["search"] if fts else {}
    fb = fts["build"] if fts else {}
    fc = fts["cold"] if fts else {}
    big = size >= 100000
    lines = []
    out = lines.append
    out(f"\n### {size:,} write-ups ({ours['files']:,} record files, {ours['bytes'] / 1048576:,.1f} MB)\n")
    out("| measure | Casebook | SQLite FTS5 trigram | ripgrep | jieba-rs alone | Casebook vs FTS5 | target |")
    out("|---|---|---|---|---|---|---|")
    jt = j["threads"]
    out(f"| index build, MB/s | {num(b['mb_per_s'], 2)} | {num(fb.get('mb_per_s'), 2)} | (no index) | "
        f"{num(j['mb_per_s_1_thread'], 2)} (1 thread), {num(j['mb_per_s_all_threads'], 2)} ({jt} threads) | "
        f"{ratio(b['mb_per_s'], fb.get('mb_per_s'), True)} | ≥ 5× FTS5: "
        f"{verdict(fb and b['mb_per_s'] >= 5 * fb['mb_per_s'])} |")
    out(f"| index build, docs/s | {num(b['docs_per_s'], 0)} | {num(fb.get('docs_per_s'), 0)} | | "
        f"{num(j['docs_per_s_1_thread'], 0)} / {num(j['docs_per_s_all_threads'], 0)} | "
        f"{ratio(b['docs_per_s'], fb.get('docs_per_s'), True)} | |")
    out(f"| index build, s (runs) | {num(b['secs'])} ({len(b['runs'])}) | {num(fb.get('secs'))} "
        f"({len(fb.get('runs', []))}) | | | | |")
    target_p50 = s["p50"] <= 2.0 if big else None
    target_p99 = s["p99"] <= 10.0 if big else None
    tgt = f"p50 ≤ 2: {verdict(target_p50)}" if big else "(targets at 100k)"
    out(f"| search page p50, ms ({s['queries']} queries × {s['rounds']}) | {num(s['p50'], 2)} | "
        f"{num(fs.get('p50'), 2)} | {num(rec.get('rg_p50_ms'), 1)} (`rg -l`, literal only) | | "
        f"{ratio(s['p50'], fs.get('p50'), False)} | {tgt} |")
    out(f"| search page p95, ms | {num(s['p95'], 2)} | {num(fs.get('p95'), 2)} | {num(rec.get('rg_p95_ms'), 1)} | | "
        f"{ratio(s['p95'], fs.get('p95'), False)} | |")
    tgt = f"p99 ≤ 10: {verdict(target_p99)}" if big else ""
    out(f"| search page p99, ms | {num(s['p99'], 2)} | {num(fs.get('p99'), 2)} | | | "
        f"{ratio(s['p99'], fs.get('p99'), False)} | {tgt} |")
    if fts:
        ours_q = {q["query"]: q for q in s["per_query"]}
        pairs = [(ours_q[q["query"]]["ms"], q["ms"]) for q in fs["per_query"] if q["query"] in ours_q]
        indexed = [(ours_q[q["query"]]["ms"], q["ms"]) for q in fs["per_query"]
                   if q["query"] in ours_q and not q["like_fallback"]]
        gm = geomean([f / o for o, f in pairs])
        gmi = geomean([f / o for o, f in indexed])
        out(f"| per-query speed-up over FTS5, geometric mean | | | | | {gm:.1f}× (all {len(pairs)}), "
            f"{gmi:.1f}× ({len(indexed)} FTS5 answers from its index) | ≥ 3×: {verdict(gm >= 3)} |")
        p50i = pct([o for o, _ in indexed], 0.5), pct([f for _, f in indexed], 0.5)
        out(f"| search page p50, ms, only queries FTS5 answers from its index | {num(p50i[0], 2)} | "
            f"{num(p50i[1], 2)} | | | {ratio(p50i[0], p50i[1], False)} | |")
    out(f"| queries with no hit (of {s['queries']}) | {s['zero_hit_queries']} | {fs.get('zero_hit_queries', '–')} | "
        f"{rec.get('rg_zero_as_typed', '–')} of {rec.get('literal_queries', '–')} literal | | | |")
    if fts:
        out(f"| queries FTS5 must answer by scanning (term < 3 characters) | | {fs['like_fallback_queries']} | | | | |")
    e = s["edit"]
    fe = fs.get("edit", {})
    out(f"| edit → searchable, ms: `sync()` (finds the change by scanning every file; the app's fallback when "
        f"the watcher names no file) + search | {num(e['p50_ms'])} | "
        f"{num(fe.get('p50_ms'))} (same: scan, update, search) | (no index) | | "
        f"{ratio(e['p50_ms'], fe.get('p50_ms'), False)} | |")
    if "sync_paths_p50_ms" in e:
        out(f"| edit → searchable, ms: `sync_paths(changed file)` (what the app does on a save, and on a watcher "
            f"event after a 120 ms settle) + search | "
            f"{num(e['sync_paths_p50_ms'])} | {num(fe.get('update_and_search_p50_ms'))} (update and search only) | | | "
            f"{ratio(e['sync_paths_p50_ms'], fe.get('update_and_search_p50_ms'), False)} | ≤ 300: "
            f"{verdict(e['sync_paths_p50_ms'] <= 300)} |")
    out(f"| … scanning every file alone, ms | {num(e['scan_ms'])} | | | | | |")
    out(f"| cold start to first result, ms: new process, `open` (compares every file first) | "
        f"{num(c['first_result_ms'])} | {num(fc.get('first_result_ms'))} | | | "
        f"{ratio(c['first_result_ms'], fc.get('first_result_ms'), False)} | |")
    if "unsynced" in c:
        u = c["unsynced"]
        out(f"| cold start to first result, ms: new process, `open_unsynced` (compares afterwards) | "
            f"{num(u['first_result_ms'])} | | | | {ratio(u['first_result_ms'], fc.get('first_result_ms'), False)} | |")
    cli = load(os.path.join(d, "cli.json"))
    if cli:
        n = len(cli["search"])
        speedup = cli["rg_median_ms"] / cli["search_median_ms"]
        tgt = f"≤ 30 and ≥ 8× rg: {verdict(cli['search_median_ms'] <= 30 and speedup >= 8)}" if not big else ""
        out(f"| whole process `casebook search` (start to exit), ms, median of {n} queries × {cli['rounds']} | "
            f"{num(cli['search_median_ms'])} | | {num(cli['rg_median_ms'])} (`rg -l -F`, same queries) | | "
            f"{speedup:.1f}× ripgrep | {tgt} |")
        out(f"| whole process `casebook show ID`, ms, median of {cli['rounds']} | {num(cli['show_ms'])} | | | | | |")
    if ui:
        tgt = f"≤ 1000: {verdict(ui['first_results_ms'] <= 1000)}" if big else ""
        loaded = f" / {num(ui['records_loaded_ms'], 0)}" if "records_loaded_ms" in ui else ""
        out(f"| app start to first frame / first results{' / every record read' if loaded else ''}, ms | "
            f"{num(ui['first_frame_ms'], 0)} / {num(ui['first_results_ms'], 0)}{loaded} | | | | | {tgt} |")
        out(f"| app frame time with {ui['rows']:,} results, scrolling: p50 / p95 / max, ms | "
            f"{num(ui['frame_p50_ms'], 2)} / {num(ui['frame_p95_ms'], 2)} / {num(ui['frame_max_ms'], 2)} | | | | | |")
    rss = max(s["peak_rss_mb"], c["peak_rss_mb"], ui["peak_rss_mb"] if ui else 0)
    frss = max(fb.get("peak_rss_mb", 0), fs.get("peak_rss_mb", 0)) if fts else None
    tgt = f"≤ 500 (app): {verdict(ui and ui['peak_rss_mb'] <= 500)}" if big else ""
    out(f"| peak RSS, MB: build / search process / app | {num(b['peak_rss_mb'], 0)} / {num(s['peak_rss_mb'], 0)} / "
        f"{num(ui['peak_rss_mb'] if ui else None, 0)} | {num(frss, 0)} | | {num(j['peak_rss_mb'], 0)} (holds every text) "
        f"| | {tgt} |")
    if "peak_anon_mb" in b:
        out(f"| … of which anonymous (without memory-mapped index files), MB | {num(b['peak_anon_mb'], 0)} / "
            f"{num(s.get('peak_anon_mb'), 0)} / {num(ui.get('peak_anon_mb') if ui else None, 0)} | | | | | |")
    missed = rec.get("missed_by_place", {})
    why = ", ".join(f"{k}: {v}" for k, v in missed.items()) or "none"
    out(f"| literal recall against `rg -l -F` (folded literal) | {rec.get('recall', float('nan')) * 100:.2f} % "
        f"({rec.get('found', 0):,} of {rec.get('rg_files', 0):,} files) | | 100 % by definition | | | 100 %: "
        f"{verdict(rec.get('recall') == 1.0)} |")
    out(f"\nMissed files by where the literal is: {why}. Files Casebook finds that `rg -F` does not "
        f"(synonyms, order-free words, folding): {rec.get('ours_not_rg', 0):,}.\n")
    if fts:
        out("| query kind | Casebook p50, ms | FTS5 p50, ms | speed-up |")
        out("|---|---|---|---|")
        for kind, v in sorted(s["by_kind"].items()):
            f = fs["by_kind"].get(kind, {})
            out(f"| {kind} | {num(v['p50'], 2)} | {num(f.get('p50'), 2)} | {ratio(v['p50'], f.get('p50'), False)} |")
    return "\n".join(lines) + "\n"


def main():
    results = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [10000, 100000]
    m = load(os.path.join(results, "machine.json")) or {}
    print(f"Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory_gb', '?')} GB; "
          f"{m.get('os', '?')}, Linux {m.get('kernel', '?')}; {m.get('rustc', '?')}; {m.get('ripgrep', '?')}; "
          f"SQLite {m.get('sqlite', '?')} (Python {m.get('python', '?')}); commit {m.get('git', '?')}. "
          f"Load average before / after: {', '.join(f'{x:.1f}' for x in m.get('load_before', []))} / "
          f"{', '.join(f'{x:.1f}' for x in m.get('load_after', []))}.")
    for size in sizes:
        print(section(results, size))


if __name__ == "__main__":
    main()
