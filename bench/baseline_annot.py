#!/usr/bin/env python3
"""A second minimal Python equivalent of suratd's registration, written
another way, so that the comparison does not rest on one script's choices.

Watches INBOX with watchdog and does the work in the event handler itself
(no queue); stamps page 1 with a pypdf FreeText annotation (not a merged
page), writes the stamped copy to OUTBOX (fsync), records the letter in
SQLite (WAL, synchronous=FULL, one commit per letter) with a running number,
and removes the original. No settle wait. Prints "ready" once watching.

Usage: baseline_annot.py INBOX OUTBOX DATABASE
"""
import os
import sqlite3
import sys
import threading

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer


def main():
    inbox, outbox, dbpath = sys.argv[1:4]
    db = sqlite3.connect(dbpath, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS letters (seq INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    lock = threading.Lock()

    def register(path):
        name = os.path.basename(path)
        if not name.lower().endswith(".pdf") or not os.path.exists(path):
            return
        with lock:
            cur = db.execute("INSERT INTO letters (name) VALUES (?)", (name,))
            seq = cur.lastrowid
            writer = PdfWriter(clone_from=PdfReader(path))
            note = FreeText(text=f"B-{seq:03}/17000/KP.650/2026 - diverifikasi", rect=(20, 810, 400, 830))
            writer.add_annotation(page_number=0, annotation=note)
            tmp = os.path.join(outbox, "." + name + ".tmp")
            with open(tmp, "wb") as f:
                writer.write(f)
                f.flush()
                os.fsync(f.fileno())
            db.commit()
            os.rename(tmp, os.path.join(outbox, name))
            os.remove(path)

    class Handler(FileSystemEventHandler):
        def on_created(self, e):
            if not e.is_directory:
                register(e.src_path)

        def on_moved(self, e):
            if not e.is_directory:
                register(e.dest_path)

    obs = Observer()
    obs.schedule(Handler(), inbox, recursive=False)
    obs.start()
    print("ready", flush=True)
    obs.join()


if __name__ == "__main__":
    main()
