"""Checks an exported HTML file as Chromium prints it (issue 18): the PDF of `chromium --print-to-pdf` is read
back with poppler's `pdftotext -bbox-layout`, and the print rules are checked on the pages themselves: no page
holds fewer than three lines of text (a lone line of the contents, the last line of a write-up), and page numbers
“— N —” sit at the right on odd pages and at the left on even ones, as GB/T 9704 places them; the cover has none.
Usage: python3 check-html-print.py FILE.pdf"""
import html
import re
import subprocess
import sys

NUMBER = re.compile(r"^—\s*(\d+)\s*—$")


def main(pdf):
    layout = subprocess.run(["pdftotext", "-bbox-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    failures, pages, numbered = [], 0, 0
    for page in layout.split("<page ")[1:]:
        pages += 1
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        texts, number = [], None
        for x0, x1, body in re.findall(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>',
                                       page, re.S):
            text = "".join(html.unescape(w) for w in re.findall(r">([^<]*)</word>", body)).strip()
            found = NUMBER.match(text.replace(" ", ""))
            if found:
                number = (int(found.group(1)), float(x0), float(x1))
            elif text:
                texts.append(text)
        if len(texts) < 3:
            failures.append(f"第 {pages} 页只有 {len(texts)} 行文字：{' / '.join(texts)}")
        if pages == 1:
            if number:
                failures.append("封面不应有页码")
            continue
        if not number:
            failures.append(f"第 {pages} 页没有页码")
            continue
        numbered += 1
        value, x0, x1 = number
        if value != pages:
            failures.append(f"第 {pages} 页的页码是 {value}")
        right = x0 > width / 2
        if right != (pages % 2 == 1):
            side = "右" if right else "左"
            failures.append(f"第 {pages} 页（{'单' if pages % 2 else '双'}页）页码在{side}侧")
    print(f"{pdf}：{pages} 页，{numbered} 页有页码")
    for f in failures:
        print(f"  不符合：{f}")
    return 1 if failures or pages < 3 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
