"""Dask and the workbook's solutions, taking turns on the same machine.

    python3 tools/dask/side_by_side.py [--rounds 3] [--workers 2] [lesson ...]

Each round runs every lesson's Dask version on a local cluster (one thread per worker
process, as `Client()` starts them), then the Rust solution's default variant and its
`fast` variant (`lanes` for Pi) on as many threads as there are workers. The table gives
medians over the rounds, and checks the answers that both sides compute the same way.

Needs a release build (`cargo build --release --workspace`), the big data files in the
workbook's folder (surveys-10M.csv, people-1M.jsonl: `workbook data`, see lessons/) and
`pip install "dask[complete]"`. It is a tool for instructors, not part of the tests.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import numpy as np
    from dask.distributed import Client, LocalCluster
except ImportError as missing:
    sys.exit(f"side_by_side: {missing.name} is missing: pip install \"dask[complete]\"")

WORKBOOK = Path(__file__).resolve().parents[2]
RELEASE = WORKBOOK / "target" / "release"
SURVEYS = WORKBOOK / "surveys-10M.csv"
PEOPLE = WORKBOOK / "people-1M.jsonl"


# The seed's midpoint rule, over the right range 0..n (the seed's 1..n is low by 4/n).
def pi_chunk(n, lower, upper):
    step = 1.0 / n
    return step * sum(
        4.0 / (1.0 + ((i + 0.5) * (i + 0.5) * step * step)) for i in range(lower, upper)
    )


def dask_pi(client):
    n, chunks = 10_000_000, 1000
    bounds = [(n * k // chunks, n * (k + 1) // chunks) for k in range(chunks)]
    futures = client.map(
        pi_chunk, [n] * chunks, [b[0] for b in bounds], [b[1] for b in bounds]
    )
    return {"pi": sum(client.gather(futures))}


# The seed's NumPy algorithm, run by each task on its block of the grid.
def mandelbrot_block(c, maxit=20, r=2):
    z = np.zeros_like(c)
    divtime = maxit + np.zeros(z.shape, dtype=np.int64)
    for i in range(maxit):
        z = z**2 + c
        diverge = abs(z) > r
        div_now = diverge & (divtime == maxit)
        divtime[div_now] = i
        z[diverge] = r
    return divtime


def dask_mandelbrot(client):
    import dask.array as da

    h = w = 2000
    x = da.linspace(-2.5, 1.5, 4 * h + 1, chunks=1000)
    y = da.linspace(-1.5, 1.5, 3 * w + 1, chunks=500)
    a, b = da.meshgrid(x, y)
    divtime = da.map_blocks(mandelbrot_block, a + b * 1j, dtype=np.int64)
    return {"checksum": int(divtime.sum().compute())}


def dask_arrays(client):
    import dask
    import dask.array as da

    x = da.random.random((10_000, 10_000), chunks=(1000, 1000))
    total, column_means = dask.compute(x.sum(), x.mean(axis=0))
    return {"mean": float(total) / x.size, "column_mean_min": float(column_means.min())}


def dask_dataframes(client):
    import dask
    import dask.dataframe as dd

    df = dd.read_csv(SURVEYS, blocksize="16MB")
    head, tail = df.head(), df.tail()
    rows, weight_max, _, _ = dask.compute(
        df.shape[0],
        df.weight.max(),
        # One partial per block, merged as a tree (no shuffle): a few hundred groups.
        df.groupby("species_id").weight.mean(split_out=1),
        df.groupby("year").size(split_out=1),
    )
    return {"rows": int(rows), "weight_max": int(weight_max), "head": len(head) + len(tail)}


def dask_bags(client):
    import dask
    import dask.bag as db

    people = db.read_text(PEOPLE, blocksize="16MB").map(json.loads)
    adults = people.filter(lambda p: p.get("age") is not None and p["age"] >= 18)
    amounts = adults.map(
        lambda p: [(p["name"], t["amount"]) for t in p.get("transactions") or []]
    ).flatten()
    by_name = amounts.foldby(
        lambda pair: pair[0],
        lambda acc, pair: (acc[0] + 1, acc[1] + pair[1]),
        (0, 0),
        lambda a, b: (a[0] + b[0], a[1] + b[1]),
        (0, 0),
    )
    records, first, _, without, n_adults, sums = dask.compute(
        people.count(),
        people.take(3, compute=False),
        people.pluck("name").frequencies(),
        people.filter(lambda p: "transactions" not in p).count(),
        adults.count(),
        by_name,
    )
    return {
        "records": records,
        "adults": n_adults,
        "without_transactions": without,
        "total_amount": sum(total for _, (_, total) in sums),
    }


LESSONS = {
    # lesson: (Dask version, flags of the Rust run, the fast variant, answers that must agree)
    "pi": (dask_pi, [], "lanes", []),
    "mandelbrot": (dask_mandelbrot, [], "fast", ["checksum"]),
    "arrays": (dask_arrays, [], "fast", []),
    "dataframes": (dask_dataframes, ["--input", str(SURVEYS), "--quiet"], "fast", ["rows", "weight_max"]),
    "bags": (
        dask_bags,
        ["--input", str(PEOPLE), "--quiet"],
        "fast",
        ["records", "adults", "without_transactions", "total_amount"],
    ),
}

# The variant each solution runs without --variant: the smallest parallel change.
DEFAULT = {"pi": "rayon", "mandelbrot": "rows", "arrays": "chunks", "dataframes": "blocks", "bags": "partitions"}


def rust_run(lesson, variant, threads, flags, scratch):
    """The solution's median of three timed runs, after one warm-up, and its answer."""
    command = [
        str(RELEASE / f"{lesson}-solution"),
        "--variant", variant,
        "--threads", str(threads),
        "--repeat", "3",
        "--warmup", "1",
        "--json",
        *flags,
    ]
    if lesson == "mandelbrot":
        command += ["--output", str(Path(scratch) / "mandelbrot.png")]
    if not Path(command[0]).is_file():
        sys.exit(f"side_by_side: {command[0]} is missing: cargo build --release --workspace")
    out = subprocess.run(command, capture_output=True, text=True, cwd=scratch)
    if out.returncode != 0:
        why = (out.stderr.strip().splitlines() or ["no message"])[-1]
        sys.exit(f"side_by_side: {lesson} {variant} failed: {why}")
    record = json.loads(out.stdout)
    return record["median"], record["answer"]


def seconds(values):
    low, high, mid = min(values), max(values), statistics.median(values)
    text = lambda s: f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"
    return f"{text(mid)} ({text(low)}–{text(high)})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help=f"any of {', '.join(LESSONS)} (all if none)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.lessons = args.lessons or list(LESSONS)
    for lesson in args.lessons:
        if lesson not in LESSONS:
            sys.exit(f"side_by_side: no Dask version of {lesson!r}: choose from {', '.join(LESSONS)}")
    for path in (SURVEYS, PEOPLE):
        if path.stem.split("-")[0] in " ".join(args.lessons) and not path.exists():
            sys.exit(f"side_by_side: {path} is missing: make it with `workbook data` (lessons/)")

    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True)
    client = Client(cluster)
    times = {lesson: {"dask": [], "solution": [], "fast": []} for lesson in args.lessons}
    with tempfile.TemporaryDirectory() as scratch:
        # Untimed, as the Rust runs have a warm-up: the workers import what the tasks use.
        for lesson in args.lessons:
            LESSONS[lesson][0](client)
        for round_number in range(1, args.rounds + 1):
            for lesson in args.lessons:
                dask_version, flags, fast, agree = LESSONS[lesson]
                start = time.perf_counter()
                dask_answer = dask_version(client)
                times[lesson]["dask"].append(time.perf_counter() - start)
                for side, variant in (("solution", DEFAULT[lesson]), ("fast", fast)):
                    median, answer = rust_run(lesson, variant, args.workers, flags, scratch)
                    times[lesson][side].append(median)
                    for key in agree:
                        if answer[key] != dask_answer[key]:
                            sys.exit(f"{lesson}: {key} differs: Rust {answer[key]}, Dask {dask_answer[key]}")
                print(f"round {round_number}: {lesson} done", file=sys.stderr)
    client.close()
    cluster.close()

    print(f"| lesson | solution, {args.workers} threads | fast (Pi: lanes) | Dask, {args.workers} workers | × Dask (solution) | × Dask (fast) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for lesson, t in times.items():
        dask = statistics.median(t["dask"])
        ratio = lambda side: f"{dask / statistics.median(t[side]):.0f}x"
        print(
            f"| {lesson} | {seconds(t['solution'])} | {seconds(t['fast'])} | {seconds(t['dask'])} "
            f"| {ratio('solution')} | {ratio('fast')} |"
        )


if __name__ == "__main__":
    main()
