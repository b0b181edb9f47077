#!/usr/bin/env python3
"""Writes the docx fuzz target's seeds (fuzz/seeds/docx/), by hand, from ECMA-376 Part 1
(WordprocessingML): [Content_Types].xml, the package relationship, word/document.xml with
paragraphs (w:p) of runs (w:r) of text (w:t, xml:space="preserve"), tabs (w:tab), breaks
(w:br, w:cr), a table, tracked changes (w:ins, w:del with w:delText) and a field (w:instrText),
in several scripts.

    python3 fuzz/make_docx_seeds.py      (from the repository; standard library only)

Each seed comes twice: as a deflated archive, as Word writes it, and as the entry list the fuzz
target packs itself (name, line break, content; entries separated by byte 0x1E; see
fuzz/src/lib.rs).
"""
import os, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "seeds", "docx")
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/'
         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')

def document(body):
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>'

def p(*runs):
    return "<w:p>" + "".join(runs) + "</w:p>"

def r(text):
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'

SEEDS = {
    "interview": document(
        p(r("Interviewer: How did mentoring help?"))
        + p(r("P1: I came back "), '<w:r><w:tab/></w:r>', r("surer of myself."), '<w:r><w:br/></w:r>', r("Really."))
        + p('<w:ins w:id="1" w:author="A"><w:r><w:t>Added</w:t></w:r></w:ins>',
            '<w:del w:id="2" w:author="A"><w:r><w:delText>removed</w:delText></w:r></w:del>')
        + p('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>',
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>', r("&amp; after the field"))),
    "scripts": document(
        p(r("导师让我更有信心。"))
        + p(r("الإرشاد ساعدني على الثقة بنفسي (P2)"))
        + p(r("מנטורינג עזר לי 3 פעמים"), '<w:r><w:cr/></w:r>', r("मेंटरिंग ने मदद की 🙂"))),
    "table": document(
        '<w:tbl><w:tr><w:tc>' + p(r("cell one")) + '</w:tc><w:tc>' + p(r("cell two")) + '</w:tc></w:tr></w:tbl>'
        + p(r("after the table"))),
}

os.makedirs(OUT, exist_ok=True)
for name, xml in SEEDS.items():
    entries = [("[Content_Types].xml", TYPES), ("_rels/.rels", RELS), ("word/document.xml", xml)]
    with zipfile.ZipFile(os.path.join(OUT, f"{name}.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        for entry, content in entries:
            z.writestr(zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    with open(os.path.join(OUT, f"{name}.entries"), "wb") as f:
        f.write(b"\x1e".join(e.encode() + b"\n" + c.encode() for e, c in entries))
print("wrote", sorted(os.listdir(OUT)))
