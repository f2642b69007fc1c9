#!/usr/bin/env python3
"""The leanest FTS5 peer for the index build: read every record file and insert its whole text into one SQLite
FTS5 table with the trigram tokenizer, nothing else (no front matter parsed, no facet tables). This is the peer
of issue 21's outside measurement; `fts5.py build` also parses each file's front matter into a facet table,
as the search page needs, so it is slower. Both are reported.

  fts5_lean.py LIB DB        prints `RESULT {"secs": …, "files": …, "bytes": …}`
"""

import json
import os
import sqlite3
import sys
import time


def main():
    lib, db = sys.argv[1], sys.argv[2]
    if os.path.exists(db):
        os.remove(db)
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("create virtual table docs using fts5(path unindexed, body, tokenize='trigram')")
    files = nbytes = 0
    for dirpath, dirnames, filenames in os.walk(lib):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.endswith(".md") or name.lower() == "readme.md":
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            con.execute("insert into docs(path, body) values (?, ?)", (path, text))
            files += 1
            nbytes += len(text.encode("utf-8"))
    con.commit()
    con.close()
    secs = time.perf_counter() - start
    print("RESULT " + json.dumps({"secs": secs, "files": files, "bytes": nbytes}))


if __name__ == "__main__":
    main()
