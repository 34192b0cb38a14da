#!/usr/bin/env python3
"""The JSON Schema and the C++ validation must agree.

Every bundled entry must pass the schema (the C++ side is checked by
database.bundled_check_strict). Every structural fault below, applied to a valid fixture entry,
must be rejected by both the schema and `summarize_database --check`. Exits 77 (CTest: skipped)
when python3-jsonschema is not installed, and says so.
"""
import argparse
import copy
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("SKIPPED: python3-jsonschema is not installed (scripts/setup.sh --tests installs it)")
    sys.exit(77)

GPU = "gpu/nvidia/jetson_orin_nano_gpu.json"
CPU = "cpu/intel/intel_core_i7_12700k.json"


def set_path(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def delete(doc, path):
    target = doc
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]


# (name, file, mutation)
FAULTS = [
    ("model is a number", CPU, lambda d: set_path(d, ["model"], 7)),
    ("missing vendor", CPU, lambda d: delete(d, ["vendor"])),
    ("missing theoretical_peaks", CPU, lambda d: delete(d, ["theoretical_peaks"])),
    ("unknown precision", CPU, lambda d: set_path(d, ["theoretical_peaks", "fp8"], 1.0)),
    ("negative peak", CPU, lambda d: set_path(d, ["theoretical_peaks", "fp32"], -1)),
    ("peak is a string", CPU, lambda d: set_path(d, ["theoretical_peaks", "fp32"], "1497")),
    ("unknown device_type", CPU, lambda d: set_path(d, ["device_type"], "tpu")),
    ("unknown platform", CPU, lambda d: set_path(d, ["platform"], "arm64")),
    ("id with capitals", CPU, lambda d: set_path(d, ["id"], "Intel_Core_i7_12700k")),
    ("zero bandwidth", CPU, lambda d: set_path(d, ["peak_bandwidth_gbps"], 0)),
    ("patterns not strings", CPU, lambda d: set_path(d, ["detection_patterns"], [1])),
    ("derivation without clock", CPU,
     lambda d: delete(d, ["peak_derivation", "fp32", "terms", 0, "clock_mhz"])),
    ("mode name with a space", GPU, lambda d: set_path(d, ["power_modes", "10 W"], {})),
    ("mode peak is a string", GPU,
     lambda d: set_path(d, ["power_modes", "25W", "theoretical_peaks", "fp32"], "x")),
    ("cache kind unknown", CPU,
     lambda d: set_path(d, ["caches"], [{"level": 1, "kind": "both", "size_kib": 48}])),
    ("source without covers", CPU, lambda d: delete(d, ["sources", 0, "covers"])),
    ("mapper without class", GPU, lambda d: delete(d, ["mapper", "class"])),
    ("summary runs not an integer", GPU,
     lambda d: set_path(d, ["calibration_summary", "runs"], "one")),
    ("schema_version from the future", CPU, lambda d: set_path(d, ["schema_version"], 2)),
]


# Faults of the kinds beyond CPU and GPU, applied to tests/fixtures/databases/kinds: the JSON
# Schema must reject each; the C++ side of the same faults is tests/unit/test_kinds.cpp
# (BadKindInput), which also checks that its message names the file and the field.
NPU = "npu/example/example_npu.json"
BOARD = "board/example/example_board.json"
KIND_FAULTS = [
    ("npu without attachment", NPU, lambda d: delete(d, ["attachment"])),
    ("unknown attachment", NPU, lambda d: set_path(d, ["attachment"], "pci")),
    ("on-chip memory not positive", NPU, lambda d: set_path(d, ["on_chip_memory_mib"], 0)),
    ("frameworks not strings", NPU, lambda d: set_path(d, ["frameworks"], [1])),
    ("board without parts", BOARD, lambda d: delete(d, ["parts"])),
    ("board with peaks", BOARD, lambda d: set_path(d, ["theoretical_peaks"], {"int8": 1})),
    ("board part count zero", BOARD, lambda d: set_path(d, ["parts", 0, "count"], 0)),
    ("board device_type unknown", BOARD, lambda d: set_path(d, ["device_type"], "boards")),
]


def cpp_rejects(summarize, fixtures, relative, document):
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp) / "db"
        shutil.copytree(fixtures / "minimal", root)
        # The profiles the fixture's calibration summary links live next to the database.
        shutil.copytree(fixtures / "profiles", pathlib.Path(tmp) / "profiles")
        if document is not None:
            (root / relative).write_text(json.dumps(document, indent=2) + "\n")
        result = subprocess.run([summarize, "--database", str(root), "--check"],
                                capture_output=True, text=True)
        return result.returncode == 1, result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--summarize", required=True)
    args = parser.parse_args()

    schema = json.loads(pathlib.Path(args.schema).read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    failures = []

    database = pathlib.Path(args.database)
    entries = sorted(p for p in database.rglob("*.json") if "schema" not in p.parts)
    for path in entries:
        for error in validator.iter_errors(json.loads(path.read_text())):
            failures.append(f"{path}: schema rejects a bundled entry at "
                            f"/{'/'.join(map(str, error.path))}: {error.message}")
    fixtures = pathlib.Path(args.fixtures)
    for path in sorted((fixtures / "minimal").rglob("*.json")):
        for error in validator.iter_errors(json.loads(path.read_text())):
            failures.append(f"{path}: schema rejects the valid fixture: {error.message}")

    kinds = fixtures / "kinds"
    for path in sorted(kinds.rglob("*.json")):
        for error in validator.iter_errors(json.loads(path.read_text())):
            failures.append(f"{path}: schema rejects the valid fixture: {error.message}")
    for name, relative, mutate in KIND_FAULTS:
        document = json.loads((kinds / relative).read_text())
        mutate(document)
        if validator.is_valid(document):
            failures.append(f"fault '{name}': the JSON Schema accepts it")

    # Without this the faults below would prove nothing: the unchanged copy must pass.
    rejected, output = cpp_rejects(args.summarize, fixtures, GPU, None)
    if rejected:
        failures.append(f"summarize_database --check rejects the unchanged fixture:\n{output}")

    for name, relative, mutate in FAULTS:
        document = json.loads((fixtures / "minimal" / relative).read_text())
        mutate(document)
        schema_rejects = not validator.is_valid(document)
        cpp_rejected, output = cpp_rejects(args.summarize, fixtures, relative, document)
        if not schema_rejects:
            failures.append(f"fault '{name}': the JSON Schema accepts it")
        if not cpp_rejected:
            failures.append(f"fault '{name}': summarize_database --check accepts it:\n{output}")

    print(f"{len(entries)} bundled entries, {len(FAULTS) + len(KIND_FAULTS)} structural faults "
          "checked")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
