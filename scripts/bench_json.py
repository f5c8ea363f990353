#!/usr/bin/env python3
"""The JSON and CSV that scripts/bench reads and writes, so that no shell
script parses JSON.

usage: scripts/bench_json.py records SNAPDIR
       scripts/bench_json.py plan-lines PLANDIR
       scripts/bench_json.py confirmed SNAPDIR
       scripts/bench_json.py files SNAPDIR
       scripts/bench_json.py org-id SNAPDIR LINE
       scripts/bench_json.py links SNAPDIR LINKS_CSV
       scripts/bench_json.py tenth SNAPDIR DSTDIR
       scripts/bench_json.py small-change NOW SNAPDIR MUTATE
       scripts/bench_json.py delete ID MUTATE

records: the records of every resource of SNAPDIR's manifest, summed.
plan-lines: PLANDIR's manifest plan.lines.
confirmed: SNAPDIR's organizations confirmed_deleted, as compact JSON.
files: SNAPDIR's resource file names, one a line.
org-id: the id of the organization on line LINE (from 1) of SNAPDIR's
organizations file.
links: writes LINKS_CSV, a BullPhish ID links.csv linking product org N
to the N-th IT Glue organization of SNAPDIR, for every organization.
tenth: DSTDIR is a copy of SNAPDIR keeping every tenth contact (lines 1,
11, 21, ...), its manifest's records, crc32 and bytes set for the new file.
small-change: writes MUTATE, the --mutate file of bin/itg-mock, for the
incremental bench's small change: the organizations on lines 2, n/4 + 1
and 3n/4 + 1 of SNAPDIR (n organizations) renamed with " (renamed)", the
contacts on lines 1001-1020 with the title "Changed", those on lines 1021
and 1022 added again as new contacts (ids 90000001 and 90000002); all with
updated-at NOW.
delete: adds organization ID to MUTATE's deletions.

Files are written beside themselves and renamed into place (itg-mock reads
MUTATE again whenever it changes).  A figure that cannot be read prints "?"
(the bench still prints its other rows); a file that cannot be read or
written exits 1; a usage error exits 2.
"""
import csv
import gzip
import itertools
import json
import os
import shutil
import sys
import zlib


def manifest(folder):
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def figure(fn, folder):
    try:
        return str(fn(manifest(folder)))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return "?"


def records(m):
    return sum(r["records"] for r in m["resources"].values())


def plan_lines(m):
    return m["plan"]["lines"]


def confirmed(m):
    return json.dumps(m["resources"]["organizations"]["confirmed_deleted"],
                      separators=(",", ":"))


def resource_path(folder, name):
    return os.path.join(folder, manifest(folder)["resources"][name]["file"])


def records_of(folder, name, first=0, stop=None):
    """The lines first..stop-1 (from 0) of a resource file, read only that far."""
    with gzip.open(resource_path(folder, name), "rb") as f:
        return [line for line in itertools.islice(f, first, stop) if line.strip()]


def write_atomically(path, data, mode="w"):
    tmp = path + ".tmp"
    with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
        data(f)
    os.replace(tmp, path)


def files(folder):
    m = manifest(folder)
    for r in m["resources"].values():
        print(r["file"])


def org_id(folder, line):
    print(json.loads(records_of(folder, "organizations")[int(line) - 1])["id"])


def links(folder, out):
    orgs = records_of(folder, "organizations")

    def write(f):
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["organization_id", "itglue_organization_id", "source", "linked_at"])
        for n, line in enumerate(orgs, 1):
            w.writerow([n, json.loads(line)["id"], "auto", "2026-01-01T00:00:00.000Z"])
    write_atomically(out, write)


def tenth(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    m = manifest(src)
    with gzip.open(resource_path(src, "contacts"), "rb") as f:
        kept = list(itertools.islice(f, 0, None, 10))
    text = b"".join(kept)
    c = m["resources"]["contacts"]
    write_atomically(os.path.join(dst, c["file"]),
                     lambda f: f.write(gzip.compress(text, mtime=0)), "wb")
    c["records"] = len(kept)
    c["bytes"] = len(text)
    c["crc32"] = "%08x" % (zlib.crc32(text) & 0xffffffff)
    write_atomically(os.path.join(dst, "manifest.json"), lambda f: json.dump(m, f, indent=2))


def small_change(now, folder, out):
    all_orgs = records_of(folder, "organizations")
    n = len(all_orgs)
    orgs = [json.loads(all_orgs[i - 1]) for i in (2, n // 4 + 1, n * 3 // 4 + 1)]
    contacts = [json.loads(line) for line in records_of(folder, "contacts", 1000, 1022)]
    for o in orgs:
        o["attributes"]["name"] += " (renamed)"
        o["attributes"]["updated-at"] = now
    put = []
    for c in contacts[:20]:
        c["attributes"]["title"] = "Changed"
        c["attributes"]["updated-at"] = now
        put.append(c)
    for k, c in enumerate(contacts[20:22]):
        c["id"] = str(90000001 + k)
        c["attributes"]["updated-at"] = now
        put.append(c)
    doc = {"organizations": {"put": orgs}, "contacts": {"put": put}}
    write_atomically(out, lambda f: json.dump(doc, f))


def delete(org, path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    doc.setdefault("organizations", {})["delete"] = [org]
    write_atomically(path, lambda f: json.dump(doc, f))


def main(argv):
    figures = {"records": records, "plan-lines": plan_lines, "confirmed": confirmed}
    actions = {"files": (files, 1), "org-id": (org_id, 2), "links": (links, 2),
               "tenth": (tenth, 2), "small-change": (small_change, 3), "delete": (delete, 2)}
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    try:
        if cmd in figures and len(args) == 1:
            print(figure(figures[cmd], args[0]))
        elif cmd in actions and len(args) == actions[cmd][1]:
            actions[cmd][0](*args)
        else:
            print(__doc__.split("\n\n")[1], file=sys.stderr)
            return 2
    except (OSError, ValueError, KeyError, IndexError) as e:
        print("bench_json: %s: %s" % (cmd, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
