#!/usr/bin/env python3
"""The calibration profile's JSON Schema and the C++ reader must agree.

Every fixture profile and every bundled profile (profiles/ next to hardware_database/) must pass
the schema; every fault in profile_faults.json must be rejected by it. The C++ side of the same
list is the unit test ProfileSchema.* (hwcal_unit_tests). Exits 77 (CTest: skipped) when
python3-jsonschema is not installed, and says so.
"""
import argparse
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    print("SKIPPED: python3-jsonschema is not installed (scripts/setup.sh --tests installs it)")
    sys.exit(77)


def apply(document, fault):
    target = document
    for key in fault["path"][:-1]:
        target = target[key]
    last = fault["path"][-1]
    if fault.get("delete"):
        del target[last]
    else:
        target[last] = fault["value"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--fixtures", required=True, help="tests/fixtures")
    parser.add_argument("--profiles", required=True, help="the bundled profiles/ folder")
    parser.add_argument("--faults", required=True)
    args = parser.parse_args()

    schema = json.loads(pathlib.Path(args.schema).read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    failures = []

    fixtures = pathlib.Path(args.fixtures)
    valid = sorted((fixtures / "profiles").glob("*.json"))
    bundled = pathlib.Path(args.profiles)
    if bundled.is_dir():
        valid += sorted(bundled.rglob("*.json"))
    for path in valid:
        for error in validator.iter_errors(json.loads(path.read_text())):
            failures.append(f"{path}: schema rejects a valid profile at "
                            f"/{'/'.join(map(str, error.path))}: {error.message}")

    faults = json.loads(pathlib.Path(args.faults).read_text())
    base = json.loads((fixtures / faults["fixture"]).read_text())
    for fault in faults["faults"]:
        document = json.loads(json.dumps(base))
        apply(document, fault)
        if validator.is_valid(document):
            failures.append(f"fault '{fault['name']}': the JSON Schema accepts it")

    print(f"{len(valid)} valid profiles, {len(faults['faults'])} structural faults checked")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
