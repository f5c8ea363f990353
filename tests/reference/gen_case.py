#!/usr/bin/env python3
"""Make one differential test case from an extracted IT Glue snapshot.

usage: gen_case.py SNAPSHOT_DIR OUT_DIR SEED key=value...

Writes OUT_DIR/store/*.csv (a random product store drawn from the snapshot's
names: case, punctuation and legal-suffix variants, near misses, duplicates,
unrelated names; links auto/manual/import, also to deleted and out-of-scope
orgs, with legal manual-wins collisions only; users or domains rows),
OUT_DIR/snapshot/ (a copy of the snapshot whose manifest lists the linked
organizations missing from it as confirmed_deleted or unconfirmed_missing,
some in neither list, or, now and then, has neither key, as a snapshot made
by hand), OUT_DIR/pipeline.yaml for itg-transform, OUT_DIR/settings.json for
transform_ref.py and OUT_DIR/protected.txt.  A select list also names
organizations that do not exist (unknown names, ids, normalized-name
variants and the ids of deleted organizations).

keys: product=bullphish|darkwebid auto=off|exact|normalized|fuzzy
      types=all|A,B  statuses=all|A,B  (names; a number is an id)
      select=none|all|list  contacts=off|all|A,B  lic=none|tight  threshold=F
"""
import csv
import gzip
import json
import os
import random
import shutil
import sys

SUFFIX_FORMS = ["", " LLC", " Inc", ", Inc.", " Ltd", " GmbH", " Co", " Corp.", " L.L.C.",
                " Pty Ltd", " GmbH & Co. KG", " Limited"]
STRIP = ["LLC", "Inc", "Ltd", "GmbH", "Co", "Corp."]


def snap(d, name):
    p = os.path.join(d, name + ".ndjson.gz")
    if not os.path.exists(p):
        return []
    with gzip.open(p, "rt", encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


def base_name(n):
    for s in STRIP:
        if n.endswith(" " + s):
            return n[:-len(s) - 1]
    return n


def variant(rng, name, fuzzy):
    b = base_name(name)
    k = rng.randrange(10 if fuzzy else 8)
    if k == 0:
        return name
    if k == 1:
        return name.upper()
    if k == 2:
        return b.lower() + rng.choice(SUFFIX_FORMS)
    if k == 3:
        return b.replace(" ", "-") + rng.choice(SUFFIX_FORMS)
    if k == 4:
        return "  " + b + rng.choice(SUFFIX_FORMS) + " "
    if k == 5:
        return b.replace("a", "\u00e1", 1) + rng.choice(SUFFIX_FORMS)
    if k == 6:
        return b + rng.choice(SUFFIX_FORMS)
    if k == 7:
        return b.replace(" ", ". ") + "."
    if k == 8:  # near miss for fuzzy
        i = rng.randrange(1, max(2, len(b) - 1))
        return b[:i] + b[i + 1:]
    return b + "s"


def yq(v):
    return json.dumps(v, ensure_ascii=False)


def ylist(v):
    if isinstance(v, str):
        return v
    return "[" + ", ".join(yq(x) if isinstance(x, str) else str(x) for x in v) + "]"


def main():
    snapdir, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    kv = dict(a.split("=", 1) for a in sys.argv[4:])
    rng = random.Random(seed)
    product = kv.get("product", "bullphish")
    auto = kv.get("auto", "normalized")
    fuzzy = auto == "fuzzy"

    orgs = [(r["id"], r["attributes"]) for r in snap(snapdir, "organizations")]
    by_id = {i: a for i, a in orgs}
    contacts = {}
    for r in snap(snapdir, "contacts"):
        contacts.setdefault(str(r["attributes"].get("organization-id")), []).append(r)
    domains = {}
    for r in snap(snapdir, "domains"):
        domains.setdefault(str(r["attributes"].get("organization-id")), []).append(r)
    ctypes = {r["id"]: r["attributes"]["name"] for r in snap(snapdir, "contact_types")}

    # ---- product orgs
    porgs = []  # (id, name, source itglue id or None)
    pid = 100
    for i, a in orgs:
        x = rng.random()
        if x < 0.45:
            pid += 1
            porgs.append((str(pid), variant(rng, a["name"], fuzzy), i))
            if rng.random() < 0.06:  # a second candidate: ambiguity
                pid += 1
                porgs.append((str(pid), variant(rng, a["name"], fuzzy), i))
    for k in range(max(3, len(orgs) // 15)):
        pid += 1
        porgs.append((str(pid), "Unrelated %s Holdings %d" % (rng.choice("XYZW"), k), None))
    rng.shuffle(porgs)

    # ---- links
    links = []
    used_i, used_p = set(), set()
    maxid = max(int(i) for i, _ in orgs)
    manual = []

    def deleted_id():
        return str(maxid + 1000 + len(links))
    for p, name, src in porgs:
        if src is None or src in used_i or rng.random() > 0.35:
            continue
        r = rng.random()
        tgt = src
        if r < 0.12:
            tgt = deleted_id()  # gone from the snapshot
        source = rng.choice(["auto", "manual", "import", "auto"])
        links.append((p, tgt, source))
        used_i.add(tgt)
        used_p.add(p)
        if source == "manual":
            manual.append((p, tgt))
    free_p = [p for p, _, _ in porgs if p not in used_p]
    free_i = [i for i, _ in orgs if i not in used_i]
    rng.shuffle(free_p)
    rng.shuffle(free_i)
    for p, i in manual:
        if rng.random() < 0.3 and free_p:  # another product org on the same IT Glue org
            q = free_p.pop()
            used_p.add(q)
            links.append((q, i, rng.choice(["auto", "import"])))
        elif rng.random() < 0.3 and free_i:  # the same product org on another IT Glue org
            j = free_i.pop()
            used_i.add(j)
            links.append((p, j, rng.choice(["auto", "import"])))
        elif rng.random() < 0.2:  # the same product org on a gone IT Glue org
            links.append((p, deleted_id(), rng.choice(["auto", "import"])))
    rng.shuffle(links)

    # ---- users (bullphish)
    users = []
    uid = 5000
    used_cid = set()
    all_contacts = [c for cs in contacts.values() for c in cs]
    if product == "bullphish":
        for p, name, src in porgs:
            for c in contacts.get(src, []) if src else []:
                a = c["attributes"]
                r = rng.random()
                if r > 0.55:
                    continue
                ems = [e["value"] for e in a.get("contact-emails") or [] if e.get("value")]
                email = rng.choice(ems) if ems else "someone@nowhere.example"
                first, last = a.get("first-name") or "", a.get("last-name") or ""
                grp = a.get("contact-type-name") or ""
                if rng.random() < 0.2:
                    first = first.upper()
                if rng.random() < 0.2:
                    email = email.upper() if rng.random() < 0.5 else "old." + email
                if rng.random() < 0.2:
                    grp = rng.choice(["Employee", "Staff", ""])
                cid = ""
                if r < 0.3 and c["id"] not in used_cid:
                    cid = c["id"]
                elif r < 0.38:
                    cid = str(90000000 + uid)  # stale id of a gone contact
                elif r < 0.42 and all_contacts:
                    o = rng.choice(all_contacts)["id"]
                    if o not in used_cid:
                        cid = o  # maybe a contact of another org
                if cid:
                    used_cid.add(cid)
                uid += rng.randint(1, 3)
                users.append([str(uid), p, first, last, email, grp, cid, ""])
            if rng.random() < 0.3:
                uid += 1
                users.append([str(uid), p, "Local", "Only", "local%d@corp.example" % uid,
                              "Employee", "", ""])
        rng.shuffle(users)

    # ---- domains rows (darkwebid)
    drows = []
    did = 0
    if product == "darkwebid":
        for p, name, src in porgs:
            for d in domains.get(src, []) if src else []:
                r = rng.random()
                if r > 0.4:
                    continue
                did += 1
                st = rng.choice(["imported", "imported", "unimported", "pending"])
                dname = d["attributes"].get("name") or ""
                if r < 0.25:
                    drows.append([str(did), p, dname, d["id"], st,
                                  "license_limit" if st == "unimported" else "", ""])
                else:
                    drows.append([str(did), p, dname.upper(), "", st, "", ""])
            if rng.random() < 0.15:
                did += 1
                drows.append([str(did), p, "manual%d.example.com" % did, "", "imported", "", ""])

    # ---- settings
    def parse_list(s):
        if s in ("all", None):
            return "all"
        return [int(x) if x.isdigit() else x for x in s.split(",")]

    S = {"product": product,
         "organization_types": parse_list(kv.get("types", "all")),
         "organization_statuses": parse_list(kv.get("statuses", "all")),
         "auto_link": auto}
    if fuzzy:
        S["fuzzy_threshold"] = float(kv.get("threshold", "0.6"))
    if product == "bullphish" and kv.get("contacts", "off") != "off":
        S["contacts"] = {"enabled": True, "contact_types": parse_list(kv["contacts"])}
    sel = kv.get("select", "none")
    overrides = []
    if sel == "list":
        picks = rng.sample(orgs, min(len(orgs), max(3, len(orgs) // 8)))
        sel = []
        for i, a in picks:
            r = rng.random()
            if r < 0.4:
                sel.append(a["name"])
            elif r < 0.6:
                sel.append(a["name"].lower())
            elif r < 0.8:
                sel.append(int(i))
            else:
                sel.append(str(i))
        for i, a in rng.sample(orgs, min(len(orgs), 5)):
            ov = {"itglue_organization": a["name"] if rng.random() < 0.5 else int(i),
                  "employee_count": rng.choice(["1-10", "51-250", "251+"]),
                  "industry": rng.choice(["Healthcare", "Legal", "Retail"])}
            if product == "bullphish":
                ov["phishing"] = rng.random() < 0.5
            overrides.append(ov)
    if isinstance(sel, list):
        # entries that match nothing: select_not_found reviews (docs/rules.md 15)
        gone = [i for _, i, _ in links if i not in by_id]
        for k in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.25:
                sel.append("No Such Org %d" % k)
            elif r < 0.45:
                sel.append(maxid + 5000 + k)
            elif r < 0.6 and gone:
                sel.append(int(rng.choice(gone)))
            else:  # a variant sharing a normalized key: candidates
                _, a = rng.choice(orgs)
                sel.append(base_name(a["name"]).upper().replace(" ", "-") + ", L.L.C.")
    S["select"] = sel
    defaults = {"employee_count": "11-50", "industry": "Other"}
    if product == "bullphish":
        defaults["phishing"] = True
        defaults["training"] = rng.random() < 0.5
    S["defaults"] = defaults
    S["overrides"] = overrides
    lic = {}
    if kv.get("lic", "none") == "tight":
        if product == "bullphish":
            on = {p for p, _, _ in porgs}
            base = len(users)
            lic = {"phishing": base // 2 + rng.randint(0, 80),
                   "training": base // 2 + rng.randint(0, 80)}
        else:
            lic = {"domains": sum(1 for r in drows if r[4] == "imported") + rng.randint(0, 40)}
    S["licenses"] = lic

    # product org module flags
    flags = {p: (rng.random() < 0.5, rng.random() < 0.3) for p, _, _ in porgs}

    os.makedirs(os.path.join(out, "store"), exist_ok=True)

    def wcsv(name, header, rows):
        with open(os.path.join(out, "store", name), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    if product == "bullphish":
        wcsv("organizations.csv", ["id", "name", "employee_count", "industry", "phishing",
                                   "training", "last_sync"],
             [[p, n, "11-50", "Other", str(flags[p][0]).lower(), "1" if flags[p][1] else "0", ""]
              for p, n, _ in porgs])
        wcsv("users.csv", ["id", "organization_id", "first_name", "last_name", "email", "group",
                           "itglue_contact_id", "last_sync"], users)
    else:
        wcsv("organizations.csv", ["id", "name", "employee_count", "industry", "last_sync"],
             [[p, n, "11-50", "Other", ""] for p, n, _ in porgs])
        wcsv("domains.csv", ["id", "organization_id", "domain", "itglue_domain_id", "status",
                             "reason", "last_sync"], drows)
    wcsv("links.csv", ["organization_id", "itglue_organization_id", "source", "linked_at"],
         [[p, i, s, "2025-01-01T00:00:00.000Z"] for p, i, s in links])

    prot = None
    if product == "darkwebid":
        allds = [d["attributes"].get("name") or "" for ds in domains.values() for d in ds]
        pl = ["# protected domains", ""]
        for d in rng.sample(allds, min(len(allds), 6)):
            d = d.strip().lower().rstrip(".")
            if d and " " not in d and "/" not in d and "_" not in d and ":" not in d:
                pl.append(d.upper() if rng.random() < 0.3 else d)
        pl.append("*.internal.example   # suffix")
        if rng.random() < 0.5:
            pl.append(".example")
        prot = os.path.join(out, "protected.txt")
        with open(prot, "w", encoding="utf-8") as f:
            f.write("\n".join(pl) + "\n")
        S["protected"] = prot

    # ---- the case's snapshot: which missing orgs IT Glue confirmed deleted
    snapout = os.path.join(out, "snapshot")
    os.makedirs(snapout, exist_ok=True)
    for name in os.listdir(snapdir):
        if name.endswith(".ndjson.gz"):
            shutil.copyfile(os.path.join(snapdir, name), os.path.join(snapout, name))
    with open(os.path.join(snapdir, "manifest.json"), encoding="utf-8") as f:
        man = json.load(f)
    omanifest = man["resources"]["organizations"]
    omanifest.pop("confirmed_deleted", None)
    omanifest.pop("unconfirmed_missing", None)
    if rng.random() >= 0.15:
        confirmed, unconfirmed = set(), set()
        for _, i, _ in links:
            if i in by_id:
                continue
            r = rng.random()
            if r < 0.5:
                confirmed.add(i)
            elif r < 0.8:
                unconfirmed.add(i)  # else in neither list
        confirmed.add(str(maxid + 900))  # deleted, but not linked
        omanifest["confirmed_deleted"] = sorted(confirmed, key=int)
        omanifest["unconfirmed_missing"] = sorted(unconfirmed - confirmed, key=int)
    with open(os.path.join(snapout, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(man, f, ensure_ascii=False, indent=2)
        f.write("\n")

    with open(os.path.join(out, "settings.json"), "w", encoding="utf-8") as f:
        json.dump(S, f, ensure_ascii=False, indent=1)

    y = ["name: diff-%d" % seed, "product: %s" % product, "itglue:", "  region: us",
         "store: store", "out: out", "sync:",
         "  organization_types: %s" % ylist(S["organization_types"]),
         "  organization_statuses: %s" % ylist(S["organization_statuses"]),
         "  auto_link: %s" % auto]
    if fuzzy:
        y.append("  fuzzy_threshold: %s" % S["fuzzy_threshold"])
    if "contacts" in S:
        y += ["  contacts:", "    enabled: true",
              "    contact_types: %s" % ylist(S["contacts"]["contact_types"])]
    y += ["import:", "  select: %s" % ylist(S["select"]), "  defaults:"]
    for k, v in defaults.items():
        y.append("    %s: %s" % (k, yq(v) if isinstance(v, str) else str(v).lower()))
    if overrides:
        y.append("  overrides:")
        for ov in overrides:
            first = True
            for k, v in ov.items():
                val = yq(v) if isinstance(v, str) else (str(v).lower() if isinstance(v, bool) else str(v))
                y.append("    %s %s: %s" % ("-" if first else " ", k, val))
                first = False
    if lic:
        y.append("licenses:")
        for k, v in lic.items():
            y.append("  %s: %d" % (k, v))
    if prot:
        y += ["domains:", "  protected: protected.txt"]
    with open(os.path.join(out, "pipeline.yaml"), "w", encoding="utf-8") as f:
        f.write("\n".join(y) + "\n")


if __name__ == "__main__":
    main()
