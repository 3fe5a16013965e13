#!/usr/bin/env python3
"""check.py KIND JSON_REPORT FILE: the HTML class report compared with the
JSON report of the same batch (tests/html/run.sh). KIND:
  file     the HTML as written: nothing fetched, one script, and the CSP's
           hashes are those of its script and style
  dom      Chromium's DOM: every number shown is the JSON report's
  hostile  Chromium's DOM: the hostile output and name are text
  sorted   Chromium's DOM after #sort=score-desc: the page's script ran
Exits 1 with the first difference."""
import base64
import hashlib
import html.parser
import json
import re
import sys

HOSTILE_NAME = '<img src=x onerror=alert(2)> "q" & co'
PAYLOAD = "</script><script>alert(1)</script>"
TITLE = "memory_mapper moulinette: class report"
BINS = 11
TOP_REASONS = 5
REASON_MAX = 240
VERDICT = {"pass": "OK", "fail": "KO", "crash": "CRASH", "timeout": "TIMEOUT", "error": "ERROR"}
KIND_ORDER = ["pass", "fail", "crash", "timeout", "error"]


def fail(msg):
    print(msg)
    sys.exit(1)


def same(what, got, want):
    if got != want:
        fail(f"{what}: the page says {got!r}, the JSON report {want!r}")


# ---- a small DOM ------------------------------------------------------------------

VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "path", "circle", "line"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids = tag, dict(attrs), parent, []

    def text(self):
        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)

    def walk(self):
        yield self
        for k in self.kids:
            if isinstance(k, Node):
                yield from k.walk()

    def find(self, tag=None, **attrs):
        for n in self.walk():
            if (tag is None or n.tag == tag) and all(
                    (n.attrs.get(a.replace("_", "-")) == v if v is not True
                     else a.replace("_", "-") in n.attrs) for a, v in attrs.items()):
                yield n

    def one(self, tag=None, **attrs):
        found = list(self.find(tag, **attrs))
        if len(found) != 1:
            fail(f"expected one <{tag}> {attrs}, found {len(found)}")
        return found[0]

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def cell(self, cls):
        found = [n for n in self.walk() if cls in n.classes()]
        if not found:
            fail(f"no element of class {cls} in <{self.tag} {self.attrs}>")
        return found[0]


class Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.kids.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.kids.append(data)


def dom(path):
    p = Parser()
    p.feed(open(path, encoding="utf-8").read())
    return p.root


# ---- what the JSON report says ----------------------------------------------------------

def mask(s):
    """report_html.c's mask_reason()."""
    out, i = [], 0
    while i < len(s) and (len("".join(out).encode()) < REASON_MAX):
        m = re.match(r"0[xX]([0-9a-fA-F]+)", s[i:])
        if m:
            out.append("ADDR" if len(m.group(1)) >= 6 else "0xN")
            i += m.end()
            continue
        m = re.match(r"[0-9]+", s[i:]) or re.match(r"/tmp/mm-test-[^/]*/", s[i:])
        if m:
            out.append("N" if s[i].isdigit() else "")
            i += m.end()
            continue
        if s[i] in " \n\t\r":
            if out and "".join(out)[-1:] != " ":
                out.append(" ")
        else:
            out.append(s[i])
        i += 1
    return "".join(out) + (" (cut)" if i < len(s) else "")


def percent(part, total):
    return (part * 100 + total // 2) // total if total else 0


def bin_of(score, top):
    if top <= 0 or score >= top:
        return BINS - 1
    if score <= 0:
        return 0
    return min(score * (BINS - 1) // top, BINS - 2)


def check_summary(root, report):
    scores = sorted(g["score"] for g in report)
    n = len(scores)
    median = scores[n // 2] if n % 2 else (scores[n // 2 - 1] + scores[n // 2]) / 2
    want = {
        "submissions": str(n),
        "max_score": str(report[0]["max_score"]),
        "mean": f"{sum(scores) / n:.1f}",
        "median": f"{median:.1f}",
        "full_marks": str(sum(s >= report[0]["max_score"] for s in scores)),
        "compile_failed": str(sum(not g["compile"]["ok"] for g in report)),
        "penalised": str(sum(g["penalty"] > 0 for g in report)),
    }
    for key, value in want.items():
        same(f"summary {key}", root.one("dd", data_stat=key).text(), value)
    same("compile failures heading", root.one(id="compile-failures").text(), want["compile_failed"])
    same("penalised heading", root.one(id="penalised").text(), want["penalised"])


def check_histogram(root, report):
    top = report[0]["max_score"]
    counts = [0] * BINS
    for g in report:
        counts[bin_of(g["score"], top)] += 1
    bins = list(root.one("svg", id="histogram").find("g", **{"class": "bin"}))
    same("histogram bars", len(bins), BINS)
    for b, g in enumerate(bins):
        lo, hi = int(g.attrs["data-lo"]), int(g.attrs["data-hi"])
        inside = sum(lo <= x["score"] <= hi or (b == 0 and x["score"] < 0) for x in report)
        same(f"histogram bar {lo}-{hi}", g.cell("count").text(), str(counts[b]))
        same(f"histogram bar {lo}-{hi} against its bounds", counts[b], inside)
    same("histogram total", sum(counts), len(report))


def rows_of(report):
    return [r["id"] for r in report[0]["tests"]]


def row(g, rid):
    return next(r for r in g["tests"] if r["id"] == rid)


def check_rates(root, report):
    table = root.one("table", id="rates")
    shown = [tr.attrs["data-row"] for tr in table.find("tr", data_row=True)]
    same("rows of the pass-rate table", shown, rows_of(report))
    for tr in table.find("tr", data_row=True):
        rid = tr.attrs["data-row"]
        passed = sum(row(g, rid)["status"] == "pass" for g in report)
        same(f"{rid}: passed", tr.cell("passed").text(), str(passed))
        same(f"{rid}: of", tr.cell("total").text(), str(len(report)))
        same(f"{rid}: rate", tr.cell("rate").text(), f"{percent(passed, len(report))}%")


def expected_reasons(report, rid):
    groups = {}
    for g in report:
        r = row(g, rid)
        if g["compile"]["ok"] and r["status"] != "pass":
            key = (r["status"], mask(r["message"]))
            groups[key] = groups.get(key, 0) + 1
    order = sorted(groups.items(), key=lambda kv: (-kv[1], KIND_ORDER.index(kv[0][0]),
                                                   kv[0][1].encode()))
    return order, sum(groups.values())


def check_reasons(root, report):
    tables = {t.attrs["data-row"]: t for t in root.find("table", **{"class": "reasons"})}
    for rid in rows_of(report):
        order, total = expected_reasons(report, rid)
        if total == 0:
            if rid in tables:
                fail(f"{rid}: reasons listed, but no submission that compiled failed it")
            continue
        if rid not in tables:
            fail(f"{rid}: {total} failed, no reasons listed")
        trs = list(tables[rid].find("tr"))
        same(f"{rid}: reasons' total", sum(int(tr.cell("count").text()) for tr in trs), total)
        listed = [tr for tr in trs if "others" not in tr.classes()]
        same(f"{rid}: reasons listed", len(listed), min(len(order), TOP_REASONS))
        for tr, ((kind, text), count) in zip(listed, order):
            cells = [k for k in tr.kids if not isinstance(k, str)]
            same(f"{rid}: a reason", (int(cells[0].text()), cells[1].text(), cells[2].text()),
                 (count, VERDICT[kind], text))


def check_submissions(root, report, order=None):
    trs = list(root.one("table", id="subs").find("tr", **{"class": "sub"}))
    order = order if order is not None else list(range(len(report)))
    same("submissions in the table", len(trs), len(report))
    for tr, i in zip(trs, order):
        g = report[i]
        name = g["submission"]
        same(f"{name}: index", tr.attrs.get("data-i"), str(i))
        same("a submission's name", tr.one("summary").text(), name)
        same(f"{name}: score", tr.cell("score").text(), str(g["score"]))
        same(f"{name}: bonus", tr.cell("bonus").text(), str(g["bonus_score"]))
        same(f"{name}: penalty", tr.cell("penalty").text(), str(g["penalty"]))
        same(f"{name}: compile", tr.cell("compile").text(), "ok" if g["compile"]["ok"] else "failed")
        passed = sum(r["status"] == "pass" for r in g["tests"])
        same(f"{name}: rows passed", tr.cell("passed").text(), f"{passed}/{len(g['tests'])}")


def check_dom(path, report):
    root = dom(path)
    same("title", root.one("head").one("title").text(), TITLE)
    check_summary(root, report)
    check_histogram(root, report)
    check_rates(root, report)
    check_reasons(root, report)
    check_submissions(root, report)


def check_hostile(path, report):
    root = dom(path)
    same("title (a payload would change it)", root.one("head").one("title").text(), TITLE)
    same("<script> elements", len(list(root.find("script"))), 1)
    same("<img> elements", len(list(root.find("img"))), 0)
    for n in root.walk():
        for a in n.attrs:
            if a.startswith("on") or a in ("src", "href", "style"):
                fail(f"<{n.tag}> has an attribute {a}: nothing of the page sets one")
    hostile = [tr for tr in root.find("tr", **{"class": "sub"}) if tr.one("summary").text() == HOSTILE_NAME]
    same("rows named by the hostile name (as text)", len(hostile), 1)
    outputs = [p.text() for p in hostile[0].find("pre", **{"class": "output"})]
    if not any(PAYLOAD in o for o in outputs):
        fail(f"the payload is not shown as text in the hostile submission's outputs: {outputs!r}")
    if not any("\\x01\\x1b[31m" in o and "\ufffd\ufffd" in o and "\\r" in o for o in outputs):
        fail(f"control bytes and invalid UTF-8 are not shown as \\xNN and U+FFFD: {outputs!r}")
    if not any(g["submission"] == HOSTILE_NAME for g in report):
        fail("the JSON report has no hostile submission")


def check_sorted(path, report):
    root = dom(path)
    if "js" not in root.one("html").classes():
        fail("the page's script did not run (no class js on <html>): is its CSP hash right?")
    same("the score column's aria-sort", root.one("th", data_key="score").attrs.get("aria-sort"),
         "descending")
    order = sorted(range(len(report)), key=lambda i: (-report[i]["score"], i))
    check_submissions(root, report, order)


def check_file(path):
    text = open(path, encoding="utf-8").read()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    if not csp:
        fail("no Content-Security-Policy meta")
    policy = csp.group(1)
    if "default-src 'none'" not in policy or "unsafe" in policy:
        fail(f"the policy allows more than the page's own script and style: {policy}")
    for tag in ("script", "style"):
        bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", text, re.S | re.I)
        same(f"<{tag}> elements in the file", len(bodies), 1)
        digest = base64.b64encode(hashlib.sha256(bodies[0].encode()).digest()).decode()
        if f"'sha256-{digest}'" not in policy:
            fail(f"the CSP does not hold the hash of the {tag} ({digest}): {policy}")
    same("'<script' in the file", len(re.findall(r"<script", text, re.I)), 1)
    # Every raw '<' is the page's own (the submissions' are &lt;): no tag
    # of it may fetch anything, nor may its style.
    for tag in re.findall(r"<[a-zA-Z][^>]*>", text):
        if re.search(r"\s(src|href|action|srcset|on[a-z]+)\s*=", tag, re.I) or tag.lower().startswith(
                ("<link", "<iframe", "<object", "<embed", "<img", "<base")):
            fail(f"the page refers to something outside itself: {tag}")
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    if "url(" in style or "@import" in style:
        fail("the style fetches something")


def main():
    if len(sys.argv) != 4:
        fail(__doc__)
    kind, report_path, path = sys.argv[1:]
    report = json.load(open(report_path))
    report = report if isinstance(report, list) else [report]
    {"file": lambda: check_file(path),
     "dom": lambda: check_dom(path, report),
     "hostile": lambda: check_hostile(path, report),
     "sorted": lambda: check_sorted(path, report)}.get(kind, lambda: fail(__doc__))()


main()
