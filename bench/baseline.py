#!/usr/bin/env python3
"""The minimal Python equivalent of suratd's registration, for comparison.

Watches INBOX with watchdog; for each new PDF: stamps page 1 with pypdf
(merge_page of a one-line stamp page), writes the stamped copy to OUTBOX
(fsync), inserts a row into SQLite (WAL, synchronous=FULL, one commit per
letter), and moves the original into OUTBOX/originals. Single worker, no
settle wait (it takes a file on the event). Prints "ready" once watching.

Usage: baseline.py INBOX OUTBOX DATABASE
"""
import hashlib
import io
import os
import queue
import shutil
import sqlite3
import sys
import time

from pypdf import PdfReader, PdfWriter
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer


def stamp_page(text):
    """A one-page PDF that draws `text` in red at the top left."""
    content = f"BT 1 0 0 rg /F1 9 Tf 20 820 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return PdfReader(io.BytesIO(bytes(out))).pages[0]


def main():
    inbox, outbox, dbpath = sys.argv[1:4]
    originals = os.path.join(outbox, "originals")
    os.makedirs(originals, exist_ok=True)
    db = sqlite3.connect(dbpath)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS letters (id INTEGER PRIMARY KEY, name TEXT, sha TEXT, at REAL)")
    stamp = stamp_page("DRAF - B-001/17000/KP.650/2026 - diverifikasi")
    work = queue.Queue()

    class Handler(FileSystemEventHandler):
        def on_created(self, e):
            if not e.is_directory:
                work.put(e.src_path)

        def on_moved(self, e):
            if not e.is_directory:
                work.put(e.dest_path)

    obs = Observer()
    obs.schedule(Handler(), inbox, recursive=False)
    obs.start()
    print("ready", flush=True)
    while True:
        path = work.get()
        if not path.lower().endswith(".pdf") or not os.path.exists(path):
            continue
        name = os.path.basename(path)
        reader = PdfReader(path)
        writer = PdfWriter(clone_from=reader)
        writer.pages[0].merge_page(stamp)
        out = os.path.join(outbox, ".tmp-" + name)
        with open(out, "wb") as f:
            writer.write(f)
            f.flush()
            os.fsync(f.fileno())
        with open(path, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        db.execute("INSERT INTO letters (name, sha, at) VALUES (?, ?, ?)", (name, sha, time.time()))
        db.commit()
        shutil.move(path, os.path.join(originals, name))
        os.rename(out, os.path.join(outbox, name))


if __name__ == "__main__":
    main()
