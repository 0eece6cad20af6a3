"""Measurement results and the small statistics the report needs."""

import statistics
from dataclasses import asdict, dataclass, field


@dataclass
class Point:
    """One measured run of one scenario (or one request label of a flow) at one concurrency."""

    scenario: str
    label: str
    connections: int
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_detail: dict = field(default_factory=dict)
    queries_median: float | None = None
    server_ms_median: float | None = None
    tool: str = "wrk"

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def histogram_median(histogram: dict[float, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen * 2 >= total:
            return value
    return None


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def spread(values: list[float]) -> float:
    """Half the range relative to the median, in percent (0 for fewer than two values)."""
    if len(values) < 2 or not median(values):
        return 0.0
    return (max(values) - min(values)) / 2 / median(values) * 100


@dataclass
class Summary:
    """The repetitions of one scenario at one concurrency, reduced to medians and spreads."""

    scenario: str
    label: str
    connections: int
    reps: list[Point]

    def _values(self, name: str) -> list[float]:
        return [getattr(p, name) for p in self.reps]

    @property
    def rps(self) -> float:
        return median(self._values("rps"))

    @property
    def rps_spread(self) -> float:
        return spread(self._values("rps"))

    def latency(self, name: str) -> float:
        return median(self._values(name))

    def latency_spread(self, name: str) -> float:
        return spread(self._values(name))

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.reps)

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.reps)

    @property
    def queries(self) -> float | None:
        values = [p.queries_median for p in self.reps if p.queries_median is not None]
        return median(values) if values else None

    @property
    def server_ms(self) -> float | None:
        values = [p.server_ms_median for p in self.reps if p.server_ms_median is not None]
        return median(values) if values else None
