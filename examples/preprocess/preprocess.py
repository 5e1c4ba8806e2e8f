"""The tutorial's preprocessing step: read a CSV of sensor measurements, check every row, add standardised columns,
sum up each sensor, and write the results with a summary.json. Standard library only: the image needs no pip.

    python preprocess.py [INPUT] [--out FOLDER] [--every N] [--delay SECONDS]

INPUT   the CSV (default $PREPROCESS_INPUT, else /persistent/data/measurements.csv); a folder means the
        measurements.csv in it
--out   where the results go (default $PREPROCESS_OUT, else /persistent/out)

Writes, in --out: measurements_clean.csv (the rows with temperature_z and humidity_z), by_sensor.csv (rows, mean,
min and max per sensor) and summary.json (the input, the row count, per-column statistics, the sensors, the files
written). Each file is written under a temporary name and renamed into place, so a pull while it runs never gets
half a file. Progress lines (`processed 100/320 rows`) go to stdout as they happen. Bad input (a missing file, a
header without the expected columns, a row with a value that is not a number) stops it with exit code 1 and one
line on stderr naming the file, the row and the column; nothing is written then.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_INPUT = "/persistent/data/measurements.csv"
DEFAULT_OUT = "/persistent/out"
COLUMNS = ("time", "sensor", "temperature", "humidity")
NUMERIC = ("temperature", "humidity")
OUTPUTS = ("measurements_clean.csv", "by_sensor.csv", "summary.json")


class BadInput(Exception):
    """The input cannot be used: one line saying what is wrong and where."""


@dataclass(frozen=True)
class Row:
    time: str
    sensor: str
    values: dict[str, float]


def say(text: str) -> None:
    print(text, flush=True)  # flushed: a log follower (or a pipe) sees each line as it happens


def resolve_input(given: str) -> Path:
    path = Path(given)
    if path.is_dir():
        path = path / "measurements.csv"
    if not path.exists():
        hint = " (copy data/ in first: u on the pod, into /persistent)" if given == DEFAULT_INPUT else ""
        raise BadInput(f"input not found: {path}{hint}")
    if not path.is_file():
        raise BadInput(f"input is not a file: {path}")
    return path


def read_rows(path: Path, every: int, delay: float) -> list[Row]:
    """Every row checked; progress every `every` rows (and at the end)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text (byte {exc.start}): is it a CSV file?") from exc
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        records = [(reader.line_num, record) for record in reader if any(cell.strip() for cell in record)]
    except csv.Error as exc:
        raise BadInput(f"{path} line {reader.line_num + 1}: not a CSV line ({exc})") from exc
    if header is None or not any(cell.strip() for cell in header):
        raise BadInput(f"{path} is empty: expected a header line with the columns {', '.join(COLUMNS)}")
    header = [cell.strip() for cell in header]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise BadInput(
            f"{path}: the header has no column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(expected {', '.join(COLUMNS)}; found {', '.join(header)})"
        )
    where = {column: header.index(column) for column in COLUMNS}
    total = len(records)
    if total == 0:
        raise BadInput(f"{path} has a header but no rows")
    rows: list[Row] = []
    for number, (line, record) in enumerate(records, 1):
        at = f"{path.name} row {number} (line {line})"
        if len(record) != len(header):
            raise BadInput(f"{at}: {len(record)} values, the header has {len(header)}")
        sensor = record[where["sensor"]].strip()
        if not sensor:
            raise BadInput(f"{at}: sensor is empty")
        values: dict[str, float] = {}
        for column in NUMERIC:
            text = record[where[column]].strip()
            try:
                value = float(text)
            except ValueError:
                raise BadInput(f"{at}: {column} is {text!r}, not a number") from None
            if not math.isfinite(value):
                raise BadInput(f"{at}: {column} is {text!r}, not a finite number")
            values[column] = value
        rows.append(Row(record[where["time"]].strip(), sensor, values))
        if number % every == 0 or number == total:
            say(f"processed {number}/{total} rows")
            if delay:
                time.sleep(delay)
    return rows


def column_stats(values: list[float]) -> dict[str, float]:
    return {
        "mean": round(statistics.fmean(values), 4),
        "std": round(statistics.pstdev(values), 4),
        "min": min(values),
        "max": max(values),
    }


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def csv_text(header: list[str], records: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    return buffer.getvalue()


def preprocess(source: Path, out: Path, every: int, delay: float) -> dict[str, object]:
    started = time.monotonic()
    say(f"reading {source}")
    rows = read_rows(source, every, delay)
    stats = {column: column_stats([row.values[column] for row in rows]) for column in NUMERIC}

    def z(row: Row, column: str) -> float:
        std = stats[column]["std"]
        return round((row.values[column] - stats[column]["mean"]) / std, 4) if std else 0.0

    sensors: dict[str, list[Row]] = {}
    for row in rows:
        sensors.setdefault(row.sensor, []).append(row)
    try:
        out.mkdir(parents=True, exist_ok=True)
        clean = csv_text(
            [*COLUMNS, "temperature_z", "humidity_z"],
            [
                [row.time, row.sensor, row.values["temperature"], row.values["humidity"], z(row, "temperature"),
                 z(row, "humidity")]
                for row in rows
            ],
        )  # fmt: skip
        write_atomically(out / OUTPUTS[0], clean)
        say(f"wrote {out / OUTPUTS[0]} ({len(rows)} rows)")
        by_sensor = csv_text(
            ["sensor", "rows", "temperature_mean", "temperature_min", "temperature_max", "humidity_mean"],
            [
                [
                    name,
                    len(group),
                    round(statistics.fmean(r.values["temperature"] for r in group), 4),
                    min(r.values["temperature"] for r in group),
                    max(r.values["temperature"] for r in group),
                    round(statistics.fmean(r.values["humidity"] for r in group), 4),
                ]
                for name, group in sorted(sensors.items())
            ],
        )
        write_atomically(out / OUTPUTS[1], by_sensor)
        say(f"wrote {out / OUTPUTS[1]} ({len(sensors)} sensors)")
        summary: dict[str, object] = {
            "input": str(source),
            "rows": len(rows),
            "columns": stats,
            "sensors": {name: len(group) for name, group in sorted(sensors.items())},
            "first_time": min(row.time for row in rows),
            "last_time": max(row.time for row in rows),
            "outputs": list(OUTPUTS),
        }
        write_atomically(out / OUTPUTS[2], json.dumps(summary, indent=2) + "\n")
    except OSError as exc:
        raise BadInput(f"cannot write the results to {out}: {exc.strerror or exc}") from exc
    say(f"wrote {out / OUTPUTS[2]}")
    say(f"done: {len(rows)} rows from {source.name} in {time.monotonic() - started:.1f} s; results in {out}")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="preprocess.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "input", nargs="?", default=os.environ.get("PREPROCESS_INPUT") or DEFAULT_INPUT, help="the CSV (or its folder)"
    )
    parser.add_argument("--out", default=os.environ.get("PREPROCESS_OUT") or DEFAULT_OUT, help="the results folder")
    parser.add_argument("--every", type=int, default=100, help="a progress line every N rows (default 100)")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to pause after each progress line")
    args = parser.parse_args(argv)
    if args.every < 1:
        parser.error("--every must be 1 or more")
    try:
        preprocess(resolve_input(args.input), Path(args.out), args.every, max(args.delay, 0.0))
    except BadInput as exc:
        print(f"preprocess: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("preprocess: interrupted; nothing more written", file=sys.stderr, flush=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
