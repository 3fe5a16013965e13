#!/usr/bin/env python3
"""check.py KIND JSON_REPORT FILE: one report format read back by its
consumer and compared with the JSON report of the same batch
(tests/formats/run.sh). KIND: csv, junit, prove, tap, gradescope,
gradescope-single. Exits 1 with the first difference."""
import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# The visibility tests/formats/run.sh gives the table.
ROW_VISIBILITY = {"map_anon_shared": "after_due_date", "protect_rdonly": "hidden"}
HIDDEN_TESTS = {"map_file_read/read_only"}
HOSTILE = "hostile <x> & ]]>"


def fail(msg):
    print(msg)
    sys.exit(1)


def same(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, expected {want!r}")


def normal(s):
    """A message without what changes from one run to the next (each format
    is graded in a run of its own): scratch names, addresses, pids."""
    s = re.sub(r"mm-test-[A-Za-z0-9]+", "mm-test-*", s)
    s = re.sub(r"/mm_[A-Za-z0-9_]+", "/mm_*", s)
    return re.sub(r"\b(0x[0-9a-f]+|[0-9]{3,})\b", "N", s)


def row_visibility(row_id):
    return ROW_VISIBILITY.get(row_id, "visible")


def test_visibility(row_id, test):
    return "hidden" if test in HIDDEN_TESTS else row_visibility(row_id)


def main_row(row):
    return not row["bonus"] and not row["extra"]


def hostile_output(grades):
    """The first output of the hostile submission's map_file_read, as the
    JSON report gives it back (invalid bytes U+FFFD, the NUL U+0000)."""
    for g in grades:
        if g["submission"] == HOSTILE:
            out = g["tests"][0]["details"][0]["output"]
            if "]]>" not in out or "\x01" not in out:
                fail(f"the hostile submission printed nothing hostile: {out!r}")
            return out
    fail("no hostile submission in the JSON report")


def load_json(path):
    d = json.load(open(path, encoding="utf-8"))
    return d if isinstance(d, list) else [d]


# ---- csv -------------------------------------------------------------------------------

def check_csv(grades, path):
    raw = open(path, "rb").read()
    if not raw.endswith(b"\r\n"):
        fail("a CSV line does not end with CRLF (RFC 4180)")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    rows = [r["id"] for r in grades[0]["tests"]]
    same("header", lines[0],
         ["submission", "score", "max_score", "bonus", "bonus_max", "penalty", "compile"] + rows)
    same("lines", len(lines), len(grades) + 1)
    for g, line in zip(grades, lines[1:]):
        name = g["submission"]
        want_name = "'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name
        same("submission", line[0], want_name)
        want = [str(g["score"]), str(g["max_score"]), str(g["bonus_score"]), str(g["bonus_max"]),
                str(g["penalty"]), "ok" if g["compile"]["ok"] else "failed"]
        same(f"{name!r}: totals", line[1:7], want)
        same(f"{name!r}: points", line[7:], [str(r["points"]) for r in g["tests"]])
    names = [line[0] for line in lines[1:]]
    for needle in (",", '"', "\n", "'="):
        if not any(needle in n for n in names):
            fail(f"no submission name with {needle!r}: the quoting is not tested")


# ---- junit -----------------------------------------------------------------------------

def xml_expected(s):
    """What report_junit.c makes of a string the JSON report gives back."""
    out = []
    for ch in s:
        c = ord(ch)
        if c == 0:
            out.append("\\0")
        elif ch in "\n\t\r":
            out.append(ch)
        elif c < 0x20 or c == 0x7F:
            out.append(f"\\x{c:02x}")
        elif 0x80 <= c < 0xA0:
            out.append(f"\\u{c:04x}")
        elif c in (0xFFFE, 0xFFFF):
            out.append(f"\\u{c:04X}")
        else:
            out.append(ch)
    return "".join(out)


def check_junit(grades, path):
    root = ET.parse(path).getroot()
    suites = root.findall("testsuite")
    same("testsuites", [s.get("name") for s in suites], [g["submission"] for g in grades])
    for g, suite in zip(grades, suites):
        props = {p.get("name"): p.get("value") for p in suite.find("properties")}
        same(f"{g['submission']!r}: score", props["score"], str(g["score"]))
        same(f"{g['submission']!r}: compile", props["compile"], "ok" if g["compile"]["ok"] else "failed")
        cases = suite.findall("testcase")
        same("testcases", [c.get("name") for c in cases], [r["id"] for r in g["tests"]])
        failures = sum(r["status"] == "fail" for r in g["tests"])
        errors = sum(r["status"] not in ("pass", "fail") for r in g["tests"])
        same("failures", suite.get("failures"), str(failures))
        same("errors", suite.get("errors"), str(errors))
        for r, case in zip(g["tests"], cases):
            p = case.find("properties")
            props = [(q.get("name"), q.get("value")) for q in p]
            d = dict(props)
            same(f"{r['id']}: points", d["points"], str(r["points"]))
            same(f"{r['id']}: visibility", d["visibility"], row_visibility(r["id"]))
            hidden = [v for k, v in props if k == "hidden_test"]
            same(f"{r['id']}: hidden tests", hidden,
                 [t["test"] for t in r["details"] if t["test"] in HIDDEN_TESTS])
            verdict = case.find("failure") if r["status"] == "fail" else case.find("error")
            if r["status"] == "pass":
                if case.find("failure") is not None or case.find("error") is not None:
                    fail(f"{r['id']} passed but has a failure")
                continue
            if verdict is None:
                fail(f"{g['submission']!r} {r['id']}: {r['status']} without its element")
            same(f"{r['id']}: type", verdict.get("type"), r["status"])
            if g["compile"]["ok"]:
                same(f"{r['id']}: reason", normal(verdict.text), normal(xml_expected(r["message"])))
    hostile = hostile_output(grades)
    suite = [s for s in suites if s.get("name") == HOSTILE][0]
    text = suite.find("testcase").find("system-out").text
    if xml_expected(hostile) not in text:
        fail(f"the hostile output is not given back:\n{text!r}\nexpected inside:\n{xml_expected(hostile)!r}")


# ---- tap -------------------------------------------------------------------------------

def check_prove(grades, path):
    p = subprocess.run(["prove", "-e", "cat", path], capture_output=True, text=True)
    text = p.stdout + p.stderr
    failing = sum(not (r["status"] == "pass") for g in grades for r in g["tests"] if main_row(r))
    total = sum(len(g["tests"]) for g in grades)
    if "Parse errors" in text:
        fail(text)
    if failing:
        if not re.search(rf"Tests: {total} Failed: {failing}\)", text):
            fail(f"prove should count {total} tests, {failing} failed:\n{text}")
        same("prove's exit status", p.returncode != 0, True)
    elif "All tests successful" not in text:
        fail(text)


def yaml_expected(s):
    """What prove's YAMLish reader makes of a string report_tap.c wrote."""
    return "".join(f"\\u{ord(ch):04x}" if ord(ch) in (0xFFFE, 0xFFFF) else ch for ch in s)


def check_tap(grades, path):
    d = json.load(open(path, encoding="utf-8"))
    same("parse errors", d["parse_errors"], [])
    same("version", d["version"], 13)
    rows = [(g, r) for g in grades for r in g["tests"]]
    same("plan", d["plan"], f"1..{len(rows)}")
    same("points", len(d["points"]), len(rows))
    for n, ((g, r), p) in enumerate(zip(rows, d["points"]), 1):
        same("number", p["number"], n)
        if not p["description"].endswith(": " + r["id"]):
            fail(f"point {n}: {p['description']!r}")
        todo = not main_row(r) and r["status"] != "pass"
        same(f"point {n}: ok", p["actual_ok"], r["status"] == "pass")
        same(f"point {n}: TODO", p["directive"], "TODO" if todo else "")
        y = p["yaml"]
        same(f"point {n}: row", y["row"], r["id"])
        same(f"point {n}: points", y["points"], str(r["points"]))
        same(f"point {n}: status", y["status"], r["status"])
        same(f"point {n}: visibility", y["visibility"], row_visibility(r["id"]))
        if not g["compile"]["ok"]:
            continue
        if r["status"] != "pass":
            same(f"point {n}: message", normal(y["message"]), normal(yaml_expected(r["message"])))
        same(f"point {n}: tests", [t["test"] for t in y["tests"]], [t["test"] for t in r["details"]])
        for t, yt in zip(r["details"], y["tests"]):
            same(f"{t['test']}: visibility", yt["visibility"], test_visibility(r["id"], t["test"]))
            same(f"{t['test']}: status", yt["status"], t["status"])
    hostile = hostile_output(grades)
    g = [g for g in grades if g["submission"] == HOSTILE][0]
    first = [p for (gg, r), p in zip(rows, d["points"]) if gg is g][0]
    same("the hostile output", first["yaml"]["tests"][0]["output"], yaml_expected(hostile))


# ---- gradescope ------------------------------------------------------------------------

def check_gradescope_one(g, r):
    name = g["submission"]
    same(f"{name!r}: score", r["score"], g["score"])
    if not isinstance(r["execution_time"], int) or r["execution_time"] < 0:
        fail(f"execution_time {r['execution_time']!r}")
    if not isinstance(r["output"], str) or f"Score: {g['score']}/{g['max_score']}" not in r["output"]:
        fail(f"output {r['output']!r}")
    same("stdout_visibility", r["stdout_visibility"], "hidden")
    same("extra_data.submission", r["extra_data"]["submission"], name)
    keys = {"name", "number", "score", "max_score", "status", "output", "visibility", "tags"}
    for t in r["tests"]:
        same(f"{t.get('name')}: fields", set(t), keys)
        if t["status"] not in ("passed", "failed"):
            fail(f"status {t['status']!r}")
        if t["visibility"] not in ("visible", "hidden", "after_due_date", "after_published"):
            fail(f"visibility {t['visibility']!r}")
        if not all(isinstance(t[k], str) for k in ("name", "number", "output")):
            fail(f"{t['name']}: name, number and output must be strings")
    rows = [t for t in r["tests"] if "." not in t["number"]]
    same("row entries", [t["name"] for t in rows], [x["id"] for x in g["tests"]])
    for x, t in zip(g["tests"], rows):
        same(f"{x['id']}: score", t["score"], x["points"])
        same(f"{x['id']}: max_score", t["max_score"], x["max_points"])
        same(f"{x['id']}: status", t["status"], "passed" if x["status"] == "pass" else "failed")
        same(f"{x['id']}: visibility", t["visibility"], row_visibility(x["id"]))
    main = sum(t["score"] for x, t in zip(g["tests"], rows) if main_row(x))
    same("the rows add up to the score", max(main - g["penalty"], 0), r["score"])
    hidden = [t for t in r["tests"] if "." in t["number"]]
    if g["compile"]["ok"]:
        details = {d["test"]: d for x in g["tests"] for d in x["details"]}
        same("hidden test entries", [t["name"].split(" ")[0] for t in hidden], sorted(HIDDEN_TESTS))
        for t in hidden:
            test = t["name"].split(" ")[0]
            same(f"{test}: visibility", t["visibility"], "hidden")
            same(f"{test}: max_score", (t["score"], t["max_score"]), (0, 0))
            same(f"{test}: status", t["status"], "passed" if details[test]["status"] == "pass" else "failed")
        for test in HIDDEN_TESTS:  # a visible row's output says nothing of it
            row = [t for t in rows if t["name"] == test.split("/")[0]][0]
            if test in row["output"] or (details[test]["status"] != "pass" and
                                         details[test]["message"] in row["output"]):
                fail(f"the visible row {row['name']} shows its hidden test {test}:\n{row['output']}")
            if details[test]["status"] != "pass" and "hidden test" not in row["output"]:
                fail(f"{row['name']} does not say a hidden test failed")
    if name == HOSTILE:
        out = g["tests"][0]["details"][0]["output"]
        if out not in rows[0]["output"]:
            fail(f"the hostile output is not given back: {rows[0]['output']!r}")


def check_gradescope(grades, path, single):
    d = json.load(open(path, encoding="utf-8"))
    if single:
        if not isinstance(d, dict):
            fail("one submission must give one object")
        g = [g for g in grades if g["submission"] == HOSTILE]
        check_gradescope_one(g[0], d)
        return
    same("submissions", len(d), len(grades))
    for g, r in zip(grades, d):
        check_gradescope_one(g, r)


def main():
    kind, json_report, path = sys.argv[1:4]
    grades = load_json(json_report)
    if kind == "csv":
        check_csv(grades, path)
    elif kind == "junit":
        check_junit(grades, path)
    elif kind == "prove":
        check_prove(grades, path)
    elif kind == "tap":
        check_tap(grades, path)
    elif kind.startswith("gradescope"):
        check_gradescope(grades, path, kind == "gradescope-single")
    else:
        fail(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
