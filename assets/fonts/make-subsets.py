#!/usr/bin/env python3
"""Reproduces the bundled fonts in this folder from Debian's Noto packages.

    apt-get install fonts-noto-core fonts-noto-cjk
    pip install fonttools
    python3 assets/fonts/make-subsets.py [--cjk small|large]

The fonts are the fallback Qualmap draws with when a machine has none of its own for a script,
and the only fonts exports use, so that the same map gives the same files on every machine.

- Arabic, Hebrew, Devanagari and Thai: the whole Noto Sans font of each script, without
  TrueType hinting (egui and resvg do not use it), every OpenType layout feature kept (Arabic
  joining, Devanagari conjuncts and matras, Thai marks need them).
- CJK: one face of Noto Sans CJK (SC) cut down to the characters of the national standards that
  list the characters in everyday use: GB 2312 (all 6,763 Hanzi), JIS X 0208 (both levels,
  6,355 Kanji), Big5's frequently used characters (5,401 Hanzi), KS X 1001's 2,350 Hangul
  syllables, plus all of kana, Bopomofo, Hangul Jamo, CJK symbols and punctuation and the
  full-width forms. "small" keeps only the first levels of GB 2312 and JIS X 0208.
  The character lists come from Python's own codecs for those standards, so nothing is
  downloaded. Characters outside the subset are drawn with the operating system's fonts on
  screen, and reported as missing by exports.

- Emoji: Noto Emoji (monochrome; egui has no colour glyphs), the Google Fonts build of 2013-2024
  as the npm package @fontsource/noto-emoji 5.3 ships it, in twelve unicode-range pieces of
  weight 400, merged back into one font. Fetch it with `npm pack @fontsource/noto-emoji` and
  pass the unpacked folder with --emoji. (egui's own NotoEmoji-Regular is from 2015 and lacks
  common emoji such as U+1F642 and U+1F91D.)

The output is deterministic for the same fontTools version and input fonts.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NOTO = "/usr/share/fonts/truetype/noto"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CJK_SC_INDEX = 2  # faces in the collection: JP, KR, SC, TC, HK, then the Mono ones

WHOLE = {
    "NotoSansArabic-Regular.ttf": "NotoSansArabic-Regular.ttf",
    "NotoSansHebrew-Regular.ttf": "NotoSansHebrew-Regular.ttf",
    "NotoSansDevanagari-Regular.ttf": "NotoSansDevanagari-Regular.ttf",
    "NotoSansThai-Regular.ttf": "NotoSansThai-Regular.ttf",
}


def double_byte(codec, rows, cells):
    out = set()
    for row in rows:
        for cell in cells:
            try:
                text = bytes([row, cell]).decode(codec)
            except UnicodeDecodeError:
                continue
            out.update(text)
    return out


def cjk_characters(size):
    cells = range(0xA1, 0xFF)
    if size == "small":
        chars = double_byte("gb2312", range(0xB0, 0xD8), cells)  # GB 2312 level 1
        chars |= double_byte("euc_jp", range(0xB0, 0xD0), cells)  # JIS X 0208 level 1
    else:
        chars = double_byte("gb2312", range(0xA1, 0xF8), cells)  # all of GB 2312
        chars |= double_byte("euc_jp", range(0xA1, 0xF5), cells)  # all of JIS X 0208
        big5_cells = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
        chars |= double_byte("big5", range(0xA4, 0xC7), big5_cells)  # Big5 frequent
    chars |= double_byte("euc_kr", range(0xB0, 0xC9), cells)  # KS X 1001 Hangul
    ranges = [
        (0x1100, 0x11FF),  # Hangul Jamo
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3040, 0x309F),  # Hiragana
        (0x30A0, 0x30FF),  # Katakana
        (0x3100, 0x312F),  # Bopomofo
        (0x3130, 0x318F),  # Hangul compatibility Jamo
        (0x31F0, 0x31FF),  # Katakana phonetic extensions
        (0xFF00, 0xFFEF),  # half-width and full-width forms
    ]
    for lo, hi in ranges:
        chars.update(chr(c) for c in range(lo, hi + 1))
    return sorted(ord(c) for c in chars if ord(c) >= 0x80)


def subset(source, target, extra):
    args = [
        sys.executable, "-m", "fontTools.subset", source,
        f"--output-file={os.path.join(HERE, target)}",
        "--layout-features=*", "--no-hinting",
        "--name-IDs=*", "--name-languages=*", "--notdef-outline",
        "--drop-tables+=DSIG",
    ] + extra
    subprocess.run(args, check=True)


def merge_emoji(package):
    import glob
    import tempfile
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    pieces = sorted(glob.glob(os.path.join(package, "files", "noto-emoji-*-400-normal.woff2")),
                    key=lambda p: int(os.path.basename(p).split("-")[2]))
    with tempfile.TemporaryDirectory() as tmp:
        plain = []
        for i, piece in enumerate(pieces):
            font = TTFont(piece)
            font.flavor = None
            path = os.path.join(tmp, f"{i}.ttf")
            font.save(path)
            plain.append(path)
        Merger().merge(plain).save(os.path.join(HERE, "NotoEmoji-Regular.ttf"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cjk", choices=["small", "large"], default="large")
    parser.add_argument("--emoji", help="unpacked @fontsource/noto-emoji package folder")
    options = parser.parse_args()
    if options.emoji:
        merge_emoji(options.emoji)
    for source, target in WHOLE.items():
        subset(os.path.join(NOTO, source), target, ["--unicodes=*"])
    codes = ",".join(f"U+{c:04X}" for c in cjk_characters(options.cjk))
    subset(CJK, "NotoSansCJKsc-Subset.otf", [f"--font-number={CJK_SC_INDEX}", f"--unicodes={codes}"])
    for name in sorted(os.listdir(HERE)):
        if name.endswith((".ttf", ".otf")):
            print(f"{name}: {os.path.getsize(os.path.join(HERE, name)):,} bytes")


if __name__ == "__main__":
    main()
