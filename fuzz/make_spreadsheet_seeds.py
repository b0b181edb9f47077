#!/usr/bin/env python3
"""Writes the spreadsheet fixtures and fuzz seeds from tests/fixtures/segments.csv.

    python3 fuzz/make_spreadsheet_seeds.py      (from the repository; needs `pip install xlwt`)

- tests/fixtures/segments.xls, and fuzz/seeds/xls/segments.xls: the CSV as a legacy Excel
  97-2003 workbook, written by xlwt 1.3 (PyPI), which writes BIFF8 in a version-3 compound file
  with 512-byte sectors, the cells as shared strings (LabelSst) and numbers, as Excel does.
- tests/fixtures/segments-400.xls: 400 illustrative segments (not real data) in two sheets, about
  100 KB, like the damaged MAXQDA export in the issue: big enough for a FAT chain, a directory and
  a mini stream.
- tests/fixtures/segments.ods and the ods seeds: OpenDocument 1.2 spreadsheet written by hand (a
  stored `mimetype` first, a manifest, content.xml with table:table-row / table:table-cell,
  office:value-type and number-columns-repeated, as LibreOffice writes them).
- the xlsx seeds: SpreadsheetML written by hand (ECMA-376 Part 1: [Content_Types].xml, the
  package and workbook relationships, workbook.xml, sharedStrings.xml, sheet1.xml with shared
  and inline strings and numbers).

Each zipped seed comes twice: as a stored archive, and as the entry list the fuzz targets pack
themselves (name, line break, content; entries separated by byte 0x1E; see fuzz/src/lib.rs).
"""
import csv, io, os, random, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
def path(*p): return os.path.join(ROOT, *p)

rows = list(csv.reader(open(path("tests/fixtures/segments.csv"), encoding="utf-8")))

def xls(rows_by_sheet, out):
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in rows_by_sheet:
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write(r, c, int(v) if v.isdigit() else v)
    wb.save(out)

xls([("Coded segments", rows)], path("tests/fixtures/segments.xls"))
xls([("Coded segments", rows)], path("fuzz/seeds/xls/segments.xls"))
random.seed(4)
codes = ["Benefits\\Confidence", "Benefits\\Coping", "Processes\\Reflection", "Processes\\Problem solving"]
big = [rows[0]] + [
    ["", "Interviews", f"Interview {1 + i % 12:02d}", random.choice(codes), str(i), str(i + 2), "0",
     f"Illustrative segment {i}: " + " ".join(random.choice(["we", "talked", "it", "through", "and", "I", "felt", "surer", "of", "myself"]) for _ in range(20)),
     "", random.choice(["Ana", "Ben"]), random.choice(["mentee", "mentor"]), random.choice("ABC")]
    for i in range(400)]
xls([("Coded segments", big), ("Codes", [["Code"]] + [[c] for c in codes])], path("tests/fixtures/segments-400.xls"))

def esc(s): return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s

# xlsx
strings = []
def sst(v):
    if v not in strings: strings.append(v)
    return strings.index(v)
sheet_rows = []
for r, row in enumerate(rows):
    cells = []
    for c, v in enumerate(row):
        ref = f"{col(c)}{r + 1}"
        if v == "":
            continue
        if v.isdigit():
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        elif c == 7 and r % 2 == 0:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}" t="s"><v>{sst(v)}</v></c>')
    sheet_rows.append(f'<row r="{r + 1}">{"".join(cells)}</row>')
main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
xlsx = [
    ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    ("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Coded segments" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    ("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
    ("xl/worksheets/sheet1.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{main}"><dimension ref="A1:{col(len(rows[0]) - 1)}{len(rows)}"/><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'),
]
xlsx.append(("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(f"<si><t>{esc(s)}</t></si>" for s in strings) + "</sst>"))

# ods
ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')
ods_rows = []
for row in rows:
    cells = []
    for v in row:
        if v == "":
            cells.append('<table:table-cell/>')
        elif v.isdigit():
            cells.append(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>')
        else:
            cells.append(f'<table:table-cell office:value-type="string"><text:p>{esc(v)}</text:p></table:table-cell>')
    cells.append('<table:table-cell table:number-columns-repeated="4"/>')
    ods_rows.append(f'<table:table-row>{"".join(cells)}</table:table-row>')
ods_rows.append('<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="16"/></table:table-row>')
ods = [
    ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
    ("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'),
    ("content.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ns}><office:body><office:spreadsheet><table:table table:name="Coded segments">{"".join(ods_rows)}</table:table></office:spreadsheet></office:body></office:document-content>'),
]

def write_zip(entries, out, method):
    with zipfile.ZipFile(out, "w") as z:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else method
            z.writestr(info, content)

def write_entries(entries, out):
    with open(out, "wb") as f:
        f.write(b"\x1e".join(name.encode() + b"\n" + content.encode("utf-8") for name, content in entries))

write_zip(ods, path("tests/fixtures/segments.ods"), zipfile.ZIP_DEFLATED)
write_zip(ods, path("fuzz/seeds/ods/segments-stored.ods"), zipfile.ZIP_STORED)
write_entries(ods, path("fuzz/seeds/ods/segments.entries"))
write_zip(xlsx, path("fuzz/seeds/xlsx/segments-stored.xlsx"), zipfile.ZIP_STORED)
write_entries(xlsx, path("fuzz/seeds/xlsx/segments.entries"))
