#!/usr/bin/env python3
"""Regenerates NotoSansSC-Casebook.otf: Noto Sans CJK SC (SIL OFL 1.1) cut down to what Casebook shows.

Coverage: all of GBK (the 21,003 汉字 and the symbols of code page 936, which every Word and WPS file of an office
can hold: names such as 费祎 are outside GB2312), CJK punctuation, full-width forms, every character of corpus/ and seeds/, and every
character in the sources under src/ (the UI's strings). Needs Debian's fonts-noto-cjk and fonttools (pip).
Run from the repository root:  python3 assets/fonts/make_subset.py
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACE_SC = 2  # Simplified Chinese face of the collection
OUT = ROOT / "assets/fonts/NotoSansSC-Casebook.otf"


def gb2312():
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def gbk():
    chars = set()
    for hi in range(0x81, 0xFF):
        for lo in range(0x40, 0xFF):
            if lo == 0x7F:
                continue
            try:
                chars.add(bytes([hi, lo]).decode("gbk"))
            except UnicodeDecodeError:
                pass
    return chars


def read_text(path):
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return ""


def main():
    chars = gb2312() | gbk()
    chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
    chars.update(chr(c) for c in range(0x2000, 0x2070))  # general punctuation (— … “ ”)
    chars.update(chr(c) for c in range(0x2460, 0x24FF))  # enclosed numbers ①
    for folder, patterns in (("corpus", ["**/*.md", "**/*.yaml"]), ("seeds", ["*"]), ("src", ["**/*.rs"])):
        for pattern in patterns:
            for path in (ROOT / folder).glob(pattern):
                if path.is_file():
                    chars.update(read_text(path))
    wanted = sorted(c for c in chars if ord(c) > 0x2000)
    text_file = OUT.with_suffix(".chars.txt")
    text_file.write_text("".join(wanted), encoding="utf-8")
    subprocess.run(
        [
            sys.executable, "-m", "fontTools.subset", str(SOURCE), f"--font-number={FACE_SC}",
            f"--text-file={text_file}", "--unicodes=U+0020-007E", "--layout-features=",
            "--no-hinting", "--desubroutinize", f"--output-file={OUT}",
        ],
        check=True,
    )
    text_file.unlink()
    print(f"{OUT.name}: {len(wanted)} characters, {OUT.stat().st_size / 1048576:.2f} MB")


if __name__ == "__main__":
    main()
