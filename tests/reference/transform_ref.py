#!/usr/bin/env python3
"""Independent reference implementation of docs/rules.md (itg-transform's plan).

Written from docs/rules.md and docs/contract.md section 6,
docs/plan-format.md, docs/matching.md and the readings in
transform/README.md -- never from the C code -- so that
tests/e2e/t210-transform-differential.sh can compare the two on
generated data.  Standard library only.

usage: transform_ref.py SETTINGS.json SNAPSHOT_DIR STORE_DIR [--disconnect]

The snapshot's manifest.json gives resources.organizations.confirmed_deleted
and unconfirmed_missing (docs/rules.md 1); a manifest without them confirms nothing.

SETTINGS.json is the pipeline in JSON (the test writes it beside the YAML):
  {"product": "bullphish"|"darkwebid",
   "organization_types": "all"|[int|str...], "organization_statuses": ...,
   "auto_link": "off"|"exact"|"normalized"|"fuzzy", "fuzzy_threshold": 0.92,
   "contacts": {"enabled": bool, "contact_types": "all"|[...]},
   "select": "none"|"all"|[...], "defaults": {...}, "overrides": [{...}],
   "licenses": {"phishing": n, "training": n, "domains": n},
   "protected": "path or null"}
Plan lines go to stdout, one JSON object per line, in docs/rules.md 35 order.
"""
import csv
import gzip
import json
import os
import sys
import unicodedata

SUFFIXES = set("inc incorporated llc ltd limited gmbh corp corporation co company plc "
               "pty llp lp pllc pc sa ag bv nv srl sarl sas spa oy ab kg kk pte bhd".split())


def num(s):
    """Sort key for an id string."""
    s = str(s)
    return (0, int(s), s) if s.isdigit() else (1, 0, s)


# ---------------------------------------------------------------- names (7, 8, 12)

def normalized_tokens(name):
    s = unicodedata.normalize("NFKD", name or "")
    s = s.casefold()
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("&", " and ")
    for c in ".'\u2019":
        s = s.replace(c, "")
    toks, cur = [], []
    for c in s:
        if c.isalnum():
            cur.append(c)
        elif cur:
            toks.append("".join(cur))
            cur = []
    if cur:
        toks.append("".join(cur))
    dropped = False
    while len(toks) > 1:
        if toks[-1] in SUFFIXES:
            toks.pop()
            dropped = True
        elif dropped and toks[-1] == "and" and len(toks) > 2 and toks[-2] in SUFFIXES:
            toks.pop()
        else:
            break
    return toks


def norm_key(name):
    return "".join(normalized_tokens(name))


def exact_key(name):
    return unicodedata.normalize("NFC", name or "").strip()


def trigrams(text):
    if not text:
        return frozenset()
    if len(text) < 3:
        return frozenset([text])
    return frozenset(text[i:i + 3] for i in range(len(text) - 2))


def jaccard(a, b):
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# ---------------------------------------------------------------- emails, domains (20, 30-32)

ATEXT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")
LDH = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def domain_ok(d):
    if not d or len(d) > 253 or not d.isascii():
        return False
    labels = d.split(".")
    if len(labels) < 2:
        return False
    for lab in labels:
        if not (1 <= len(lab) <= 63) or any(c not in LDH for c in lab):
            return False
        if lab[0] == "-" or lab[-1] == "-":
            return False
    last = labels[-1]
    if last.lower().startswith("xn--"):
        return True
    return len(last) >= 2 and last.isalpha()


def email_ok(e):
    if not e.isascii() or e.count("@") != 1:
        return False
    local, dom = e.split("@")
    if not (1 <= len(local) <= 64):
        return False
    for atom in local.split("."):
        if not atom or any(c not in ATEXT for c in atom):
            return False
    return domain_ok(dom)


def norm_domain(raw):
    d = (raw or "").strip().lower()
    if d.endswith("."):
        d = d[:-1]
    return d


def is_gov(d):
    labels = d.split(".")
    if labels[-1] in ("gov", "mil"):
        return True
    return len(labels) >= 2 and len(labels[-1]) == 2 and labels[-2] in ("gov", "mil")


def read_protected(path):
    exact, suffix = [], []
    if not path:
        return exact, suffix
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip().lower()
            if not line:
                continue
            if line.endswith("."):
                line = line[:-1]
            if line.startswith("*."):
                suffix.append(line[2:])
            elif line.startswith("."):
                suffix.append(line[1:])
            else:
                exact.append(line)
    return exact, suffix


def is_protected(d, prot):
    exact, suffix = prot
    for e in exact:
        if d == e or d.endswith("." + e):
            return True
    for s in suffix:
        if d.endswith("." + s):
            return True
    return False


# ---------------------------------------------------------------- inputs

def read_snapshot(snap, name):
    p = os.path.join(snap, name + ".ndjson.gz")
    if not os.path.exists(p):
        return []
    out = []
    with gzip.open(p, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def sid(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return str(v)


def read_missing(snap):
    """docs/rules.md 1: the ids the manifest confirms deleted (a set; empty when the
    manifest lacks the lists, as a snapshot made by hand)."""
    p = os.path.join(snap, "manifest.json")
    if not os.path.exists(p):
        return set()
    with open(p, encoding="utf-8") as f:
        m = json.load(f)
    org = (m.get("resources") or {}).get("organizations") or {}
    return {str(i) for i in org.get("confirmed_deleted") or []}


def read_csv(store, name):
    p = os.path.join(store, name)
    if not os.path.exists(p):
        return []
    with open(p, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{k: (v if v is not None else "") for k, v in r.items()} for r in rows]


def boolean(s):
    return (s or "").strip().lower() in ("true", "1", "yes")


def resolve_filter(entries, table):
    """docs/rules.md 4: the set of selected ids, or None for all."""
    if entries == "all" or entries is None:
        return None
    sel = set()
    for e in entries:
        if isinstance(e, bool):
            continue
        if isinstance(e, int):
            sel.add(str(e))
            continue
        want = str(e).strip().casefold()
        hit = [i for i, n in table.items() if (n or "").strip().casefold() == want]
        if hit:
            sel.update(hit)
        elif str(e).strip().isdigit():
            sel.add(str(int(str(e).strip())))
    return sel


def resolve_orgs(entry, orgs):
    """docs/rules.md 15: IT Glue org ids an entry names (select or override)."""
    if isinstance(entry, int) and not isinstance(entry, bool):
        return [str(entry)] if str(entry) in orgs else []
    e = str(entry)
    hit = [i for i, o in orgs.items() if o["name"] == e]
    if hit:
        return hit
    want = e.strip().casefold()
    hit = [i for i, o in orgs.items() if (o["name"] or "").strip().casefold() == want]
    if hit:
        return hit
    if e.strip().isdigit() and str(int(e.strip())) in orgs:
        return [str(int(e.strip()))]
    return []


# ---------------------------------------------------------------- the transform

def main(argv):
    settings_path, snap, store = argv[1], argv[2], argv[3]
    disconnect = "--disconnect" in argv[4:]
    with open(settings_path, encoding="utf-8") as f:
        S = json.load(f)
    product = S["product"]
    out = []

    def emit(obj):
        out.append(obj)

    # snapshot
    orgs = {}
    for r in read_snapshot(snap, "organizations"):
        a = r.get("attributes") or {}
        orgs[sid(r["id"])] = {"id": sid(r["id"]), "name": a.get("name") or "",
                              "type": sid(a.get("organization-type-id")),
                              "status": sid(a.get("organization-status-id"))}
    types = {sid(r["id"]): (r.get("attributes") or {}).get("name")
             for r in read_snapshot(snap, "organization_types")}
    statuses = {sid(r["id"]): (r.get("attributes") or {}).get("name")
                for r in read_snapshot(snap, "organization_statuses")}

    # store
    porgs = {r["id"]: r for r in read_csv(store, "organizations.csv")}
    links = read_csv(store, "links.csv")
    for i, l in enumerate(links):
        l["_line"] = i

    # ---- disconnect (rule 10, docs/rules.md 34)
    if disconnect:
        for l in sorted(links, key=lambda l: (num(l["itglue_organization_id"]),
                                              num(l["organization_id"]), l["_line"])):
            emit({"action": "unlink", "organization_id": l["organization_id"],
                  "itglue_organization_id": l["itglue_organization_id"],
                  "reason": "disconnect", "source": l["source"]})
        for o in out:
            print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
        return 0

    # ---- scope (rule 1, docs/rules.md 3-5)
    tsel = resolve_filter(S.get("organization_types", "all"), types)
    ssel = resolve_filter(S.get("organization_statuses", "all"), statuses)

    def in_scope(i):
        o = orgs[i]
        if tsel is not None and (o["type"] is None or o["type"] not in tsel):
            return False
        if ssel is not None and (o["status"] is None or o["status"] not in ssel):
            return False
        return True

    # ---- existing links (rules 1-3, docs/rules.md 1-2)
    # Gone and confirmed deleted -> unlink itglue_deleted; gone without the
    # confirmation -> kept under review (unconfirmed_deletion), a surviving
    # link for rule 3; else out of scope -> unlink filtered_out.
    confirmed = read_missing(snap)
    unlinks = []
    survivors = []
    for l in links:
        i = l["itglue_organization_id"]
        if i not in orgs:
            if i in confirmed:
                unlinks.append((l, "itglue_deleted"))
            else:
                survivors.append(l)
        elif not in_scope(i):
            unlinks.append((l, "filtered_out"))
        else:
            survivors.append(l)
    manual = [l for l in survivors if l["source"] == "manual"]
    m_i = {l["itglue_organization_id"] for l in manual}
    m_p = {l["organization_id"] for l in manual}
    kept = []
    unconfirmed = []  # kept links to orgs gone without confirmation
    for l in survivors:
        if l["source"] != "manual" and (l["itglue_organization_id"] in m_i or
                                        l["organization_id"] in m_p):
            unlinks.append((l, "superseded_by_manual"))
        elif l["itglue_organization_id"] not in orgs:
            unconfirmed.append(l)
        else:
            kept.append(l)
    # such a link holds its product org: it is not linked after the plan
    # (no rename, no contact line) and takes no part in auto-link
    held_p = {l["organization_id"] for l in unconfirmed}
    unlinks.sort(key=lambda x: (num(x[0]["itglue_organization_id"]),
                                num(x[0]["organization_id"]), x[0]["_line"]))
    for l, why in unlinks:
        emit({"action": "unlink", "organization_id": l["organization_id"],
              "itglue_organization_id": l["itglue_organization_id"], "reason": why,
              "source": l["source"]})

    link_p2i = {l["organization_id"]: l["itglue_organization_id"] for l in kept}
    link_i2p = {l["itglue_organization_id"]: l["organization_id"] for l in kept}

    # ---- auto-link (rule 4, docs/rules.md 6-12)
    mode = S.get("auto_link", "normalized")
    threshold = float(S.get("fuzzy_threshold", 0.92))
    free_p = sorted((p for p in porgs if p not in link_p2i and p not in held_p), key=num)
    free_i = sorted((i for i in orgs if i not in link_i2p and in_scope(i)), key=num)
    new_links = []  # (p, i, match, score)
    reviews_i, reviews_p = [], []  # dicts
    held = set()

    def pname(p):
        return porgs[p].get("name", "")

    def review_i(i, cands, match):
        cands = sorted(cands, key=num)
        reviews_i.append({"action": "review", "itglue_organization_id": i,
                          "organization_id": None, "reason": "ambiguous_name",
                          "match": match, "name": orgs[i]["name"], "candidates": cands,
                          "candidate_names": [pname(c) for c in cands]})

    def review_p(p, cands, match):
        cands = sorted(cands, key=num)
        reviews_p.append({"action": "review", "itglue_organization_id": None,
                          "organization_id": p, "reason": "ambiguous_name",
                          "match": match, "name": pname(p), "candidates": cands,
                          "candidate_names": [orgs[c]["name"] for c in cands]})

    if mode != "off":
        keyf = exact_key if mode == "exact" else norm_key
        kmode = "exact" if mode == "exact" else "normalized"
        groups = {}
        for p in free_p:
            k = keyf(pname(p))
            if k:
                groups.setdefault(k, ([], []))[0].append(p)
        for i in free_i:
            k = keyf(orgs[i]["name"])
            if k:
                groups.setdefault(k, ([], []))[1].append(i)
        grouped = set()
        for k, (ps, is_) in groups.items():
            if not ps or not is_:
                continue
            for p in ps:
                grouped.add(("p", p))
            for i in is_:
                grouped.add(("i", i))
            if len(ps) == 1 and len(is_) == 1:
                p, i = ps[0], is_[0]
                m = "exact" if exact_key(pname(p)) == exact_key(orgs[i]["name"]) else kmode
                new_links.append((p, i, m, None))
                continue
            held.update(is_)
            if len(ps) > 1:
                for i in is_:
                    review_i(i, ps, kmode)
            if len(is_) > 1:
                for p in ps:
                    review_p(p, is_, kmode)
        if mode == "fuzzy":
            rp = [p for p in free_p if ("p", p) not in grouped]
            ri = [i for i in free_i if ("i", i) not in grouped]
            ptg = {p: trigrams(" ".join(normalized_tokens(pname(p)))) for p in rp}
            itg = {i: trigrams(" ".join(normalized_tokens(orgs[i]["name"]))) for i in ri}
            index = {}
            for p in rp:
                for t in ptg[p]:
                    index.setdefault(t, []).append(p)
            iindex = {}
            for i in ri:
                for t in itg[i]:
                    iindex.setdefault(t, []).append(i)

            def scores(tg, idx, other):
                cand = set()
                for t in tg:
                    cand.update(idx.get(t, ()))
                return sorted(((jaccard(tg, other[c]), c) for c in cand),
                              key=lambda x: (-x[0], num(x[1])))

            def judge(sc):
                sc = [x for x in sc if x[0] > 0]
                if not sc or sc[0][0] < threshold:
                    return None, None, []
                best = sc[0][0]
                if len(sc) == 1 or best - sc[1][0] > 0.05:
                    return sc[0][1], best, []
                return None, best, [c for s, c in sc if best - s <= 0.05]

            ibest, pbest = {}, {}
            for i in ri:
                c, s, amb = judge(scores(itg[i], index, ptg))
                if c is not None:
                    ibest[i] = (c, s)
                elif amb:
                    review_i(i, amb, "fuzzy")
                    held.add(i)
            for p in rp:
                c, s, amb = judge(scores(ptg[p], iindex, itg))
                if c is not None:
                    pbest[p] = (c, s)
                elif amb:
                    review_p(p, amb, "fuzzy")
                    held.update(amb)
            for i, (p, s) in ibest.items():
                if p in pbest and pbest[p][0] == i:
                    new_links.append((p, i, "fuzzy", s))

    new_links.sort(key=lambda x: num(x[1]))
    for p, i, m, s in new_links:
        o = {"action": "link", "organization_id": p, "itglue_organization_id": i,
             "reason": "name_match", "match": m}
        if s is not None:
            o["score"] = round(s, 4)
        o["name"] = pname(p)
        o["itglue_name"] = orgs[i]["name"]
        emit(o)
        link_p2i[p] = i
        link_i2p[i] = p
    held -= set(link_i2p)
    reviews_i.sort(key=lambda r: num(r["itglue_organization_id"]))
    reviews_p.sort(key=lambda r: num(r["organization_id"]))
    # docs/rules.md 35: unconfirmed_deletion first (ascending IT Glue id), then the
    # name reviews, then select_not_found in the order of the select list
    unconfirmed.sort(key=lambda l: (num(l["itglue_organization_id"]),
                                    num(l["organization_id"]), l["_line"]))
    for l in unconfirmed:
        emit({"action": "review", "itglue_organization_id": l["itglue_organization_id"],
              "organization_id": l["organization_id"], "reason": "unconfirmed_deletion",
              "source": l["source"], "candidates": []})
    for r in reviews_i + reviews_p:
        emit(r)
    sel = S.get("select", "none")
    if isinstance(sel, list):
        for e in sel:
            if resolve_orgs(e, orgs):
                continue
            text = str(e)  # an integer as its decimal text
            k = norm_key(text)
            cands = sorted((i for i in orgs if k and norm_key(orgs[i]["name"]) == k), key=num)
            emit({"action": "review", "itglue_organization_id": None,
                  "organization_id": None, "reason": "select_not_found", "name": text,
                  "candidates": cands, "candidate_names": [orgs[i]["name"] for i in cands]})

    # ---- rename (rule 5, docs/rules.md 13)
    for i in sorted(link_i2p, key=num):
        p = link_i2p[i]
        n = orgs[i]["name"]
        if n and n != pname(p):
            emit({"action": "rename", "organization_id": p, "itglue_organization_id": i,
                  "before": pname(p), "after": n})

    # ---- import selection (rule 6, docs/rules.md 14-17)
    selected = set()
    listed = set()
    if sel == "all":
        selected = {i for i in orgs if in_scope(i)}
    elif isinstance(sel, list):
        for e in sel:
            listed.update(resolve_orgs(e, orgs))  # a miss is a review (above)
        selected = set(listed)
    defaults = S.get("defaults") or {}
    dflt = {"employee_count": defaults.get("employee_count", "11-50"),
            "industry": defaults.get("industry", "Other"),
            "phishing": bool(defaults.get("phishing", False)),
            "training": bool(defaults.get("training", False))}
    over = {}
    for ov in S.get("overrides") or []:
        for i in resolve_orgs(ov["itglue_organization"], orgs):
            d = over.setdefault(i, {})
            for k in ("employee_count", "industry", "phishing", "training"):
                if k in ov:
                    d[k] = ov[k]
    imports, skips = [], []
    for i in sorted(selected, key=num):
        if i in link_i2p:
            continue
        if not in_scope(i):
            skips.append(i)
            continue
        if i in held:
            continue
        imports.append(i)
    import_set = set(imports)

    # ---- contacts (rule 7, docs/rules.md 18-24)
    C = S.get("contacts") or {}
    contacts_on = product == "bullphish" and bool(C.get("enabled", False))
    users = read_csv(store, "users.csv") if product == "bullphish" else []
    contact_lines = []  # lists per linked org, in IT Glue id order
    need = {}
    extra_seats = {"phishing": 0, "training": 0}
    if contacts_on:
        ctypes = {sid(r["id"]): (r.get("attributes") or {}).get("name")
                  for r in read_snapshot(snap, "contact_types")}
        csel = resolve_filter(C.get("contact_types", "all"), ctypes)
        contacts = {}
        by_org = {}
        for r in read_snapshot(snap, "contacts"):
            a = r.get("attributes") or {}
            c = {"id": sid(r["id"]), "org": sid(a.get("organization-id")),
                 "first": a.get("first-name") or "", "last": a.get("last-name") or "",
                 "type": sid(a.get("contact-type-id")),
                 "type_name": a.get("contact-type-name"),
                 "emails": a.get("contact-emails") or []}
            contacts[c["id"]] = c
            by_org.setdefault(c["org"], []).append(c)
        users_by_p = {}
        for u in users:
            users_by_p.setdefault(u["organization_id"], []).append(u)

        def selected_c(c):
            if csel is None:
                return True
            return c["type"] is not None and c["type"] in csel

        def group(c):
            if c["type"] is not None and c["type"] in ctypes and ctypes[c["type"]] is not None:
                return ctypes[c["type"]]
            return c["type_name"] or ""

        def usable(c):
            ems = c["emails"]
            order = [e for e in ems if e.get("primary")] + [e for e in ems if not e.get("primary")]
            vals = [(e.get("value") or "").strip() for e in order]
            vals = [v for v in vals if v]
            if not vals:
                return None, "no_email"
            for v in vals:
                if email_ok(v):
                    return v, None
            return None, "invalid_email"

        for i in sorted(set(link_i2p) | import_set, key=num):
            is_new = i in import_set
            p = None if is_new else link_i2p[i]
            ref = {"organization_ref": "new:" + i} if is_new else {"organization_id": p}
            cs = sorted((c for c in by_org.get(i, []) if selected_c(c)),
                        key=lambda c: num(c["id"]))
            sel_ids = {c["id"] for c in cs}
            us = sorted(users_by_p.get(p, []) if p else [], key=lambda u: num(u["id"]))
            by_cid = {u["itglue_contact_id"]: u for u in us if u["itglue_contact_id"]}
            info = {}
            seen = set()
            for c in cs:
                em, why = usable(c)
                if em is not None:
                    if em.lower() in seen:
                        em, why = None, "duplicate_email"
                    else:
                        seen.add(em.lower())
                info[c["id"]] = (em, why)
            lines = []  # (sort key, seq, obj)
            handled_users = set()
            n_new = 0
            for c in cs:
                em, why = info[c["id"]]
                u = by_cid.get(c["id"])
                if why is not None:
                    if u is not None:
                        lines.append((num(c["id"]), len(lines), {
                            "action": "unlink_user", "user_id": u["id"], "organization_id": p,
                            "itglue_contact_id": c["id"], "reason": why}))
                        handled_users.add(u["id"])
                    else:
                        lines.append((num(c["id"]), len(lines), {
                            "action": "skip", "itglue_contact_id": c["id"],
                            "itglue_organization_id": i, "reason": why}))
                    continue
                g = group(c)
                if u is None:
                    cand = [x for x in us if x["email"].strip().lower() == em.lower()
                            and x["itglue_contact_id"] not in (sel_ids - {c["id"]})
                            and x["id"] not in handled_users]
                    if cand:
                        u = cand[0]
                        lines.append((num(c["id"]), len(lines), {
                            "action": "link_user", "user_id": u["id"], "organization_id": p,
                            "itglue_contact_id": c["id"]}))
                if u is None:
                    o = {"action": "import_user"}
                    o.update(ref)
                    o.update({"itglue_organization_id": i, "itglue_contact_id": c["id"],
                              "first_name": c["first"], "last_name": c["last"],
                              "email": em, "group": g})
                    lines.append((num(c["id"]), len(lines), o))
                    n_new += 1
                    continue
                handled_users.add(u["id"])
                before, after = {}, {}
                for f, new in (("first_name", c["first"]), ("last_name", c["last"]),
                               ("email", em), ("group", g)):
                    old = u.get(f, "") or ""
                    diff = old.lower() != new.lower() if f == "email" else old != new
                    if diff:
                        before[f] = old
                        after[f] = new
                if before:
                    lines.append((num(c["id"]), len(lines), {
                        "action": "update_user", "user_id": u["id"], "organization_id": p,
                        "itglue_contact_id": c["id"], "before": before, "after": after}))
            for u in us:
                cid = u["itglue_contact_id"]
                if not cid or u["id"] in handled_users or cid in sel_ids:
                    continue
                c = contacts.get(cid)
                why = "itglue_deleted" if c is None else "filtered_out"
                lines.append((num(cid), len(lines), {
                    "action": "unlink_user", "user_id": u["id"], "organization_id": p,
                    "itglue_contact_id": cid, "reason": why}))
            lines.sort(key=lambda x: (x[0], x[1]))
            contact_lines.append((i, [x[2] for x in lines]))
            if is_new:
                need[i] = n_new
            else:
                po = porgs[p]
                for m in ("phishing", "training"):
                    if boolean(po.get(m, "")):
                        extra_seats[m] += n_new

    # ---- licenses (rule 8, docs/rules.md 25-26) and import lines
    lic = S.get("licenses") or {}
    seats = {}
    if product == "bullphish":
        for m in ("phishing", "training"):
            on = {p for p, r in porgs.items() if boolean(r.get(m, ""))}
            seats[m] = sum(1 for u in users if u["organization_id"] in on) + extra_seats[m]
    org_lines = []
    for i in imports:
        d = dict(dflt)
        d.update(over.get(i, {}))
        o = {"action": "import_organization", "ref": "new:" + i, "itglue_organization_id": i,
             "name": orgs[i]["name"], "employee_count": d["employee_count"],
             "industry": d["industry"]}
        if product == "bullphish":
            limited = []
            for m in ("phishing", "training"):
                if not d[m]:
                    continue
                n = need.get(i, 0)
                if m in lic and lic[m] is not None and seats[m] + n > lic[m]:
                    d[m] = False
                    limited.append(m)
                else:
                    seats[m] += n
            o["phishing"] = bool(d["phishing"])
            o["training"] = bool(d["training"])
            o["license_limited"] = limited
            if limited:
                o["reason"] = "license_limit"
        org_lines.append((num(i), o))
    for i in skips:
        org_lines.append((num(i), {"action": "skip", "itglue_organization_id": i,
                                   "reason": "not_in_scope", "name": orgs[i]["name"]}))
    org_lines.sort(key=lambda x: x[0])
    for _, o in org_lines:
        emit(o)
    for _, ls in contact_lines:
        for o in ls:
            emit(o)

    # ---- domains (rule 9, docs/rules.md 27-33)
    if product == "darkwebid":
        rows = read_csv(store, "domains.csv")
        used = sum(1 for r in rows if r["status"] == "imported")
        limit = lic.get("domains")
        imported_ids = {r.get("itglue_domain_id", "") for r in rows
                        if r["status"] == "imported" and r.get("itglue_domain_id", "")}
        imported_names = {(r["organization_id"], norm_domain(r["domain"])) for r in rows
                          if r["status"] == "imported"}
        prot = read_protected(S.get("protected"))
        doms = []
        for r in read_snapshot(snap, "domains"):
            a = r.get("attributes") or {}
            doms.append((sid(r["id"]), sid(a.get("organization-id")), a.get("name") or ""))
        doms.sort(key=lambda x: num(x[0]))
        for did, i, raw in doms:
            if i in import_set:
                ref = {"organization_ref": "new:" + i}
                p = None
            elif i in link_i2p:
                p = link_i2p[i]
                ref = {"organization_id": p}
            else:
                continue
            d = norm_domain(raw)
            if did in imported_ids or (p is not None and (p, d) in imported_names):
                continue
            if not domain_ok(d):
                st, why, d = "unimported", "invalid_domain", raw
            elif is_gov(d):
                st, why = "unimported", "gov_domain"
            elif is_protected(d, prot):
                st, why = "unimported", "protected_domain"
            elif limit is not None and used + 1 > limit:
                st, why = "unimported", "license_limit"
            else:
                st, why = "pending", None
                used += 1
            o = {"action": "import_domain"}
            o.update(ref)
            o.update({"itglue_organization_id": i, "itglue_domain_id": did, "domain": d,
                      "status": st, "reason": why})
            emit(o)

    for o in out:
        print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
