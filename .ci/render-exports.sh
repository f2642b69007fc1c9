#!/usr/bin/env bash
# Renders the exports as a reader sees them, to check them by eye and refresh docs/screenshots/export-*.png.
# Not part of .ci/run. Needs (Debian): apt-get install -y chromium libreoffice-writer fonts-noto-cjk \
#   fonts-arphic-ukai poppler-utils imagemagick
# Usage: bash .ci/render-exports.sh [OUT_DIR]   (default: a temporary folder; the screenshots are copied to docs/)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
lib="$out/library"
rm -rf "$lib" && cp -r corpus "$lib" && rm -rf "$lib/.casebook"

# The 公文 fonts are not free; map their names to free look-alikes so the pages look as intended
# (仿宋/宋体/小标宋 → Noto Serif CJK, 黑体 → Noto Sans CJK, 楷体 → AR PL UKai).
fc="$out/fonts.conf"
cat > "$fc" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>仿宋_GB2312</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>仿宋</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体_GB2312</family><prefer><family>AR PL UKai CN</family><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>楷体</family><prefer><family>AR PL UKai CN</family><family>Noto Serif CJK SC</family></prefer></alias>
  <match target="pattern">
    <test name="family"><string>方正小标宋简体</string></test>
    <edit name="family" mode="assign" binding="same"><string>Noto Serif CJK SC</string></edit>
    <edit name="weight" mode="assign" binding="same"><const>bold</const></edit>
  </match>
</fontconfig>
EOF
export FONTCONFIG_FILE="$fc"

cargo build --quiet
bin="$root/target/debug/casebook"
"$bin" --library "$lib" export route 渝中 --out "$out"
"$bin" --library "$lib" export collection col-fengqiao --out "$out"

route="$out/展示材料-渝中区路线"
html="$route/展示材料-渝中区路线.html"
docx="$route/展示材料-渝中区路线.docx"

# HTML: the screen view (as the issue asks) and the print layout (A4 pages, as a PDF).
chromium --headless --no-sandbox --disable-gpu --screenshot="$out/html-screen.png" --window-size=1240,1754 "$html" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$out/html-print.pdf" "$html" 2>/dev/null
pdftoppm -png -r 100 "$out/html-print.pdf" "$out/html-page"

# .docx: as LibreOffice lays it out.
(cd "$out" && libreoffice --headless --convert-to pdf --outdir "$out" "$docx" >/dev/null 2>&1)
pdftoppm -png -r 100 "$out/展示材料-渝中区路线.pdf" "$out/docx-page"
echo "pages: HTML $(pdfinfo "$out/html-print.pdf" | awk '/^Pages/ {print $2}'), docx $(pdfinfo "$out/展示材料-渝中区路线.pdf" | awk '/^Pages/ {print $2}')"

# One page of each for the docs: in the HTML the first project's charts (before/after, 群众评价), in the .docx
# the first write-up (小标宋 title, 黑体/楷体 headings, 仿宋 body, page number).
page_with() { # PDF, text → first page number holding the text
  local n; n=$(pdfinfo "$1" | awk '/^Pages/ {print $2}')
  for i in $(seq 1 "$n"); do
    if pdftotext -f "$i" -l "$i" "$1" - | grep -q "$2"; then echo "$i"; return; fi
  done
  echo 1
}
pick() { ls "$out"/"$1"-*.png | sort | sed -n "${2}p"; }
html_page=$(page_with "$out/html-print.pdf" "第三方测评样本量")
docx_page=$(page_with "$out/展示材料-渝中区路线.pdf" "· 经验材料")
mkdir -p docs/screenshots
convert "$(pick html-page "$html_page")" -strip -colors 128 PNG8:docs/screenshots/export-html.png
convert "$(pick docx-page "$docx_page")" -strip -colors 128 PNG8:docs/screenshots/export-docx.png
# The cover, with its 版头 (the issuing organ in red over a red rule).
convert "$(pick docx-page 1)" -strip -colors 128 PNG8:docs/screenshots/export-cover.png
ls -l docs/screenshots/export-*.png
echo "all pages: $out"
