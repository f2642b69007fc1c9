#!/usr/bin/env python3
"""Renders the OCR test pages from known text (tests/ocr/text.txt), so accuracy can be measured exactly.

Why: OCR accuracy means nothing without ground truth. Every page here is drawn from text we wrote, with a CJK
font, under the conditions a clerk's scans show: clean 300 dpi, 150 dpi, rotated about 2 degrees, a red round
stamp over the text, and a rough scan (grey paper, noise, blur, JPEG). The ground truth of each image is written
beside it as NAME.txt (one line per text line, as laid out).

Two sets:
  * small pages (a paragraph each, committed in tests/ocr/ and read by `cargo test --lib ocr`; the clean
    300 dpi one also as a bilevel CCITT Group 4 TIFF, as archive scanners write):
        python3 tests/ocr/make_pages.py
  * full A4 pages (the whole text, for `cargo bench --bench ocr`; not committed, about 10 MB):
        python3 tests/ocr/make_pages.py --full target/ocr-pages

Needs Pillow (pip install pillow). Fonts: the repository's assets/fonts/NotoSansSC-Casebook.otf (always there)
and, for the full set, Debian's fonts-noto-cjk (Noto Serif CJK SC, a 宋体-like face) when installed.
Output is deterministic (fixed random seed).
"""
import argparse
import math
import pathlib
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEXT = ROOT / "tests/ocr/text.txt"
SANS = ROOT / "assets/fonts/NotoSansSC-Casebook.otf"
SERIF = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SERIF_SC = 2  # face index of Simplified Chinese in the collection

# Characters that must not begin a line (禁则): they hang at the end of the previous one.
NO_START = set("，。、；：？！”’）》〉」』】%％")
NO_END = set("“‘（《〈「『【")


def pt_to_px(pt, dpi):
    return round(pt * dpi / 72)


def mm_to_px(mm, dpi):
    return round(mm * dpi / 25.4)


def read_paragraphs():
    """Title (line starting with '# ') and paragraphs, in order."""
    out = []
    for line in TEXT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("# "):
            out.append(("title", line[2:]))
        elif line[:2] in ("一、", "二、", "三、", "四、", "五、"):
            out.append(("heading", line))
        else:
            out.append(("body", line))
    return out


def wrap(text, font, width, indent):
    """Greedy wrap by measured width with the line-start/line-end rules; returns the lines."""
    lines = []
    cur = ""
    avail = width - indent
    for ch in text:
        if font.getlength(cur + ch) <= avail or ch in NO_START or not cur:
            cur += ch
            continue
        if cur[-1] in NO_END:
            lines.append(cur[:-1])
            cur = cur[-1] + ch
        else:
            lines.append(cur)
            cur = ch
        avail = width
    if cur:
        lines.append(cur)
    return lines


def layout(paragraphs, font_path, font_index, dpi, width_mm, body_pt=14, title_pt=20, margin_mm=(25, 20)):
    """Draws paragraphs on a white greyscale page of the given type-area width; returns (image, lines)."""
    top, left = mm_to_px(margin_mm[0], dpi), mm_to_px(margin_mm[1], dpi)
    width = mm_to_px(width_mm, dpi)
    body = ImageFont.truetype(str(font_path), pt_to_px(body_pt, dpi), index=font_index)
    title = ImageFont.truetype(str(font_path), pt_to_px(title_pt, dpi), index=font_index)
    pitch = round(pt_to_px(body_pt, dpi) * 1.75)
    placed = []  # (x, y, text, font)
    y = top
    for kind, text in paragraphs:
        if kind == "title":
            for line in wrap(text, title, width, 0):
                x = left + (width - title.getlength(line)) / 2
                placed.append((x, y, line, title))
                y += round(pt_to_px(title_pt, dpi) * 1.8)
            y += pitch // 3
            continue
        indent = pt_to_px(body_pt, dpi) * 2
        for i, line in enumerate(wrap(text, body, width, indent)):
            placed.append((left + (indent if i == 0 else 0), y, line, body))
            y += pitch
    height = y + top
    page = Image.new("L", (width + 2 * left, height), 255)
    draw = ImageDraw.Draw(page)
    for x, y, line, font in placed:
        draw.text((x, y), line, font=font, fill=0)
    return page, [line for _, _, line, _ in placed]


def stamp(page, centre, dpi, rng):
    """A red round official seal (ring, star, arc text) blended over the page like ink (multiply)."""
    page = page.convert("RGB")
    d = mm_to_px(42, dpi)
    ink = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(ink)
    ring = max(2, mm_to_px(1.2, dpi))
    draw.ellipse((ring // 2, ring // 2, d - ring // 2 - 1, d - ring // 2 - 1), outline=255, width=ring)
    # five-pointed star
    r_out, r_in = d * 0.16, d * 0.16 * 0.382
    pts = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((d / 2 + r * math.cos(a), d / 2 + r * math.sin(a)))
    draw.polygon(pts, fill=255)
    # arc text, upright characters rotated along the upper arc
    font = ImageFont.truetype(str(SANS), round(d * 0.12))
    words = "东江区矛盾纠纷多元化解中心"
    span = math.radians(240)
    for k, ch in enumerate(words):
        a = -math.pi / 2 - span / 2 + span * (k + 0.5) / len(words)
        r = d / 2 - ring - d * 0.09
        glyph = Image.new("L", (round(d * 0.16), round(d * 0.16)), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        ink.paste(glyph, (round(d / 2 + r * math.cos(a) - glyph.width / 2),
                          round(d / 2 + r * math.sin(a) - glyph.height / 2)), glyph)
    # uneven ink: some pressure variation
    noise = Image.effect_noise((d, d), 40).filter(ImageFilter.GaussianBlur(3))
    ink = Image.composite(ink, Image.new("L", (d, d), 0), noise.point(lambda v: 255 if v > 70 else 0))
    ink = ink.point(lambda v: v * 0.85).filter(ImageFilter.GaussianBlur(0.8))
    red = Image.new("RGB", (d, d), (222, 41, 33))
    layer = Image.new("RGB", page.size, (255, 255, 255))
    mask = Image.new("L", page.size, 0)
    pos = (round(centre[0] - d / 2), round(centre[1] - d / 2))
    layer.paste(red, pos)
    mask.paste(ink, pos)
    from PIL import ImageChops

    tinted = ImageChops.multiply(page, layer)
    return Image.composite(tinted, page, mask)


def rotate(page, degrees):
    fill = 255 if page.mode == "L" else (255, 255, 255)
    return page.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=fill)


def rough_scan(page, rng):
    """Grey paper, sensor noise, a little blur: what a cheap office scanner gives (saved as JPEG)."""
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    noise = Image.effect_noise(page.size, 18)
    page = Image.blend(page, noise, 0.12)
    return page.point(lambda v: 35 + v * 0.80)


def conditions(paragraphs, font, index, dpi_hi, dpi_lo, width_mm, rng, margin_mm=(25, 20)):
    """Yields (name, image, truth lines, format) for every condition."""
    hi, lines = layout(paragraphs, font, index, dpi_hi, width_mm, margin_mm=margin_mm)
    yield "clean300", hi, lines, "png"
    lo, lines_lo = layout(paragraphs, font, index, dpi_lo, width_mm, margin_mm=margin_mm)
    yield "clean150", lo, lines_lo, "png"
    yield "rotated2", rotate(hi, 2.0), lines, "png"
    centre = (hi.width * 0.62, hi.height * 0.55)
    yield "stamp", stamp(hi, centre, dpi_hi, rng), lines, "png"
    yield "scan", rough_scan(rotate(hi, -0.7), rng), lines, "jpg"


def save(out, name, image, lines, fmt):
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "jpg":
        image.save(out / f"{name}.jpg", quality=70)
    else:
        image.save(out / f"{name}.png", optimize=True)
    (out / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out / name}.{fmt}: {image.width}x{image.height}, {sum(len(l) for l in lines)} characters")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", metavar="DIR", help="write the full A4 page set into DIR instead of the small one")
    args = ap.parse_args()
    rng = random.Random(15)
    random.seed(15)
    paragraphs = read_paragraphs()
    if args.full:
        out = pathlib.Path(args.full)
        fonts = [("sans", SANS, 0)]
        if SERIF.exists():
            fonts.append(("serif", SERIF, SERIF_SC))
        for tag, font, index in fonts:
            for name, image, lines, fmt in conditions(paragraphs, font, index, 300, 150, 160, rng):
                save(out, f"{tag}-{name}", image, lines, fmt)
        return
    # Small pages: one paragraph each, about 100 mm wide, so `cargo test` stays quick.
    out = ROOT / "tests/ocr"
    picks = {"clean300": 1, "clean150": 3, "rotated2": 5, "stamp": 7, "scan": 9}
    for name, para in picks.items():
        small = [paragraphs[para]]
        pages = dict((n, (im, li, f)) for n, im, li, f in conditions(small, SANS, 0, 300, 150, 100, rng, (8, 8)))
        image, lines, fmt = pages[name]
        save(out, f"small-{name}", image, lines, fmt)
        if name == "clean300":
            # what archive scanners write: bilevel, CCITT Group 4 compressed TIFF
            bilevel = image.point(lambda v: 255 if v > 128 else 0).convert("1")
            bilevel.save(out / "small-bilevel-g4.tif", compression="group4", dpi=(300, 300))
            (out / "small-bilevel-g4.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{out / 'small-bilevel-g4.tif'}: CCITT Group 4")


if __name__ == "__main__":
    main()
