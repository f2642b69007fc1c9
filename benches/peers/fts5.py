#!/usr/bin/env python3
"""Peer: SQLite FTS5 with the trigram tokenizer (python3's built-in sqlite3), on the same library and queries.

What a developer would build instead of Casebook's index: one FTS5 table (title + the whole file text, trigram
tokenizer, so any substring of three or more characters matches), a plain table of facet values parsed from the
front matter, and the same search page: top 20 by bm25 with a snippet, the total, and counts per district, theme,
type and year over every match.

Honest limits, reported rather than hidden:
- a trigram index cannot answer a term shorter than 3 characters: such terms fall back to a scan of the whole
  table (counted as `like_fallback`). The scan is `instr(body, x) > 0`, not `body LIKE '%x%'`: with SQLite 3.40.1
  (Debian 12's python3), a LIKE pattern of fewer than 3 characters on a trigram table returns no rows at all;
- no folding: a query in traditional script finds only traditional text (counted in `zero_hits`);
- words are ANDed (no order-free word matching, synonyms or "all words first" ranking); facet counts ignore the
  multi-select rule (a field's counts do not drop its own filter).

Commands (each prints one line `RESULT {json}`):
  fts5.py build LIB DB                 full build from the files
  fts5.py cold LIB DB                  process start to the first page (no query), then one query
  fts5.py queries LIB DB QUERIES N     the search page for every query, N rounds; edit-to-searchable
  fts5.py all LIB DB QUERIES [--out F] the above in child processes, aggregated (medians)
"""

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

STARTED = time.perf_counter()


def _sqlite_with_trigram():
    """python3's sqlite3 if its SQLite has FTS5 with the trigram tokenizer (3.34+), else pysqlite3-binary (PyPI)."""
    import sqlite3

    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return sqlite3
    except sqlite3.Error:
        import pysqlite3.dbapi2

        return pysqlite3.dbapi2


sqlite3 = _sqlite_with_trigram()

SCHEMA = """
CREATE TABLE docs(id INTEGER PRIMARY KEY, path TEXT UNIQUE, title TEXT, kind TEXT, district TEXT,
                  doc_type TEXT, year TEXT);
CREATE TABLE themes(doc INTEGER, theme TEXT);
CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram');
"""


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(value):
    print("RESULT " + json.dumps(value, ensure_ascii=False), flush=True)


def record_files(lib):
    """Record files as Casebook sees them: *.md, not README.md, not under hidden folders; sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(lib):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.lower().endswith(".md") and name.lower() != "readme.md":
                full = os.path.join(dirpath, name)
                out.append(os.path.relpath(full, lib).replace(os.sep, "/"))
    out.sort()
    return out


def stamps(lib):
    """(path → (size, mtime_ns)) for every record file: what a sync compares."""
    result = {}
    for rel in record_files(lib):
        st = os.stat(os.path.join(lib, rel))
        result[rel] = (st.st_size, st.st_mtime_ns)
    return result


FRONT = re.compile(r"^---\n(.*?)\n---\n", re.S)


def parse(text):
    """Facet values from the front matter (top-level keys, inline or block lists), and the title."""
    m = FRONT.match(text)
    meta = {}
    if m:
        key = None
        for line in m.group(1).split("\n"):
            if line.startswith((" ", "-")) and key:
                item = line.strip()
                if item.startswith("- ") and not item[2:].lstrip().startswith("{"):
                    meta.setdefault(key + "[]", []).append(item[2:].strip())
                continue
            if ":" in line:
                key, value = line.split(":", 1)
                key, value = key.strip(), value.strip()
                meta[key] = value
    themes = meta.get("themes", "")
    if themes.startswith("["):
        themes = [t.strip() for t in themes.strip("[]").split(",") if t.strip()]
    else:
        themes = meta.get("themes[]", [])
    year = meta.get("year") or (meta.get("date") or meta.get("claimed") or "")[:4]
    kind = meta.get("kind", "writeup")
    title = meta.get("title") or meta.get("name") or ""
    doc_type = meta.get("type") or ("经验材料" if kind == "writeup" else kind)
    return title, kind, meta.get("district"), doc_type, year if year.isdigit() else None, themes


def insert(db, doc_id, rel, text):
    title, kind, district, doc_type, year, themes = parse(text)
    db.execute("INSERT INTO docs VALUES (?,?,?,?,?,?,?)", (doc_id, rel, title, kind, district, doc_type, year))
    db.executemany("INSERT INTO themes VALUES (?,?)", [(doc_id, t) for t in themes])
    db.execute("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", (doc_id, title, text))


def connect(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def cmd_build(lib, db_path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix):
            os.remove(db_path + suffix)
    t = time.perf_counter()
    db = connect(db_path)
    db.executescript(SCHEMA)
    total = 0
    files = record_files(lib)
    with db:
        for i, rel in enumerate(files, 1):
            with open(os.path.join(lib, rel), "rb") as fh:
                raw = fh.read()
            total += len(raw)
            insert(db, i, rel, raw.decode("utf-8", "replace"))
        db.execute("CREATE INDEX themes_doc ON themes(doc)")
        db.execute("INSERT INTO fts(fts) VALUES('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    secs = time.perf_counter() - t
    emit({"secs": secs, "docs": len(files), "bytes": total, "db_bytes": os.path.getsize(db_path),
          "peak_rss_mb": peak_rss_mb()})


# --- the query language, translated as an FTS5 user would ------------------------------------------------------

FILTERS = {"district": "district", "theme": "theme", "type": "doc_type", "year": "year", "kind": "kind"}


def lex(query):
    return re.findall(r'-?"[^"]*"|\S+', query)


def fts_string(term):
    return '"' + term.replace('"', '""') + '"'


def plan(query):
    """SQL WHERE pieces and parameters for the fts table joined to docs; whether a MATCH is used."""
    groups, excludes, filters = [], [], []
    pending_or = False
    for tok in lex(query):
        if tok in ("OR", "|"):
            pending_or = bool(groups)
            continue
        negated = tok.startswith("-") and len(tok) > 1
        if negated:
            tok = tok[1:]
        quoted = tok.startswith('"') and tok.endswith('"') and len(tok) >= 2
        text = tok[1:-1] if quoted else tok
        if not quoted and ":" in text:
            name, value = text.split(":", 1)
            if name in FILTERS and value:
                filters.append((FILTERS[name], [v for v in value.split(",") if v]))
                continue
        if negated:
            excludes.append(text)
        elif pending_or:
            groups[-1].append(text)
        else:
            groups.append([text])
        pending_or = False
    match, where, params = [], [], []
    for alts in groups:
        if all(len(a) >= 3 for a in alts):
            match.append("(" + " OR ".join(fts_string(a) for a in alts) + ")")
        else:
            where.append("(" + " OR ".join("instr(fts.body, ?) > 0" for _ in alts) + ")")
            params.extend(alts)
    like_fallback = bool(where)
    for x in excludes:
        if len(x) >= 3 and match:
            match[-1] = match[-1] + " NOT " + fts_string(x)
        else:
            where.append("instr(fts.body, ?) = 0")
            params.append(x)
    for column, values in filters:
        if column == "theme":
            where.append("EXISTS (SELECT 1 FROM themes WHERE themes.doc = docs.id AND theme IN (%s))"
                         % ",".join("?" * len(values)))
            params.extend(values)
        elif column == "district":
            where.append("(" + " OR ".join("docs.district LIKE ?" for _ in values) + ")")
            params.extend(v + "%" for v in values)
        else:
            where.append("docs.%s IN (%s)" % (column, ",".join("?" * len(values))))
            params.extend(values)
    if match:
        where.insert(0, "fts MATCH ?")
        params.insert(0, " AND ".join(match))
    return where, params, bool(match), like_fallback


def page(db, query):
    """Top 20 with snippets, the total and facet counts over every match."""
    where, params, has_match, _ = plan(query)
    cond = " AND ".join(where) if where else "1"
    base = "FROM fts JOIN docs ON docs.id = fts.rowid WHERE " + cond
    db.execute("DELETE FROM temp.hits")
    db.execute("INSERT INTO temp.hits SELECT docs.id " + base, params)
    total = db.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
    facets = {}
    for column in ("district", "doc_type", "year"):
        facets[column] = db.execute(
            "SELECT %s, count(*) FROM temp.hits JOIN docs USING(id) GROUP BY 1" % column).fetchall()
    facets["theme"] = db.execute(
        "SELECT theme, count(*) FROM temp.hits JOIN themes ON themes.doc = temp.hits.id GROUP BY 1").fetchall()
    if has_match:
        top = db.execute("SELECT docs.path, docs.title, snippet(fts, 1, '[', ']', '…', 24) " + base
                         + " ORDER BY rank LIMIT 20", params).fetchall()
    else:
        rows = db.execute("SELECT docs.path, docs.title, fts.body " + base + " ORDER BY docs.id LIMIT 20",
                          params).fetchall()
        top = [(p, t, b[:120]) for p, t, b in rows]
    return total, top, facets


def open_db(db_path):
    db = connect(db_path)
    db.execute("CREATE TEMP TABLE hits(id INTEGER PRIMARY KEY)")
    return db


def load_queries(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#") and "\t" in line:
                kind, q = line.split("\t", 1)
                out.append((kind, q))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)] if xs else float("nan")


def cmd_cold(lib, db_path):
    db = open_db(db_path)
    total, top, _ = page(db, "")
    first = (time.perf_counter() - STARTED) * 1000
    t = time.perf_counter()
    page(db, "枫桥经验")
    emit({"first_result_ms": first, "first_query_ms": (time.perf_counter() - t) * 1000, "hits": total,
          "peak_rss_mb": peak_rss_mb()})


def cmd_queries(lib, db_path, queries_path, rounds):
    queries = load_queries(queries_path)
    db = open_db(db_path)
    totals = []
    for _, q in queries:
        totals.append(page(db, q)[0])
    times = [[] for _ in queries]
    for _ in range(rounds):
        for i, (_, q) in enumerate(queries):
            t = time.perf_counter()
            page(db, q)
            times[i].append((time.perf_counter() - t) * 1000)
    flat = [x for ts in times for x in ts]
    by_kind = {}
    for (kind, _), ts in zip(queries, times):
        by_kind.setdefault(kind, []).extend(ts)
    per_query = []
    for (kind, q), ts, total in zip(queries, times, totals):
        _, _, has_match, like = plan(q)
        per_query.append({"kind": kind, "query": q, "ms": statistics.median(ts), "total": total,
                          "like_fallback": like})
    search_rss = peak_rss_mb()
    edit = edit_to_searchable(lib, db)
    emit({
        "queries": len(queries), "rounds": rounds,
        "p50": pct(flat, 0.5), "p95": pct(flat, 0.95), "p99": pct(flat, 0.99), "max": pct(flat, 1.0),
        "zero_hit_queries": sum(1 for t in totals if t == 0),
        "like_fallback_queries": sum(1 for p in per_query if p["like_fallback"]),
        "by_kind": {k: {"p50": pct(v, 0.5), "p95": pct(v, 0.95), "p99": pct(v, 0.99)} for k, v in by_kind.items()},
        "per_query": per_query,
        "peak_rss_after_search_mb": search_rss,
        "edit": edit,
        "peak_rss_mb": peak_rss_mb(),
    })


def edit_to_searchable(lib, db):
    """Change one file; find what changed by comparing stamps (as a sync must), update its rows, search."""
    files = record_files(lib)
    rel = files[len(files) // 2]
    path = os.path.join(lib, rel)
    with open(path, encoding="utf-8") as fh:
        original = fh.read()
    known = stamps(lib)
    totals, updates = [], []
    for i in range(7):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(original + "\n新增词语鹦鹉螺%d号\n" % i)
        t = time.perf_counter()
        now = stamps(lib)
        changed = [p for p, s in now.items() if known.get(p) != s]
        u = time.perf_counter()
        with db:
            for p in changed:
                doc_id = db.execute("SELECT id FROM docs WHERE path = ?", (p,)).fetchone()[0]
                db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
                db.execute("DELETE FROM themes WHERE doc = ?", (doc_id,))
                db.execute("DELETE FROM fts WHERE rowid = ?", (doc_id,))
                with open(os.path.join(lib, p), encoding="utf-8") as fh:
                    insert(db, doc_id, p, fh.read())
        total, _, _ = page(db, "鹦鹉螺%d号" % i)
        end = time.perf_counter()
        assert total == 1, total
        totals.append((end - t) * 1000)
        updates.append((end - u) * 1000)
        known = now
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(original)
    with db:
        doc_id = db.execute("SELECT id FROM docs WHERE path = ?", (rel,)).fetchone()[0]
        db.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
        db.execute("DELETE FROM themes WHERE doc = ?", (doc_id,))
        db.execute("DELETE FROM fts WHERE rowid = ?", (doc_id,))
        insert(db, doc_id, rel, original)
    return {"p50_ms": statistics.median(totals), "update_and_search_p50_ms": statistics.median(updates)}


def child(args):
    out = subprocess.run([sys.executable, __file__] + args, stdout=subprocess.PIPE, check=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit("no result from %s: %s" % (args, out))


def cmd_all(lib, db_path, queries_path, out):
    files = record_files(lib)
    large = len(files) > 30000
    runs = 1 if large else 3
    builds = []
    for i in range(runs):
        print("  fts5 build %d/%d …" % (i + 1, runs), file=sys.stderr, flush=True)
        builds.append(child(["build", lib, db_path]))
    secs = statistics.median(b["secs"] for b in builds)
    mb = builds[0]["bytes"] / 1048576
    print("  fts5 cold start ×5 …", file=sys.stderr, flush=True)
    colds = [child(["cold", lib, db_path]) for _ in range(5)]
    print("  fts5 queries …", file=sys.stderr, flush=True)
    search = child(["queries", lib, db_path, queries_path, "2" if large else "5"])
    result = {
        "library": lib,
        "sqlite_version": sqlite3.sqlite_version,
        "build": {"runs": [b["secs"] for b in builds], "secs": secs, "mb_per_s": mb / secs,
                  "docs_per_s": builds[0]["docs"] / secs, "docs": builds[0]["docs"],
                  "db_mb": builds[0]["db_bytes"] / 1048576, "peak_rss_mb": max(b["peak_rss_mb"] for b in builds)},
        "cold": {"first_result_ms": statistics.median(c["first_result_ms"] for c in colds),
                 "first_query_ms": statistics.median(c["first_query_ms"] for c in colds),
                 "peak_rss_mb": max(c["peak_rss_mb"] for c in colds)},
        "search": search,
    }
    print("%s: fts5 build %.1f s = %.2f MB/s | cold %.0f ms | search p50 %.2f p95 %.2f p99 %.2f ms | "
          "edit→searchable %.0f ms | zero-hit %d, scan fallback %d of %d"
          % (lib, secs, mb / secs, result["cold"]["first_result_ms"], search["p50"], search["p95"], search["p99"],
             search["edit"]["p50_ms"], search["zero_hit_queries"], search["like_fallback_queries"],
             search["queries"]))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=2)


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    cmd = args[0]
    if cmd == "build":
        cmd_build(args[1], args[2])
    elif cmd == "cold":
        cmd_cold(args[1], args[2])
    elif cmd == "queries":
        cmd_queries(args[1], args[2], args[3], int(args[4]))
    elif cmd == "all":
        out = args[args.index("--out") + 1] if "--out" in args else None
        cmd_all(args[1], args[2], args[3], out)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
