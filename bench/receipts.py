"""How long a receipt image takes to draw (it is drawn in the event loop, per press of
🧾 Reçu): the sample receipt and one with three 20-digit STS codes and a long address.

    .venv/bin/python -m bench.receipts [--runs 50]

Target: the best of the runs under 100 ms (until issue 13, a unit test asserted it; on a
busy machine that test failed for want of CPU, not of speed).
"""

import argparse
import statistics
import time

from bench.common import git_revision, machine
from bench.receipt_sample import SAMPLE, THREE_STS_CODES, timings_ms
from bot.services.receipts import render_receipt

TARGET_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.receipts")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print(f"receipts: {machine()}, revision {git_revision()}")
    start = time.perf_counter()
    render_receipt(SAMPLE)
    print(f"first receipt, fonts loading: {(time.perf_counter() - start) * 1000:.1f} ms")
    for name, data in (("sample", SAMPLE), ("3 STS codes", THREE_STS_CODES)):
        samples = timings_ms(data, max(2, args.runs))
        p95 = statistics.quantiles(samples, n=20)[-1]
        best = min(samples)
        verdict = "met" if best < TARGET_MS else "NOT MET"
        print(
            f"{name}: best {best:.1f} ms, median {statistics.median(samples):.1f} ms, "
            f"p95 {p95:.1f} ms (target: best < {TARGET_MS:.0f} ms: {verdict})"
        )


if __name__ == "__main__":
    main()
