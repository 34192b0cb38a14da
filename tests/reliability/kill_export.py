#!/usr/bin/env python3
"""SIGKILL a multi-entry export at random moments; after each kill the database is whole.

Each round copies an uncalibrated database, starts `export_calibration --calibration-dir` on the
predecessor's Orin Nano profiles (two entries, three profiles: one transaction of five files),
kills it with SIGKILL after a random delay, and then checks, as the issue asks:

  * `summarize_database --check` passes (a reader that finds an interrupted change finishes it
    under the lock first);
  * every entry and every stored profile is entirely as before or entirely as after an
    uninterrupted export, and all of them alike: never one entry new and the other old;
  * once the next export ran, no temp file and no journal is left, and the result is
    byte-identical to the uninterrupted export.

Usage: kill_export.py --export BIN --summarize BIN --database DIR --profiles DIR
                      [--kills 100] [--seed N]
HWCAL_KILLS in the environment overrides --kills (a longer run: HWCAL_KILLS=1000).
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def snapshot(root):
    """Every regular file under root (lock excluded) with its bytes."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            if name == ".hwcal.lock":
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, root)] = handle.read()
    return files


def is_temp(name):
    return name.startswith(".") and ".tmp." in name


def uncalibrated_copy(bundled, tree):
    """tree/hardware_database: the bundled database without calibration fields."""
    database = os.path.join(tree, "hardware_database")
    shutil.copytree(bundled, database, ignore=shutil.ignore_patterns(".hwcal.*", ".*.tmp.*"))
    for folder, _, names in os.walk(database):
        if os.path.basename(folder) == "schema":
            continue
        for name in names:
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            with open(path) as handle:
                document = json.load(handle)
            removed = [document.pop(key, None)
                       for key in ("calibration_summary", "calibration_profiles")]
            if any(value is not None for value in removed):
                with open(path, "w") as handle:
                    handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return database


def run(command, **kwargs):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", required=True)
    parser.add_argument("--summarize", required=True)
    parser.add_argument("--database", required=True, help="the bundled database")
    parser.add_argument("--profiles", required=True, help="a folder of profiles to export")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    kills = int(os.environ.get("HWCAL_KILLS", args.kills))
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"kill_export: {kills} kills, seed {seed}")

    work = tempfile.mkdtemp(prefix="hwcal-kill-")
    try:
        base = os.path.join(work, "base")
        uncalibrated_copy(args.database, base)
        before = snapshot(base)

        def export(tree):
            return [args.export, "--database", os.path.join(tree, "hardware_database"),
                    "--calibration-dir", args.profiles, "--quiet"]

        # The uninterrupted export, three times: the result, and how long one takes.
        durations = []
        after = None
        for i in range(3):
            tree = os.path.join(work, f"reference{i}")
            shutil.copytree(base, tree)
            start = time.monotonic()
            result = run(export(tree))
            durations.append(time.monotonic() - start)
            if result.returncode != 0:
                print(f"the uninterrupted export failed: {result.stderr}", file=sys.stderr)
                return 1
            after = snapshot(tree)
            shutil.rmtree(tree)
        duration = sorted(durations)[1]
        changed = sorted(name for name in set(before) | set(after)
                         if before.get(name) != after.get(name))
        print(f"an export takes {duration * 1000:.0f} ms and changes {len(changed)} files: "
              + ", ".join(changed))
        if len(changed) < 4:
            print("expected a change of several entries and profiles", file=sys.stderr)
            return 1

        outcomes = {"before": 0, "after": 0, "finished by the next reader": 0}
        swept = 0
        failures = []
        for kill in range(kills):
            tree = os.path.join(work, "trial")
            if os.path.exists(tree):
                shutil.rmtree(tree)
            shutil.copytree(base, tree)
            database = os.path.join(tree, "hardware_database")
            process = subprocess.Popen(export(tree), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            # Half the kills anywhere in the run, half in its last third, where the files are
            # staged, the journal written and the renames done.
            low = 0.0 if kill % 2 == 0 else duration * 0.65
            time.sleep(rng.uniform(low, duration * 1.1))
            process.send_signal(signal.SIGKILL)
            process.wait()
            journal = os.path.exists(os.path.join(database, ".hwcal.journal"))

            check = run([args.summarize, "--database", database, "--check"])
            if check.returncode != 0:
                failures.append(f"kill {kill}: --check failed: {check.stdout}{check.stderr}")
                continue
            state = snapshot(tree)
            states = set()
            for name in changed:
                if state.get(name) == before.get(name):
                    states.add("before")
                elif state.get(name) == after.get(name):
                    states.add("after")
                else:
                    states.add("other")
            if states == {"before"}:
                outcomes["before"] += 1
            elif states == {"after"}:
                outcomes["finished by the next reader" if journal else "after"] += 1
            else:
                failures.append(f"kill {kill}: files in states {sorted(states)}")
                continue

            # The next writer sweeps up what the killed one left, and finishes the work.
            leftovers = [name for name in state if is_temp(os.path.basename(name))]
            again = run(export(tree))
            if again.returncode != 0:
                failures.append(f"kill {kill}: the next export failed: {again.stderr}")
                continue
            final = snapshot(tree)
            left = [name for name in final
                    if is_temp(os.path.basename(name)) or name.endswith(".hwcal.journal")]
            if left:
                failures.append(f"kill {kill}: left after the next run: {left}")
            elif final != after:
                failures.append(f"kill {kill}: the next export did not give the same result")
            swept += len(leftovers)

        print(f"outcomes: {outcomes}; temp files swept by the next run: {swept}")
        for failure in failures[:20]:
            print(failure, file=sys.stderr)
        if failures:
            print(f"kill_export: {len(failures)} of {kills} kills left a bad state (seed {seed})",
                  file=sys.stderr)
            return 1
        print(f"kill_export: all {kills} kills left the database whole")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
