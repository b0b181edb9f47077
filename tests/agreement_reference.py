#!/usr/bin/env python3
"""The reference for tests/agreement.rs: intercoder agreement worked out independently of Qualmap.

Reads JSON from standard input, {"cases": [case, ...]}, each case
  {"coders": ["A", "B"], "unit": "source" | "segment", "overlap": 0.5,
   "items": ["concept 1", ...],
   "evidence": [{"coder": "A", "source": 3, "location": "characters 10–40", "text": "...",
                 "links": ["concept 1", ...]}, ...]}
and for each builds the unit tables itself, as the README defines them: units are the sources every chosen
coder coded, or the segments of those sources (excerpts by different coders overlapping by at
least `overlap` of their union, by position where both have a range in the same unit of position,
otherwise by text; chains of overlaps join). A coder's value on a unit is 1 when the coder linked
an excerpt of the unit to the item. Then the figures: scikit-learn's cohen_kappa_score (two
coders), the krippendorff package's alpha(level_of_measurement="nominal") and the share of units on
which every coder agrees, per item and pooled over the items some coder linked.

Writes JSON: {"cases": [{"items": [{"units", "agreement", "kappa", "alpha"}, ...], "overall": {...},
"unit_count": N}, ...]}; undefined figures are null.
"""
import json
import math
import re
import sys
import warnings

import numpy as np
import krippendorff
from sklearn.metrics import cohen_kappa_score

warnings.simplefilter("ignore")


def parse_range(location):
    match = re.fullmatch(r"\s*([^\d]*?)\s*(\d+)\s*(?:[–\-—]\s*(\d+))?\s*", location)
    if not match:
        return None
    word = match.group(1).strip().rstrip(":.").strip().lower()
    if not word.isalpha() and word != "":
        return None
    if word in ("characters", "character", "chars", "char"):
        kind = "characters"
    elif word == "":
        kind = ""
    else:
        kind = (word[:-1] if word.endswith("s") else word) + "s"
    counted = kind not in ("", "characters")
    start = int(match.group(2))
    if match.group(3) is None:
        if not counted:
            return None
        end = start
    else:
        end = int(match.group(3))
    if counted:
        end += 1
    return (kind, start, end) if end > start else None


def text_overlap(a, b):
    best = 0
    if a in b:
        best = len(a)
    if b in a:
        best = max(best, len(b))
    for k in range(min(len(a), len(b)), 0, -1):
        if a.endswith(b[:k]) or b.endswith(a[:k]):
            return max(best, k)
    return best


def case(data):
    """The figures of one map and choice of coders and unit."""
    coders = data["coders"]
    m = len(coders)
    coder_index = {c: i for i, c in enumerate(coders)}

    evidence = [e for e in data["evidence"] if e["coder"] in coder_index]
    coded = {}
    for e in evidence:
        coded.setdefault(e["source"], set()).add(e["coder"])
    shared = sorted(s for s, who in coded.items() if len(who) == m)
    counted = [e for e in evidence if e["source"] in shared]

    # Units: a list of lists of excerpts.
    units = []
    if data["unit"] == "source":
        for s in shared:
            units.append([e for e in counted if e["source"] == s])
    else:
        share = data["overlap"]
        for s in shared:
            here = [e for e in counted if e["source"] == s]
            parent = list(range(len(here)))

            def root(i):
                while parent[i] != i:
                    i = parent[i]
                return i

            for i in range(len(here)):
                for j in range(i + 1, len(here)):
                    a, b = here[i], here[j]
                    if a["coder"] == b["coder"]:
                        continue
                    ra, rb = parse_range(a["location"]), parse_range(b["location"])
                    if ra and rb and ra[0] == rb[0]:
                        common = min(ra[2], rb[2]) - max(ra[1], rb[1])
                        union = max(ra[2], rb[2]) - min(ra[1], rb[1])
                    else:
                        ta, tb = " ".join(a["text"].split()), " ".join(b["text"].split())
                        common = text_overlap(ta, tb)
                        union = len(ta) + len(tb) - common
                    if common > 0 and common >= share * union:
                        parent[root(j)] = root(i)
            groups = {}
            for i, e in enumerate(here):
                groups.setdefault(root(i), []).append(e)
            units.extend(groups.values())

    def table(item):
        """m × N: coder c's value on each unit."""
        return [[int(any(e["coder"] == c and item in e["links"] for e in unit)) for unit in units] for c in coders]

    def figures(rows):
        n = len(rows[0]) if rows else 0
        out = {"units": n, "agreement": None, "kappa": None, "alpha": None}
        if n == 0:
            return out
        columns = list(zip(*rows))
        out["agreement"] = sum(1 for col in columns if len(set(col)) == 1) / n
        if m == 2:
            kappa = cohen_kappa_score(rows[0], rows[1], labels=[0, 1])
            out["kappa"] = None if math.isnan(kappa) else float(kappa)
        alpha = krippendorff.alpha(
            reliability_data=np.array(rows, dtype=float), level_of_measurement="nominal", value_domain=[0, 1]
        )
        out["alpha"] = None if math.isnan(alpha) else float(alpha)
        return out

    results = []
    pooled = [[] for _ in coders]
    for item in data["items"]:
        rows = table(item)
        results.append(figures(rows))
        if any(any(row) for row in rows):
            for c in range(m):
                pooled[c].extend(rows[c])
    return {"items": results, "overall": figures(pooled) if pooled[0] else None, "unit_count": len(units)}


json.dump({"cases": [case(c) for c in json.load(sys.stdin)["cases"]]}, sys.stdout)
