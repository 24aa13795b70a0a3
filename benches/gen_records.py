#!/usr/bin/env python3
"""Deterministic NDJSON records shaped like rules-examples/inbound-voice.input.ndjson.

Usage: gen_records.py COUNT [SEED] > records.ndjson
Nested CRM/IVR/task objects, missing fields, numbers as strings, multibyte text and the
occasional value over 128 characters.
"""
import json
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
names = ["Laura", "José", "Tom", "伟", "João", "Keisha", "Eleanor", "Zoë", "Ólafur", "Priya"]
surnames = ["Callahan", "Muñoz", "Becker", "陈", "Gonçalves", "Robinson", "Whitaker", "Ødegård"]
tiers = ["Gold", "platinum", "SILVER", " bronze ", None]
languages = ["en-US", "es-MX", "zh-CN", "fr-CA", None]
out = sys.stdout
for i in range(count):
    rec = {
        "task": {"sid": "WT%032x" % rng.getrandbits(128), "channel": rng.choice(["voice", "voice", "chat"]),
                 "from": "+1415555%04d" % rng.randrange(10000), "attributes": {}},
        "ivr": {"menu_path": [str(rng.randrange(1, 10)) for _ in range(rng.randrange(0, 4))],
                "language": rng.choice(languages),
                "business_hours": rng.choice(["true", "false", True, "yes", None]),
                "duration_seconds": rng.choice([rng.randrange(5, 200), str(rng.randrange(5, 200)), None])},
        "crm": {"account": {"id": "0015g%013d" % rng.randrange(10**12), "name": rng.choice(surnames) + " Ltd",
                            "tier": rng.choice(tiers), "at_risk": rng.random() < 0.2,
                            "open_cases": rng.choice([rng.randrange(0, 9), str(rng.randrange(0, 9))]),
                            "owner_name": rng.choice(names) + " " + rng.choice(surnames)},
                "contact": {"id": rng.choice(["0035g%013d" % rng.randrange(10**12), None]),
                            "first_name": rng.choice(names), "last_name": rng.choice(surnames),
                            "phone": "+1415555%04d" % rng.randrange(10000),
                            "email": "user%d@example.com" % rng.randrange(10**6)},
                "case": {"number": "%08d" % rng.randrange(10**6), "priority": rng.choice(["High", "Low", None]),
                         "subject": ("Résumé of issue " * rng.randrange(1, 12)).strip()}},
    }
    if rng.random() < 0.1:
        del rec["crm"]["contact"]
    out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")
