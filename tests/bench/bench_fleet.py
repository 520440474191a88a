"""The fleet under faults: 4 kiosk processes on one central PostgreSQL, 2,000 patients with
faults and as many without, in the same run (:mod:`tests.fleet.fleet`).

Prints the check-ins per second across the kiosks with faults off and on, and the
invariants. Goal: with faults, at least 80 % of the fault-free rate, and every invariant
holds.

    python -m tests.bench.bench_fleet [--patients 2000] [--scale 0.25] [--extra-faults 30]
        [--faults all|survived]

Needs KIOSK_TEST_DATABASE_URL (the CI PostgreSQL) and root for the full-disk fault's tmpfs
(without, that fault is listed under "skipped"). FLEET_KEEP=FOLDER keeps the kiosks' logs,
slip logs and journals there. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from tests.fleet.fleet import FAULTS, SURVIVED, FleetOptions, run_fleet

GOAL = 0.8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_fleet", description=__doc__)
    parser.add_argument("--patients", type=int, default=2000, help="patients in each phase")
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.25, help="the product's times x this")
    parser.add_argument("--extra-faults", type=int, default=30)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument(
        "--faults",
        choices=("all", "survived"),
        default="all",
        help="every kind, or only those the product survives without the printed label's "
        "alias, the journal's rebuild and the kiosk register",
    )
    args = parser.parse_args(argv)
    server = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not server:
        print("KIOSK_TEST_DATABASE_URL is not set", file=sys.stderr)
        return 2
    options = FleetOptions(
        patients=args.patients,
        fault_free_patients=args.patients,
        kiosks=args.kiosks,
        scale=args.scale,
        extra_faults=args.extra_faults,
        seed=args.seed,
        faults=FAULTS if args.faults == "all" else SURVIVED,
    )
    result = run_fleet(options, server)
    ratio = result.get("faults_on_vs_off")
    result["goal_met"] = bool(result["ok"] and ratio is not None and ratio >= GOAL)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
