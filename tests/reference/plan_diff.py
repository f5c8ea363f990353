#!/usr/bin/env python3
"""Compare two plan.ndjson files line by line as parsed JSON.

usage: plan_diff.py WANT(reference) GOT(itg-transform) [MAX]
Every key on either side is compared (a key missing on one side is a
difference); `score` with a tolerance of 0.00005.  Prints the first MAX
differing lines (default 5) and exits 1 when the plans differ.
"""
import json
import sys


def load(p):
    with open(p, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


def same(a, b):
    if a.keys() != b.keys():
        return False
    for k in a:
        if k == "score" and isinstance(a[k], (int, float)) and isinstance(b[k], (int, float)):
            if abs(a[k] - b[k]) > 0.00005:
                return False
        elif a[k] != b[k]:
            return False
    return True


def main():
    want, got = load(sys.argv[1]), load(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    bad = 0
    for n in range(max(len(want), len(got))):
        w = want[n] if n < len(want) else None
        g = got[n] if n < len(got) else None
        if w is not None and g is not None and same(w, g):
            continue
        bad += 1
        if bad <= limit:
            print("line %d:" % (n + 1))
            print("  reference:     %s" % (json.dumps(w, ensure_ascii=False) if w else "(none)"))
            print("  itg-transform: %s" % (json.dumps(g, ensure_ascii=False) if g else "(none)"))
    if bad:
        print("%d differing lines (reference %d lines, itg-transform %d lines)"
              % (bad, len(want), len(got)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
