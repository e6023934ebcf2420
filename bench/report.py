"""Figures, the one printed table, and the JSON record."""

import json
import os
import statistics
import sys
import textwrap
from dataclasses import asdict, dataclass, field
from pathlib import Path

MB = 1_000_000  # the table's MB is 10^6 bytes


class BenchError(Exception):
    """A step of the benchmark failed; the message says which."""


@dataclass
class Figure:
    label: str
    unit: str  # "s", "ms", "MB", "req/s" or "" (a ratio)
    runs: list[float]
    target: tuple[str, float] | None = None  # ("<=", 1.0) or (">=", 0.19)
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def result(self) -> str:
        if self.target is None:
            return ""
        op, limit = self.target
        ok = self.median <= limit if op == "<=" else self.median >= limit
        return "pass" if ok else "MISS"

    def as_json(self) -> dict:
        record = asdict(self)
        record.update(
            label=self.label.strip(),
            median=self.median,
            min=min(self.runs),
            max=max(self.runs),
            result=self.result or None,
        )
        record["target"] = {"op": self.target[0], "value": self.target[1]} if self.target else None
        return record


def fmt(value: float, unit: str, like: float | None = None) -> str:
    """`value` with the precision that suits `like` (default: itself), so a row reads uniformly."""
    like = value if like is None else like
    if unit == "req/s":
        return f"{value:,.0f}"
    if unit == "":
        return f"{value:.2f}"
    if unit == "MB" or like >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}" if unit == "s" else f"{value:.2f}"


def row(fig: Figure) -> list[str]:
    unit = f" {fig.unit}" if fig.unit else ""
    low, high = (fmt(x, fig.unit, fig.median) for x in (min(fig.runs), max(fig.runs)))
    spread = "" if len(fig.runs) == 1 else f"{low}–{high}"
    target = ""
    if fig.target:
        target = f"{'≤' if fig.target[0] == '<=' else '≥'} {fig.target[1]:g}{unit}"
    return [fig.label, fmt(fig.median, fig.unit) + unit, spread, str(len(fig.runs)), target, fig.result]


def table(figures: list[Figure], notes: list[str], header: list[str]) -> str:
    rows = [["figure", "median", "min–max", "n", "target", "result"], *map(row, figures)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    align = ["<", ">", ">", ">", "<", "<"]

    def line(cells: list[str]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True)).rstrip()

    rule = "-" * len(line(rows[0]))
    body = [line(rows[0]), rule, *(line(r) for r in rows[1:]), rule]
    wrapped = [textwrap.fill(n, len(rule), initial_indent="  ", subsequent_indent="     ") for n in notes]
    return "\n".join([*header, *body, *wrapped])


def write_json(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")


def publish(
    name: str, started, commit: str, figures: list[Figure], notes: list[str], header: list[str], **extra
):
    """Print the table and write the run's record, bench/results/<name>-<UTC time>.json."""
    record = {
        "started": started.isoformat(timespec="seconds"),
        "argv": sys.argv[1:],
        "commit": commit,
        **extra,
        "load_average_at_end": os.getloadavg(),
        "figures": [f.as_json() for f in figures],
        "notes": notes,
    }
    path = Path(__file__).resolve().parent / "results" / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    write_json(path, record)
    print(table(figures, notes, header) if figures else "\n".join(header + notes))
    print(f"written: bench/results/{path.name}")
