#!/usr/bin/env python3
"""summarize_database's outputs for fleets, CI and monitoring (docs/fleet.md), end to end.

A temporary database (the minimal fixture) gets four more 25W runs of the Orin Nano GPU from four
hosts, the last one 20% slower. Then:

- --fleet (json and console): per figure the median, MAD and min..max agree with what this
  script computes from the values, and the slow run, and only it, is named by host as an outlier
  (|x - median| > 3 x MAD);
- --check --junit and --fail-on-regression --junit: the XML parses (xml.etree), its counts agree
  with its test cases, a clean database has no failure, the broken fixture and the regression
  fail the cases of their entries;
- --prometheus: the file follows the text exposition format (the line grammar below: HELP and
  TYPE before a family's samples, one block per family, label escaping, float values), every
  metric is hwcal_*, labelled as documented, and a datasheet figure reads back exactly.

Usage: check_outputs.py SUMMARIZE EXPORT SOURCE_DIR
"""
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(*args, expect=None):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if expect is not None and result.returncode != expect:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"{' '.join(map(str, args))}: exit {result.returncode}, expected {expect}")
    return result


def make_run(source, path, started, factor, host):
    document = json.loads(source.read_text())
    document["started_at"] = started
    document["finished_at"] = started
    for record in document["measurements"]:
        for key in ("gflops", "gbps"):
            if key in record:
                record[key]["best"] *= factor
                record[key]["median"] *= factor
        record["samples_s"] = [s / factor for s in record.get("samples_s", [])]
    document["conditions"] = {"host_name": host}
    path.write_text(json.dumps(document, indent=2) + "\n")


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


# ---- the Prometheus text format, line by line --------------------------------------------------
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|NaN|[+-]Inf)"
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:{LABEL}={LABEL_VALUE},)*(?:{LABEL}={LABEL_VALUE})?)\}})? ({VALUE})(?: -?\d+)?$")
PAIR = re.compile(rf"({LABEL})=({LABEL_VALUE})")


def unescape(value):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], value[1:-1])


def parse_prometheus(text):
    """{name: {"help", "type", "samples": [(labels, value)]}}; raises ValueError on any fault."""
    if text and not text.endswith("\n"):
        raise ValueError("the last line has no line feed")
    families = {}
    order = []  # family of each block, in order
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not re.fullmatch(NAME, name):
                    raise ValueError(f"line {number}: bad metric name {name!r}")
                family = families.setdefault(name, {"help": None, "type": None, "samples": []})
                if order and order[-1] != name and name in order:
                    raise ValueError(f"line {number}: {name} appears in two blocks")
                if not order or order[-1] != name:
                    order.append(name)
                if family["samples"]:
                    raise ValueError(f"line {number}: {parts[1]} of {name} after its samples")
                if parts[1] == "HELP":
                    if family["help"] is not None:
                        raise ValueError(f"line {number}: second HELP for {name}")
                    doc = parts[3] if len(parts) > 3 else ""
                    if re.search(r"\\[^\\n]", doc.replace("\\\\", "")):
                        raise ValueError(f"line {number}: bad escape in HELP")
                    family["help"] = doc
                else:
                    if family["type"] is not None:
                        raise ValueError(f"line {number}: second TYPE for {name}")
                    if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram",
                                                           "summary", "untyped"):
                        raise ValueError(f"line {number}: bad TYPE line")
                    family["type"] = parts[3]
            continue
        match = SAMPLE.match(line)
        if not match:
            raise ValueError(f"line {number}: not a sample: {line!r}")
        name, labels_text, value = match.groups()
        labels = {}
        for key, raw in PAIR.findall(labels_text or ""):
            if key in labels:
                raise ValueError(f"line {number}: label {key} twice")
            labels[key] = unescape(raw)
        family = families.setdefault(name, {"help": None, "type": None, "samples": []})
        if order and order[-1] != name:
            if name in order:
                raise ValueError(f"line {number}: samples of {name} in two blocks")
            order.append(name)
        elif not order:
            order.append(name)
        key = tuple(sorted(labels.items()))
        if any(tuple(sorted(l.items())) == key for l, _ in family["samples"]):
            raise ValueError(f"line {number}: {name} with the same labels twice")
        family["samples"].append((labels, float(value)))
    return families


def self_test_parser():
    good = ('# HELP m a \\\\ b\\n c\n# TYPE m gauge\nm{a="x\\"y\\\\z\\n",b="2"} 1.5e9\nm{a="q",} +Inf\n'
            "n 3 1700000000\n")
    families = parse_prometheus(good)
    check(families["m"]["samples"][0][0]["a"] == 'x"y\\z\n', "the parser unescapes label values")
    for bad in ('m{a="x\\q"} 1\n', "m{a=x} 1\n", "m 1\nn 2\nm 3\n", "m one\n",
                "# TYPE m gauge\n# TYPE m gauge\nm 1\n", "m 1\n# HELP m late\n", "m 1",
                '1m 2\n', 'm{a="1",a="2"} 1\n'):
        try:
            parse_prometheus(bad)
            check(False, f"the parser accepts {bad!r}")
        except ValueError:
            pass


def main():
    summarize, export, source = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    self_test_parser()
    work = Path(tempfile.mkdtemp(prefix="hwcal-fleet-"))
    try:
        database = work / "hardware_database"
        shutil.copytree(source / "tests/fixtures/databases/minimal", database)
        shutil.copytree(source / "tests/fixtures/databases/profiles", work / "profiles")
        fixture = source / "tests/fixtures/profiles/jetson_orin_nano_gpu_25W.json"
        runs = [("orin-a", "2025-11-20T08:00:00Z", 1.00), ("orin-b", "2025-11-21T08:00:00Z", 1.01),
                ("orin-c", "2025-11-22T08:00:00Z", 0.99), ("orin-d", "2025-11-23T08:00:00Z", 0.80)]
        for host, started, factor in runs:
            path = work / f"{host}.json"
            make_run(fixture, path, started, factor, host)
            run(export, "--database", database, "--calibration", path, "--quiet", expect=0)
        stored = sorted((work / "profiles/nvidia/jetson_orin_nano_gpu/25W").iterdir())
        print("stored runs:", *[p.name for p in stored])
        check(any(re.fullmatch(r"20251123T080000Z_orin-d_[0-9a-f]{8}\.json", p.name) for p in stored),
              "export names a profile by stamp, host and hash")

        # ---- --fleet ---------------------------------------------------------------------------
        result = run(summarize, "--database", database, "--fleet", "--id", "jetson_orin_nano_gpu",
                     "--format", "json", expect=0)
        fleet = json.loads(result.stdout)
        figures = {(f["power_mode"], f["precision"], f["kind"]): f for f in fleet["figures"]}
        fp32 = figures.get(("25W", "fp32", "gemm"))
        check(fp32 is not None, "the fleet has the 25W fp32 GEMM figure")
        if fp32:
            values = [v["value"] for v in fp32["values"]]
            check(len(values) == 5, f"5 runs of 25W (the fixture's and four hosts'), got {len(values)}")
            m = median(values)
            mad = median([abs(v - m) for v in values])
            check(math.isclose(fp32["median"], m, rel_tol=1e-12), "median")
            check(math.isclose(fp32["mad"], mad, rel_tol=1e-12), "MAD")
            check(fp32["min"] == min(values) and fp32["max"] == max(values), "min and max")
            expected = sorted(v["host"] for v in fp32["values"] if abs(v["value"] - m) > 3 * mad)
            named = sorted(o["host"] for o in fp32["outliers"])
            check(named == expected == ["orin-d"], f"outliers {named}, rule says {expected}")
            check(fp32["hosts"] == 5, "four named hosts and the fixture's unknown one")
        for figure in fleet["figures"]:
            values = [v["value"] for v in figure["values"]]
            m = median(values)
            mad = median([abs(v - m) for v in values])
            expected = sorted(v["host"] for v in figure["values"]
                              if (abs(v["value"] - m) > 3 * mad if mad > 0 else v["value"] != m))
            check(sorted(o["host"] for o in figure["outliers"]) == (expected if len(values) >= 3 else []),
                  f"outliers of {figure['power_mode']} {figure['precision']} {figure['kind']}")
        console = run(summarize, "--database", database, "--fleet", expect=0).stdout
        print(console)
        check(re.search(r"fp32 gemm .*orin-d [0-9.]+ \(-", console) is not None,
              "the console names the outlier by host")
        check(run(summarize, "--database", database, "--fleet", "--check").returncode == 2,
              "--fleet with --check is a usage error")

        # ---- JUnit -----------------------------------------------------------------------------
        def junit(path):
            root = ET.parse(path).getroot()
            check(root.tag == "testsuites", "the root is <testsuites>")
            cases = root.findall("./testsuite/testcase")
            failed = [c for c in cases if c.find("failure") is not None]
            check(int(root.get("tests")) == len(cases), "testsuites/@tests counts the cases")
            check(int(root.get("failures")) == len(failed), "testsuites/@failures counts failures")
            for suite in root.findall("testsuite"):
                check(int(suite.get("tests")) == len(suite.findall("testcase")), "testsuite/@tests")
                check(int(suite.get("failures")) ==
                      len([c for c in suite.findall("testcase") if c.find("failure") is not None]),
                      "testsuite/@failures")
            return root, {c.get("name"): c for c in cases}

        clean = work / "check.xml"
        run(summarize, "--database", database, "--check", "--junit", clean, "--quiet", expect=0)
        root, cases = junit(clean)
        check(root.get("failures") == "0", "a clean database fails no case")
        check({"jetson_orin_nano_gpu", "intel_core_i7_12700k", "database"} <= set(cases),
              f"a case per entry and one for the database: {sorted(cases)}")

        broken = work / "broken.xml"
        result = run(summarize, "--database", source / "tests/fixtures/databases/broken", "--check",
                     "--junit", broken, "--quiet")
        check(result.returncode == 1, "--check on the broken fixture exits 1")
        root, cases = junit(broken)
        check(int(root.get("failures")) > 0, "the broken fixture fails cases")
        for case in cases.values():
            failure = case.find("failure")
            if failure is not None:
                check(failure.get("message") and failure.text, "a failure has a message and text")

        gate = work / "gate.xml"
        result = run(summarize, "--database", database, "--check", "--fail-on-regression", "10",
                     "--junit", gate, "--quiet")
        check(result.returncode == 1, "the regression gate fails")
        root, _ = junit(gate)
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        regression = suites.get("summarize_database --fail-on-regression 10")
        check(regression is not None, f"a suite for the gate: {sorted(suites)}")
        if regression is not None:
            gpu = [c for c in regression.findall("testcase") if c.get("name") == "jetson_orin_nano_gpu"]
            check(len(gpu) == 1 and gpu[0].find("failure") is not None and
                  "regression: jetson_orin_nano_gpu 25W fp32" in gpu[0].find("failure").text,
                  "the gate's case of the Orin Nano GPU fails naming the regression")
        check(run(summarize, "--database", database, "--junit", gate).returncode == 2,
              "--junit alone is a usage error")

        # ---- Prometheus ------------------------------------------------------------------------
        prom = work / "hwcal.prom"
        run(summarize, "--database", database, "--quiet", "--prometheus", prom, expect=0)
        text = prom.read_text()
        families = parse_prometheus(text)
        print(f"{prom.name}: {sum(len(f['samples']) for f in families.values())} samples in "
              f"{len(families)} families")
        check(set(families) == {"hwcal_peak_ops_per_second", "hwcal_efficiency_ratio",
                                "hwcal_memory_bandwidth_bytes_per_second",
                                "hwcal_calibration_runs", "hwcal_calibration_timestamp_seconds"},
              f"families: {sorted(families)}")
        for name, family in families.items():
            check(family["help"] and family["type"] == "gauge", f"{name} has HELP and TYPE gauge")
            for labels, _ in family["samples"]:
                check({"id", "power_mode"} <= set(labels), f"{name} labels {labels}")
        peaks = {(l["id"], l["precision"], l["power_mode"], l["kind"]): v
                 for l, v in families["hwcal_peak_ops_per_second"]["samples"]}
        entry = json.loads((database / "gpu/nvidia/jetson_orin_nano_gpu.json").read_text())
        datasheet = entry["power_modes"]["25W"]["theoretical_peaks"]["fp32"] * 1e9
        check(math.isclose(peaks.get(("jetson_orin_nano_gpu", "fp32", "25W", "datasheet"), 0),
                           datasheet, rel_tol=1e-12), "the datasheet peak reads back")
        summary = entry["calibration_summary"]["by_power_mode"]["25W"]
        check(math.isclose(peaks.get(("jetson_orin_nano_gpu", "fp32", "25W", "gemm"), 0),
                           summary["measured_peaks"]["fp32"] * 1e9, rel_tol=1e-12),
              "the calibrated GEMM roof reads back")
        check(run(summarize, "--database", database, "--check", "--prometheus", prom).returncode == 2,
              "--prometheus with --check is a usage error")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
