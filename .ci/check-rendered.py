"""Checks an exported .docx as LibreOffice lays it out (GB/T 9704-2012, issue 18): the PDF LibreOffice renders is
read back with poppler's `pdftotext -bbox-layout`, and the measurable rules are checked on the pages themselves:
at most 22 lines in the type area, lines of 28 full-width characters and never more, page numbers “— N —” at
the right on odd pages and at the left on even ones, and no page with fewer than three lines.
Usage: python3 check-rendered.py FILE.pdf"""
import html
import re
import subprocess
import sys

PT_PER_MM = 72 / 25.4
TOP, BOTTOM, LEFT, RIGHT = 37 * PT_PER_MM, (297 - 35) * PT_PER_MM, 28 * PT_PER_MM, (210 - 26) * PT_PER_MM


def wide(c):
    return ord(c) >= 0x2E80 and not (0xFF61 <= ord(c) <= 0xFF9F)


def main(pdf):
    layout = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    failures, widest, pages, numbered, full_lines = [], 0, 0, 0, []
    for page in layout.split("<page ")[1:]:
        pages += 1
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        lines = []
        body_rows = set()
        for x0, y0, x1, y1, body in re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S
        ):
            text = "".join(html.unescape(w) for w in re.findall(r">([^<]*)</word>", body))
            # The body's 3号 (a 16 pt line box is about 21 pt high); titles are larger, tables and captions smaller.
            body = 19 <= float(y1) - float(y0) < 24
            lines.append((float(x0), float(y0), float(x1), text, body))
            if body and TOP - 4 <= float(y0) <= BOTTOM:
                body_rows.add(round(float(y0)))
        rows = sorted(body_rows)
        merged = []
        for y in rows:
            if not merged or y - merged[-1] > 8:
                merged.append(y)
        if len(merged) > 22:
            failures.append(f"第 {pages} 页：版心内有 {len(merged)} 行（标准 22 行）")
        for x0, y0, x1, t, body in lines:
            if body and TOP - 4 <= y0 <= BOTTOM and x0 >= LEFT - 2 and x1 <= RIGHT + 2:
                n = sum(1 for c in t if wide(c))
                widest = max(widest, n)
                if n > 28:
                    failures.append(f"第 {pages} 页：一行 {n} 字（标准 28 字）：{t[:30]}")
                # A full line of full-width characters only, from margin to margin: 28 (27 when the 28th may
                # not start the next line's punctuation rules pull one character down).
                full = abs(x0 - LEFT) < 3 and x1 > RIGHT - 20 and t and all(wide(c) for c in t)
                if full:
                    full_lines.append(n)
                    if n < 27:
                        failures.append(f"第 {pages} 页：整行只有 {n} 字（标准 28 字）：{t[:30]}")
        text_lines = [t for _, _, _, t, _ in lines if t.strip() and not re.fullmatch(r"\s*—\s*\d+\s*—\s*", t)]
        if len(text_lines) < 3:
            failures.append(f"第 {pages} 页只有 {len(text_lines)} 行文字：{' / '.join(text_lines)}")
        for x0, y0, x1, t, _ in lines:
            m = re.fullmatch(r"\s*—\s*(\d+)\s*—\s*", t)
            if m and y0 > BOTTOM:
                numbered += 1
                n, centre = int(m.group(1)), (x0 + x1) / 2
                if (n % 2 == 1) != (centre > width / 2):
                    side = "右" if n % 2 == 1 else "左"
                    failures.append(f"第 {pages} 页：页码 “— {n} —” 应在{side}侧")
    if not full_lines or full_lines.count(28) * 2 < len(full_lines):
        failures.append(f"整行中 28 字的只有 {full_lines.count(28)} 行，共 {len(full_lines)} 行")
    if widest != 28:
        failures.append(f"最长的正文行 {widest} 字（标准 28 字）")
    if numbered == 0:
        failures.append("没有找到 “— N —” 形式的页码")
    print(f"{pdf}：{pages} 页，{numbered} 页有页码，最长正文行 {widest} 字，整行 {len(full_lines)} 行中 {full_lines.count(28)} 行 28 字")
    for f in failures:
        print("  不符合：" + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
