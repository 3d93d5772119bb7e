#!/usr/bin/env python3
"""Writes Sources/VidiRetrieval/Resources/html5_entities.tsv from Python's `html.entities.html5` (the
table `html.unescape` uses, which CLIP's tokenizer applies twice): one `name<TAB>hex code points` per line;
names keep their trailing `;` (legacy names appear without it as well, as in the table).

    python3 Tools/retrieval/make_html_entities.py
"""
import html.entities
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEST = os.path.join(ROOT, "Sources", "VidiRetrieval", "Resources", "html5_entities.tsv")
with open(DEST, "w", encoding="ascii") as f:
    for name in sorted(html.entities.html5):
        f.write(name + "\t" + " ".join("%X" % ord(c) for c in html.entities.html5[name]) + "\n")
print(len(html.entities.html5), "entities ->", DEST)
