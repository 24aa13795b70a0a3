#!/usr/bin/env python3
"""Deterministic NDJSON records shaped like rules-examples/inbound-voice.input.ndjson.

Usage: gen_records.py COUNT [SEED] > records.ndjson

Nested CRM/IVR/task objects, missing fields (a whole `crm.contact`, sometimes all of `crm`),
numbers as strings ("37", "12.5", "n/a"), multibyte text (accents, CJK, emoji) and values
over 128 characters. Numbers are integers or exact binary fractions, so every tool in
benches/compare.sh prints them the same way. The same COUNT and SEED always give the same bytes.
"""
import json
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
names = ["Laura", "José", "Tom", "伟", "João", "Keisha", "Eleanor", "Zoë", "Ólafur", "Priya", " Ann "]
surnames = ["Callahan", "Muñoz", "Becker", "陈", "Gonçalves", "Robinson", "Whitaker", "Ødegård"]
tiers = ["Gold", "platinum", "SILVER", " bronze ", None, "Platinum "]
languages = ["en-US", "es-MX", "zh-CN", "fr-CA", None, " EN-gb", "de-DE"]
campaigns = ["Q3 Save Desk", " Retención Q3 ", "Winback 2026", ""]
subjects = ["Résumé of issue ", "Facture impayée — ", "请求退款 ", "Call back 📞 ", "Straße gesperrt "]
regions = ["EMEA", "North America", "APAC", None]
out = sys.stdout
for i in range(count):
    task = {"sid": "WT%032x" % rng.getrandbits(128), "channel": rng.choice(["voice", "voice", "chat"]),
            "from": "+1415555%04d" % rng.randrange(10000), "attributes": {}}
    if rng.random() < 0.15:
        task["attributes"] = {"conversations": {"conversation_id": "WT%032x" % rng.getrandbits(128)}}
    ivr = {"menu_path": [rng.choice(["1", "2", "3", " 4 ", "", "9"]) for _ in range(rng.randrange(0, 4))],
           "language": rng.choice(languages),
           "business_hours": rng.choice(["true", "false", True, False, "yes", "No", " 1 ", None, "maybe"]),
           "duration_seconds": rng.choice([rng.randrange(5, 200), str(rng.randrange(5, 200)),
                                           "%d.5" % rng.randrange(5, 200), "n/a", None])}
    if rng.random() < 0.05:
        del ivr["menu_path"]
    account = {"id": "0015g%013d" % rng.randrange(10**12), "name": rng.choice(surnames) + " Ltd ",
               "tier": rng.choice(tiers), "at_risk": rng.choice([True, False, False, "TRUE", "yes", None]),
               "open_cases": rng.choice([rng.randrange(0, 9), str(rng.randrange(0, 9)), "%d.25" % rng.randrange(0, 9), None]),
               "owner_name": rng.choice(names) + " " + rng.choice(surnames), "region": rng.choice(regions),
               # Fields no rule reads, as a real CRM payload carries them.
               "billing": {"street": "%d Market Street" % rng.randrange(1, 999), "city": rng.choice(["San Francisco", "München", "São Paulo"]),
                           "postal_code": "%05d" % rng.randrange(10**5), "country": rng.choice(["US", "DE", "BR"])},
               "description": rng.choice(subjects) * rng.randrange(0, 6), "employees": rng.randrange(1, 50000),
               "annual_revenue": rng.randrange(10**4, 10**9) / 4}
    if rng.random() < 0.5:
        account["retention_campaign"] = rng.choice(campaigns)
    contact = {"id": rng.choice(["0035g%013d" % rng.randrange(10**12), None]),
               "first_name": rng.choice(names), "last_name": rng.choice(surnames),
               "phone": "+1415555%04d" % rng.randrange(10000),
               "email": rng.choice(["User%d@Example.com" % rng.randrange(10**6), None])}
    case = {"number": "%08d" % rng.randrange(10**6), "priority": rng.choice(["High", " low ", "MEDIUM", None]),
            "subject": (rng.choice(subjects) * rng.randrange(1, 12)).strip(),
            "history": [{"at": 1700000000 + rng.randrange(10**7), "by": rng.choice(names), "note": rng.choice(subjects) * 2}
                        for _ in range(rng.randrange(0, 4))]}
    crm = {"account": account, "contact": contact, "case": case}
    if rng.random() < 0.1:
        del crm["contact"]
    rec = {"task": task, "ivr": ivr, "crm": crm}
    if rng.random() < 0.03:
        del rec["crm"]
    out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")
