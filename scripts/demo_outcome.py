#!/usr/bin/env python3
"""Print one demo run's outcome, as scripts/demo shows it after the summary.

usage: scripts/demo_outcome.py plan RUN_DIR ORGANIZATIONS_CSV
       scripts/demo_outcome.py links STORE_DIR

plan: the step's outcome read from RUN_DIR/plan/plan.ndjson, one "plan:"
line per organization link, unlink, rename, review, import or skip in the
plan's order, then one per domain status and reason (contact lines are only
counted, in the summary's actions line).  IT Glue's names come from the
run's snapshot (organizations.ndjson.gz), the product's from
ORGANIZATIONS_CSV, the store's organizations.csv as it was before the run,
so a removed link still shows what it joined; an unlink of an organization
the snapshot's manifest lists as confirmed_deleted says that IT Glue
answered 404.

links: the store's links.csv as one "links:" line, product org -> IT Glue
org and source, by product organization id, as the integration page lists
them.

A value prints as it is when it is a string, else as compact JSON (null,
true, 1), and counts as present unless it is null or false (an empty name or
a 0 is present).  The lines are built before anything is printed: a file
that cannot be read prints nothing but the reason, on stderr, and exits 1;
a usage error exits 2.
"""
import csv
import gzip
import itertools
import json
import os
import sys
import zlib

PROG = "demo_outcome.py"


class Failure(Exception):
    """A file of the run or the store that cannot be read, with the reason."""


# --- values: how they print, when they count, how they sort ----------------

def present(v):
    """Everything but null and false is present ("" and 0 are)."""
    return v is not None and v is not False


def text(v):
    """V as a line shows it: a string as it is, else compact JSON (a whole
    number without a fraction: 1.0 shows as 1)."""
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e17:
        return str(int(v))
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def join(values, sep):
    """VALUES joined by SEP, a null as empty, anything else as text() shows it."""
    return sep.join("" if v is None else text(v) for v in values)


def order(v):
    """A sort key of a JSON value: null < false < true < numbers < strings
    (by code point) < arrays < objects; equal keys are equal values of the
    same JSON type (1 and true differ, unlike in Python)."""
    if v is None:
        return (0,)
    if v is False:
        return (1,)
    if v is True:
        return (2,)
    if isinstance(v, (int, float)):
        return (3, v)
    if isinstance(v, str):
        return (4, v)
    if isinstance(v, list):
        return (5, tuple(order(x) for x in v))
    keys = sorted(v)
    return (6, tuple(keys), tuple(order(v[k]) for k in keys))


def lookup(table, key):
    """TABLE[KEY] for a string KEY, else None (a name map has string keys)."""
    return table.get(key) if isinstance(key, str) else None


# --- reading the run and the store -----------------------------------------

def ndjson(lines, path):
    """The JSON values of LINES, one per non-blank line."""
    values = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except ValueError as e:
            raise Failure(f"{path}: line {n}: not JSON: {e}") from None
    return values


def read_plan(path):
    with open(path, encoding="utf-8") as f:
        plan = ndjson(f, path)
    for n, line in enumerate(plan, 1):
        if not isinstance(line, dict):
            raise Failure(f"{path}: plan line {n}: not an object")
    return plan


def read_itglue_names(path):
    """IT Glue organization id -> name, from the snapshot's organizations."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        records = ndjson(f, path)
    names = {}
    for n, r in enumerate(records, 1):
        if not isinstance(r, dict):
            raise Failure(f"{path}: record {n}: not an object")
        attrs = r.get("attributes")
        names[text(r.get("id"))] = attrs.get("name") if isinstance(attrs, dict) else None
    return names


def read_confirmed_deleted(path):
    """The ids the extract confirmed deleted (IT Glue answered 404)."""
    with open(path, encoding="utf-8") as f:
        try:
            manifest = json.load(f)
        except ValueError as e:
            raise Failure(f"{path}: not JSON: {e}") from None
    resources = manifest.get("resources") if isinstance(manifest, dict) else None
    orgs = resources.get("organizations") if isinstance(resources, dict) else None
    gone = orgs.get("confirmed_deleted") if isinstance(orgs, dict) else None
    return gone if isinstance(gone, list) else []


def read_csv(path, columns):
    """The rows of a store's CSV file (RFC 4180, header row, a UTF-8 BOM
    dropped) as dicts of COLUMNS; a column the header lacks reads as empty,
    and so does a missing file (a store's missing file is an empty table)."""
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        return []
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader, None)
            if header is None:
                return []
            at = {name: i for i, name in reversed(list(enumerate(header)))}
            rows = []
            for fields in reader:
                if not fields:  # a blank line
                    continue
                rows.append({c: fields[at[c]] if c in at and at[c] < len(fields) else ""
                             for c in columns})
        except csv.Error as e:
            raise Failure(f"{path}: line {reader.line_num}: {e}") from None
    return rows


# --- the lines -------------------------------------------------------------

def plan_lines(plan, itg, gone, store):
    """The "plan:" lines of the run (without the prefix)."""
    gone_keys = [order(g) for g in gone]

    def org(oid):
        n = lookup(store, oid)
        return f"{text(n)} ({text(oid)})" if present(n) else f"product org {text(oid)}"

    def itglue(oid):
        n = lookup(itg, oid)
        return f"IT Glue {text(oid)}" + (f" {text(n)}" if present(n) else "")

    def why(line):
        deleted = order(line.get("itglue_organization_id")) in gone_keys
        if line.get("reason") == "itglue_deleted" and deleted:
            return "itglue_deleted (IT Glue answered 404: deletion confirmed); IT Glue org None"
        return text(line.get("reason"))

    def limited(line, module):
        """Whether the import's license_limited names MODULE."""
        names = line.get("license_limited")
        if isinstance(names, str):
            return module in names
        return isinstance(names, list) and any(x == module for x in names if isinstance(x, str))

    def modules(line):
        return [f"{m} " + ("on" if present(line[m]) else "off")
                + (" (license_limit)" if limited(line, m) else "")
                for m in ("phishing", "training") if m in line]

    out = []
    for line in plan:
        a = line.get("action")
        v = line.get
        if a == "link":
            out.append(f"link     {org(v('organization_id'))}"
                       f" <-> {itglue(v('itglue_organization_id'))}:"
                       f" {text(v('reason'))}, {text(v('match'))}")
        elif a == "unlink":
            out.append(f"unlink   {org(v('organization_id'))}"
                       f" -/- {itglue(v('itglue_organization_id'))}"
                       f" ({text(v('source'))} link): {why(line)}")
        elif a == "rename":
            out.append(f"rename   {org(v('organization_id'))}:"
                       f" {text(v('before'))} -> {text(v('after'))}")
        elif a == "review":
            oid = v("itglue_organization_id")
            candidates = v("candidates") if isinstance(v("candidates"), list) else []
            out.append(f"review   {itglue(oid if present(oid) else '-')}:"
                       f" {text(v('reason'))}, candidates "
                       + join([org(c) for c in candidates], ", "))
        elif a == "import_organization":
            out.append(f"import   {itglue(v('itglue_organization_id'))}: "
                       + join([v("employee_count"), v("industry")] + modules(line), ", "))
        elif a == "skip" and "itglue_contact_id" not in line:
            out.append(f"skip     {itglue(v('itglue_organization_id'))}: {text(v('reason'))}")

    # Domains grouped by status and reason (a null reason as ""), the groups
    # sorted by [status, reason] with order(), each group's domains in the
    # plan's order; a group's first line gives its reason.
    def group(line):
        reason = line.get("reason")
        return order([line.get("status"), reason if present(reason) else ""])

    domains = sorted((line for line in plan if line.get("action") == "import_domain"), key=group)
    for _, lines in itertools.groupby(domains, key=group):
        lines = list(lines)
        status, reason = lines[0].get("status"), lines[0].get("reason")
        out.append(f"domains  {text(status)}" + (f" {text(reason)}" if present(reason) else "")
                   + ": " + join([line.get("domain") for line in lines], ", "))
    return out


def links_line(rows, path):
    """The "links:" line (without the prefix) of links.csv's ROWS."""
    def number(row):
        v = row["organization_id"]
        try:
            return float(v)
        except ValueError:
            raise Failure(f"{path}: organization_id {v!r} is not a number") from None

    rows = sorted(rows, key=number)
    if not rows:
        return "none"
    return ", ".join(f"{r['organization_id']}->{r['itglue_organization_id']} {r['source']}"
                     for r in rows)


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "plan":
            run, orgs_csv = argv[2], argv[3]
            snapshot = os.path.join(run, "snapshot")
            itg = read_itglue_names(os.path.join(snapshot, "organizations.ndjson.gz"))
            gone = read_confirmed_deleted(os.path.join(snapshot, "manifest.json"))
            store = {r["id"]: r["name"] for r in read_csv(orgs_csv, ("id", "name"))}
            plan = read_plan(os.path.join(run, "plan", "plan.ndjson"))
            lines = ["plan:    " + x for x in plan_lines(plan, itg, gone, store)]
        elif len(argv) == 3 and argv[1] == "links":
            path = os.path.join(argv[2], "links.csv")
            rows = read_csv(path, ("organization_id", "itglue_organization_id", "source"))
            lines = ["links:   " + links_line(rows, path)]
        else:
            print(f"usage: scripts/{PROG} plan RUN_DIR ORGANIZATIONS_CSV\n"
                  f"       scripts/{PROG} links STORE_DIR", file=sys.stderr)
            return 2
    except Failure as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as e:
        where = getattr(e, "filename", None)
        print(f"{PROG}: {where + ': ' if where else ''}{getattr(e, 'strerror', None) or e}",
              file=sys.stderr)
        return 1
    sys.stdout.write("".join(x + "\n" for x in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
