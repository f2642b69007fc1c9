#!/usr/bin/env python3
"""The clerk's command-line subset, run by casebook.exe under Wine and by the Linux binary on the same library,
with the results compared (issue 16). Called by .ci/windows.sh; runs alone too:

    python3 .ci/wine/cli-subset.py --linux target/debug/casebook --exe DIR/casebook.exe --work WORKDIR

DIR must hold the test-only bcryptprimitives.dll beside casebook.exe; WINEPREFIX should name a prefix (created
on first use). The library is a copy of corpus/ in a folder named 资料库 with a district folder and a record file
renamed to Chinese; each binary works on its own copy, given to Windows as a drive-letter path (Z:\\...).

Checked: check, search (Chinese queries, --json and text), show, import of a .docx (a real Word file from
$CASEBOOK_REAL_DOCX_DIR when set, else one the program exports itself) and of a GBK .txt with a Chinese file
name, new, bundle export and import (each system's bundle imported by the other), export route 渝中区, compare
--csv (bytes: BOM and CRLF), the console encodings (a console with code page 936 and 65001, output redirected
under each, no console at all), and a reader that closes the pipe early.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

failures = []


def fail(what):
    failures.append(what)
    print(f"FAIL: {what}")


def ok(what):
    print(f"ok   {what}")


def check(cond, what):
    if cond:
        ok(what)
    else:
        fail(what)
    return cond


def win_path(p: Path) -> str:
    """The path as a Windows program under Wine names it: drive Z: is the Unix root."""
    return "Z:" + str(p.resolve()).replace("/", "\\")


class Runner:
    def __init__(self, linux: Path, exe: Path, env: dict):
        self.linux, self.exe, self.env = linux, exe, env

    def lin(self, lib: Path, *args, check_code=0):
        r = subprocess.run([str(self.linux), "--library", str(lib), *args], capture_output=True, env=self.env)
        if check_code is not None and r.returncode != check_code:
            fail(f"linux {' '.join(args)}: exit {r.returncode}\n{r.stderr.decode(errors='replace')}")
        return r

    def win(self, lib: Path, *args, check_code=0):
        """casebook.exe with the library as a drive-letter path; arguments that are paths must be given with
        win_path by the caller."""
        r = subprocess.run(["wine", str(self.exe), "--library", win_path(lib), *args], capture_output=True,
                           env=self.env)
        if check_code is not None and r.returncode != check_code:
            fail(f"windows {' '.join(args)}: exit {r.returncode}\n{r.stderr.decode(errors='replace')}")
        return r


def as_json(r, who):
    try:
        return json.loads(r.stdout.decode("utf-8"))
    except Exception as e:  # noqa: BLE001 - reported as a failure
        fail(f"{who}: stdout is not UTF-8 JSON ({e}): {r.stdout[:200]!r}")
        return None


def strip_root(value, roots):
    """The JSON with the library's absolute paths (either spelling) replaced by <root>, and Windows separators
    inside those paths turned into /, so that outputs of the two systems compare."""
    if isinstance(value, dict):
        return {k: strip_root(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_root(v, roots) for v in value]
    if isinstance(value, str):
        for root in roots:
            if root in value:
                rest = value.replace(root, "<root>")
                return rest.replace("\\", "/")
        return value
    return value


def without(value, keys):
    """The JSON without the given keys anywhere (times that differ between two runs)."""
    if isinstance(value, dict):
        return {k: without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [without(v, keys) for v in value]
    return value


def make_library(src: Path, dest: Path):
    """corpus/ copied to dest with yuzhong/ renamed 渝中区/ and one record file given a Chinese name."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".casebook"))
    (dest / "yuzhong").rename(dest / "渝中区")
    (dest / "渝中区" / "yz-p01" / "yz-p01-2.md").rename(dest / "渝中区" / "yz-p01" / "网格员走访经验.md")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--linux", required=True, type=Path)
    ap.add_argument("--exe", required=True, type=Path)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--hold", type=Path, help="hold.exe (.ci/wine/hold.c) for the open-file checks")
    ap.add_argument("--corpus", default=Path(__file__).resolve().parents[2] / "corpus", type=Path)
    a = ap.parse_args()
    work = a.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, WINEDEBUG="-all", NO_COLOR="1")
    run = Runner(a.linux.resolve(), a.exe.resolve(), env)

    lib_l, lib_w = work / "linux" / "资料库", work / "windows" / "资料库"
    for lib in (lib_l, lib_w):
        make_library(a.corpus, lib)
    roots = [str(lib_l), str(lib_w), win_path(lib_w), win_path(lib_w).replace("\\", "/")]

    def same_json(args, what, drop=()):
        jl = as_json(run.lin(lib_l, *args), f"linux {what}")
        jw = as_json(run.win(lib_w, *args), f"windows {what}")
        if jl is None or jw is None:
            return None, None
        nl, nw = without(strip_root(jl, roots), drop), without(strip_root(jw, roots), drop)
        if not check(nl == nw, f"{what}: same JSON on Windows and Linux"):
            print("  linux:  ", json.dumps(nl, ensure_ascii=False)[:600])
            print("  windows:", json.dumps(nw, ensure_ascii=False)[:600])
        return jl, jw

    # -- check, search, show
    jl, jw = same_json(["check", "--json"], "check --json")
    if jw is not None:
        paths = [p.get("path", "") for p in jw.get("problems", jw.get("issues", [])) if isinstance(p, dict)]
        check(not any("\\" in p for p in paths), "check --json: record paths use / on Windows too")
    for query in (["调解"], ["网格员", "化解"], ["枫桥经验", "--district", "渝中区"], ["楓橋經驗"]):
        jl, jw = same_json(["search", *query, "--json", "--no-semantic"], f"search {' '.join(query)} --json",
                           drop=("elapsed_ms", "took_ms", "millis"))
        if jw is not None and query == ["调解"]:
            hits = jw.get("hits", jw.get("results", []))
            check(len(hits) > 0, f"search 调解 finds records on Windows ({len(hits)})")
    jl, jw = same_json(["show", "yz-p01-2", "--json"], "show yz-p01-2 (file 网格员走访经验.md) --json")
    text_l = run.lin(lib_l, "search", "调解", "--no-semantic", "--limit", "5").stdout
    text_w = run.win(lib_w, "search", "调解", "--no-semantic", "--limit", "5").stdout
    norm = lambda b: re.sub(r"（[0-9.]+ 毫秒）", "", b.decode("utf-8", errors="replace"))  # noqa: E731
    check(norm(text_l) == norm(text_w), "search 调解 (text, piped, no console): same UTF-8 text")

    # -- the same library named in the other ways Windows users write paths: forward slashes, the extended-length
    # form \\?\Z:\… (what canonicalize gives), and relative to the current folder
    base = as_json(run.win(lib_w, "search", "调解", "--json", "--no-semantic"), "windows search")
    spellings = {
        "Z:/… (forward slashes)": (win_path(lib_w).replace("\\", "/"), None),
        "\\\\?\\Z:\\… (extended-length)": ("\\\\?\\" + win_path(lib_w), None),
        "relative": ("资料库", lib_w.parent),
    }
    for what, (spelling, cwd) in spellings.items():
        r = subprocess.run(["wine", str(run.exe), "--library", spelling, "search", "调解", "--json", "--no-semantic"],
                           capture_output=True, env=run.env, cwd=cwd)
        j = as_json(r, f"windows library {what}")
        if j is not None and base is not None:
            check(without(j, ("elapsed_ms", "took_ms", "millis")) == without(base, ("elapsed_ms", "took_ms", "millis")),
                  f"library given as {what}: same results")

    # -- import: a .docx and a GBK .txt with Chinese file names
    incoming = work / "收到的材料"
    incoming.mkdir()
    docx = incoming / "关于网格化管理的经验材料.docx"
    real = os.environ.get("CASEBOOK_REAL_DOCX_DIR")
    if real and (Path(real) / "gbt9704-template-word.docx").is_file():
        shutil.copyfile(Path(real) / "gbt9704-template-word.docx", docx)
        print(f"     .docx: a real Word file ({real})")
    else:
        out = work / "自带导出"
        run.lin(lib_l, "export", "site", "yz-s1", "--out", str(out), "--format", "docx")
        made = sorted(out.rglob("*.docx"))
        if not check(bool(made), "a .docx exported by the program to import"):
            return finish()
        shutil.copyfile(made[0], docx)
        print(f"     .docx: exported by the program ({made[0].name})")
    gbk = incoming / "调解工作总结（GBK）.txt"
    gbk.write_bytes(
        "渝中区人民调解工作总结\r\n\r\n2021年，全区各级调委会坚持和发展新时代“枫桥经验”，依托综治中心和网格员排查"
        "矛盾纠纷，全年调解成功率达到98.6%。\r\n一、主要做法\r\n（一）把调解室设在家门口。\r\n".encode("gbk"))
    for f, extra in ((docx, ["--type", "经验材料"]), (gbk, [])):
        args = ["import", "--district", "渝中区", "--year", "2021", *extra, "--json"]
        jl = as_json(run.lin(lib_l, *args, str(f)), f"linux import {f.name}")
        jw = as_json(run.win(lib_w, *args, win_path(f)), f"windows import {f.name}")
        if jl is None or jw is None:
            continue
        nl = without(strip_root(jl, roots + [str(incoming), win_path(incoming)]), ("created", "date_imported"))
        nw = without(strip_root(jw, roots + [str(incoming), win_path(incoming)]), ("created", "date_imported"))
        if not check(nl == nw, f"import {f.name}: same result"):
            print("  linux:  ", json.dumps(nl, ensure_ascii=False)[:800])
            print("  windows:", json.dumps(nw, ensure_ascii=False)[:800])
        check(jw.get("imported") == 1, f"import {f.name}: one record written on Windows")
        for entry in jw.get("files", []):
            rel = entry.get("path") or entry.get("rel") or ""
            if rel:
                check("\\" not in rel and (lib_w / rel).is_file(), f"import {f.name}: {rel} exists")
                body = (lib_w / rel).read_text("utf-8")
                check("调解" in body or "网格" in body or "一级标题" in body or len(body) > 200,
                      f"import {f.name}: the record holds the text")

    # -- new
    same_json(["new", "writeup", "--district", "渝中区", "--title", "楼栋长制度试点情况", "--year", "2022", "--json"],
              "new writeup", drop=("created", "date"))

    # -- after the writes, both libraries check and search alike
    same_json(["check", "--json"], "check --json after import and new")
    same_json(["search", "调解工作总结", "--json", "--no-semantic"], "search of the imported GBK text",
              drop=("elapsed_ms", "took_ms", "millis"))

    # -- bundles: exported by each system, imported by the other into a library without 渝中区
    bundles = work / "交换包"
    bundles.mkdir()
    zl, zw = bundles / "渝中区-linux.zip", bundles / "渝中区-windows.zip"
    jl = as_json(run.lin(lib_l, "bundle", "export", "--district", "渝中区", "--out", str(zl), "--json"), "linux bundle")
    jw = as_json(run.win(lib_w, "bundle", "export", "--district", "渝中区", "--out", win_path(zw), "--json"),
                 "windows bundle")
    if zl.is_file() and zw.is_file():
        names_l = sorted(zipfile.ZipFile(zl).namelist())
        names_w = sorted(zipfile.ZipFile(zw).namelist())
        check(names_l == names_w, f"bundle export: same entries ({len(names_w)})")
        check(all("\\" not in n for n in names_w), "bundle made on Windows: entry names use /")
        check(any(n.startswith("渝中区/") for n in names_w), "bundle keeps the Chinese folder name")
        for n in names_l:
            if n != "manifest.json" and n in names_w:
                if zipfile.ZipFile(zl).read(n) != zipfile.ZipFile(zw).read(n):
                    fail(f"bundle entry {n} differs")
    else:
        fail("bundle export: a .zip missing")
    for who, bundle in (("windows", zl), ("linux", zw)):
        target = work / f"收件-{who}" / "资料库"
        shutil.copytree(a.corpus, target, ignore=shutil.ignore_patterns(".casebook", "yuzhong"))
        if who == "windows":
            r = run.win(target, "bundle", "import", win_path(bundle), "--json")
        else:
            r = run.lin(target, "bundle", "import", str(bundle), "--json")
        j = as_json(r, f"{who} bundle import")
        if j is not None:
            n = j.get("counts", {}).get("new", 0)
            check(n >= 11 and j.get("applied"), f"{who} imports the other system's bundle ({n} new records)")
        r = (run.win if who == "windows" else run.lin)(target, "check", "--json")
        j = as_json(r, f"{who} check after bundle import")
        if j is not None:
            check(not j.get("errors"), f"{who}: library checks clean after the bundle")

    # -- export route 渝中区 and compare --csv
    outs = {}
    for who in ("linux", "windows"):
        out = work / f"导出-{who}"
        if who == "windows":
            r = run.win(lib_w, "export", "route", "渝中区", "--out", win_path(out), "--json")
        else:
            r = run.lin(lib_l, "export", "route", "渝中区", "--out", str(out), "--json")
        as_json(r, f"{who} export route")
        outs[who] = out
    files = {w: sorted(str(p.relative_to(o)) for p in o.rglob("*") if p.is_file()) for w, o in outs.items()}
    check(files["linux"] == files["windows"] and files["windows"], f"export route: same files ({len(files['windows'])})")
    for rel in files["windows"]:
        if rel.endswith(".csv"):
            bl, bw = (outs["linux"] / rel).read_bytes(), (outs["windows"] / rel).read_bytes()
            check(bl == bw and bw.startswith(b"\xef\xbb\xbf") and b"\r\n" in bw,
                  f"export route {rel}: same bytes, BOM and CRLF")
    csv_l, csv_w = work / "信访总量-linux.csv", work / "信访总量-windows.csv"
    run.lin(lib_l, "compare", "--indicator", "信访总量", "--csv", str(csv_l))
    run.win(lib_w, "compare", "--indicator", "信访总量", "--csv", win_path(csv_w))
    if csv_l.is_file() and csv_w.is_file():
        bw = csv_w.read_bytes()
        check(csv_l.read_bytes() == bw, "compare --csv: same bytes on Windows and Linux")
        check(bw.startswith(b"\xef\xbb\xbf") and bw.count(b"\r\n") == bw.count(b"\n"),
              "compare --csv: UTF-8 with BOM, every line ends in CRLF (Excel, WPS)")
    else:
        fail("compare --csv: a CSV missing")

    consoles(run, lib_l, lib_w, work)
    if a.hold:
        open_file(run, lib_w, a.hold.resolve(), work)
    return finish()


def open_file(run: Runner, lib: Path, hold: Path, work: Path):
    """Replacing a record that another program holds open (without sharing deletion, as Word, an antivirus or a
    sync client do): a brief hold is waited out, a long one is refused with a clear message, the file intact."""
    record = lib / "渝中区" / "yz-p01" / "yz-p01-3.md"
    for hold_ms, text in ((1000, "第一次修订：网格员每天走访。"), (6000, "第二次修订：不应写入。")):
        revised = work / "修订稿.txt"
        revised.write_text(f"渝中区网格员走访经验\n\n{text}\n", encoding="utf-8")
        before = record.read_bytes()
        holder = subprocess.Popen(["wine", str(hold), win_path(record), str(hold_ms)], stdout=subprocess.PIPE,
                                  env=run.env)
        holder.stdout.readline()  # "held": the file is open now
        r = run.win(lib, "import", "--id", "yz-p01-3", "--replace", win_path(revised), check_code=None)
        holder.wait()
        out = (r.stdout + r.stderr).decode("utf-8", errors="replace")
        leftovers = [p.name for p in record.parent.iterdir() if p.name.endswith(".tmp")]
        if hold_ms < 2000:
            check(r.returncode == 0 and text in record.read_text("utf-8"),
                  f"a record held open for {hold_ms} ms is replaced once released")
        else:
            check(r.returncode != 0 and "正被其他程序打开" in out and record.read_bytes() == before,
                  f"a record held open for {hold_ms} ms: refused with a clear message, left intact")
            if "正被其他程序打开" not in out:
                print("  ", out[-400:])
        check(not leftovers, f"no temporary file left ({hold_ms} ms)")


def consoles(run: Runner, lib_l: Path, lib_w: Path, work: Path):
    """Chinese output through a console (code page 936 and 65001) and redirected under each."""
    expected = run.lin(lib_l, "summary").stdout.decode("utf-8")
    first = expected.splitlines()[1]  # "15 个区县 · 40 个认领项目 · …"
    if not shutil.which("script"):
        fail("`script` (util-linux) is needed to give Wine a console")
        return
    exe_dir = run.exe.parent
    for cp in (936, 65001):
        red, red_json = work / f"redirected-{cp}.txt", work / f"redirected-{cp}.json"
        cmd = (f"chcp {cp} >NUL & casebook.exe --library {win_path(lib_w)} summary"
               f" & casebook.exe --library {win_path(lib_w)} summary > {win_path(red)}"
               f" & casebook.exe --library {win_path(lib_w)} search 枫桥经验 --json --no-semantic > {win_path(red_json)}")
        # A pseudo-terminal makes Wine give the program a real console, which Wine shows in the terminal's
        # encoding (UTF-8 here): correct Chinese there means the program handed the console proper text.
        r = subprocess.run(["script", "-qec", f"wine cmd /c '{cmd}'", "/dev/null"], capture_output=True,
                           env=run.env, cwd=exe_dir, timeout=300)
        shown = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b"", r.stdout).decode("utf-8", errors="replace")
        check(first in shown, f"console, code page {cp}: Chinese shows correctly")
        if not red.is_file():
            fail(f"redirected under code page {cp}: no file")
            continue
        raw = red.read_bytes()
        encoding = "gbk" if cp == 936 else "utf-8"
        try:
            text = raw.decode(encoding)
            check(first in text, f"redirected under code page {cp}: {encoding.upper()} bytes, same text as Linux")
        except UnicodeDecodeError as e:
            fail(f"redirected under code page {cp}: not {encoding} ({e}): {raw[:80]!r}")
        if red_json.is_file():
            raw = red_json.read_bytes()
            try:
                data = json.loads(raw.decode("ascii" if cp == 936 else "utf-8"))
                check(bool(data), f"--json redirected under code page {cp}: "
                      f"{'ASCII with escapes' if cp == 936 else 'UTF-8'}, parses")
            except (UnicodeDecodeError, ValueError) as e:
                fail(f"--json redirected under code page {cp}: {e}")
    # No console at all (a pipe from a Unix program): UTF-8.
    r = run.win(lib_w, "summary")
    try:
        check(first in r.stdout.decode("utf-8"), "no console, piped: UTF-8")
    except UnicodeDecodeError:
        fail(f"no console, piped: not UTF-8: {r.stdout[:80]!r}")
    # A reader that stops early: the program ends quietly.
    p = subprocess.run(f"wine '{run.exe}' --library '{win_path(lib_w)}' search 调解 --no-semantic --limit 200 | head -n 1",
                       shell=True, capture_output=True, env=run.env)
    check(b"panicked" not in p.stderr and p.stdout.strip(), "a closed pipe ends the program quietly (no panic)")


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
