#!/usr/bin/env python3
"""check.py RESULTS_JSON SCORE: a results.json as Gradescope reads it (its
Autograder Specifications): the fields and their types, and the score."""
import json
import sys

r = json.load(open(sys.argv[1], encoding="utf-8"))
want = int(sys.argv[2])
problems = []
if not isinstance(r, dict):
    sys.exit("results.json is not one object")
if r.get("score") != want:
    problems.append(f"score {r.get('score')!r}, expected {want}")
if not isinstance(r.get("execution_time"), int):
    problems.append("execution_time is not a number of seconds")
if not isinstance(r.get("output"), str):
    problems.append("output is not a string")
if r.get("stdout_visibility") not in ("hidden", "visible", "after_due_date", "after_published"):
    problems.append(f"stdout_visibility {r.get('stdout_visibility')!r}")
tests = r.get("tests")
if not isinstance(tests, list) or not tests:
    problems.append("no tests")
for t in tests or []:
    for key, kind in (("name", str), ("number", str), ("score", int), ("max_score", int),
                      ("output", str), ("visibility", str), ("status", str)):
        if not isinstance(t.get(key), kind):
            problems.append(f"test {t.get('name')!r}: {key} is not a {kind.__name__}")
    if t.get("status") not in ("passed", "failed"):
        problems.append(f"test {t.get('name')!r}: status {t.get('status')!r}")
    if t.get("visibility") not in ("hidden", "visible", "after_due_date", "after_published"):
        problems.append(f"test {t.get('name')!r}: visibility {t.get('visibility')!r}")
rows = [t for t in tests or [] if "bonus" not in t.get("tags", []) and "extra" not in t.get("tags", [])
        and "." not in t.get("number", "")]
if sum(t["score"] for t in rows) != r.get("score", -1) + r.get("extra_data", {}).get("penalty", 0):
    problems.append("the rows' scores do not add up to the score")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"score {r['score']}, {len(tests)} tests")
