#!/usr/bin/env python3
"""Rebuilds site-example/example.sqlite.db from site-example/example.sql."""
import os
import sqlite3

here = os.path.dirname(os.path.abspath(__file__))
db = os.path.join(here, "example.sqlite.db")
if os.path.exists(db):
    os.remove(db)
con = sqlite3.connect(db)
con.executescript(open(os.path.join(here, "example.sql"), encoding="utf-8").read())
con.execute("VACUUM")
con.close()
print(f"wrote {db}")
