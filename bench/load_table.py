"""bench/load.py's figures: one row per measurement, one group of columns per checkout."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.wrk import WrkStats

BARE = "bare FastAPI POST (hello, no database)"


@dataclass
class Figure:
    stats: WrkStats
    cpu: float  # the server's CPU time over the run, in cores
    note: str = ""
    paced: bool = False  # below saturation: its throughput isn't a cost


@dataclass
class Table:
    columns: list[str]
    rows: dict[tuple[str, str], dict[str, Figure]] = field(default_factory=dict)

    def add(self, section: str, label: str, column: str, figure: Figure) -> None:
        self.rows.setdefault((section, label), {})[column] = figure

    def bare(self, column: str) -> Figure | None:
        return next(
            (cols.get(column) for (_, label), cols in self.rows.items() if label == BARE), None
        )

    def render(self) -> str:
        width = max(len(label) for _, label in self.rows) + 2
        cell = f"{'ok/s':>7} {'x bare':>6} {'p50':>7} {'p99':>7} {'cpu':>5} {'not2xx':>6}"
        head = " " * width + " | ".join(f"{c:^{len(cell)}}" for c in self.columns)
        sub = f"{'':{width}}" + " | ".join(cell for _ in self.columns)
        two = len(self.columns) == 2
        if two:
            head += f" | {'last/first':^17}"
            sub += f" | {'ok/s':>8} {'p99':>8}"
        lines = [head, sub]
        section = None
        # Grouped by section (in order of first use), each kind of database in turn.
        sections = list(dict.fromkeys(sec for sec, _ in self.rows))
        ordered = sorted(self.rows.items(), key=lambda row: sections.index(row[0][0]))
        for (sec, label), cols in ordered:
            if sec != section:
                lines += ["", sec]
                section = sec
            cells = [self._cell(cols.get(c), self.bare(c)) for c in self.columns]
            line = f"  {label:{width - 2}}" + " | ".join(cells)
            figures = [cols.get(c) for c in self.columns]
            if two:
                a, b = figures
                if a and b and a.stats.ok and b.stats.ok:
                    line += f" | {b.stats.ok_per_s / a.stats.ok_per_s:7.2f}x"
                    line += f" {b.stats.p99 / a.stats.p99:7.2f}x"
                else:
                    line += f" | {'-':>8} {'-':>8}"
            notes = []
            for c, f in zip(self.columns, figures, strict=True):
                said = ", ".join(filter(None, [f.note, _errors(f.stats)])) if f else ""
                if said:
                    notes.append(f"{c}: {said}" if len(self.columns) > 1 else said)
            if notes:
                line += "   " + "; ".join(notes)
            lines.append(line)
        return "\n".join(lines)

    @staticmethod
    def _cell(f: Figure | None, bare: Figure | None) -> str:
        if f is None:
            return f"{'-':>7} {'':6} {'':7} {'':7} {'':5} {'':6}"
        s = f.stats
        ratio = ""
        if bare is not None and not f.paced and s.ok and f is not bare:
            ratio = f"{bare.stats.ok_per_s / s.ok_per_s:5.1f}x"
        bad = s.requests - s.ok + sum(s.socket_errors.values())
        return f"{s.ok_per_s:7.0f} {ratio:>6} {s.p50:7.1f} {s.p99:7.1f} {f.cpu:5.2f} {bad:6d}"


def _errors(stats: WrkStats) -> str:
    bad = stats.not_ok
    return "not 2xx " + ", ".join(f"{k}: {v}" for k, v in bad.items()) if bad else ""
