"""Estimates with uncertainty: a point or a range read as a 90% interval, and sampling.

Pure helpers (no database). A range ``"0.1 to 0.3"`` is a 90% interval; it is sampled as a
lognormal when both ends are positive, as a normal otherwise (as Guesstimate and Squiggle do).
Samples come from one ``random.Random`` with a fixed seed, so a result is the same every time.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from litreview.errors import InvalidInput

SAMPLES = 5000
SEED = 20261202
# The 95th percentile of the standard normal: a 90% interval spans 2 * Z90 deviations.
Z90 = 1.6448536269514722
_RANGE = re.compile(
    # "0.1 to 0.3", and "0.17 (0.1 to 0.3)" as an export writes an estimate.
    r"^\s*(?:(?P<median>[-+]?[\d.]+(?:e[-+]?\d+)?)\s*\()?"
    r"\s*(?P<low>[-+]?[\d.]+(?:e[-+]?\d+)?)\s*(?:to|\.\.|–|—)\s*"
    r"(?P<high>[-+]?[\d.]+(?:e[-+]?\d+)?)\s*\)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Estimate:
    """A 90% interval ``low``..``high`` with its ``median``; a point has low == high."""

    low: float
    high: float
    median: float

    @property
    def is_point(self) -> bool:
        return self.low == self.high

    def to_json(self) -> float | dict[str, float]:
        """A point as its number; a range as ``{"median", "low", "high"}``."""
        if self.is_point:
            return self.median
        return {"median": self.median, "low": self.low, "high": self.high}

    def text(self) -> str:
        """``0.2`` or ``0.17 (0.1 to 0.3)``: the median and the 90% interval."""
        if self.is_point:
            return format_number(self.median)
        return (
            f"{format_number(self.median)} ({format_number(self.low)} to "
            f"{format_number(self.high)})"
        )


def format_number(value: float) -> str:
    """A number as people write it: whole numbers without ``.0``, 4 significant digits."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"


def point(value: float) -> Estimate:
    return Estimate(value, value, value)


def range_estimate(low: float, high: float) -> Estimate:
    """A 90% interval; its median is the geometric mean when both ends are positive."""
    if low > high:
        low, high = high, low
    median = math.sqrt(low * high) if low > 0 else (low + high) / 2
    return Estimate(low, high, median)


def parse_estimate(value: object, where: str = "value") -> Estimate:
    """A number, a ``{"low", "high"}`` object or text such as ``"0.1 to 0.3"``."""
    if isinstance(value, bool):
        raise InvalidInput(f"{where}: expected a number, got {value!r}", field=where)
    if isinstance(value, int | float):
        return _finite(point(float(value)), where)
    if isinstance(value, dict) and "low" in value and "high" in value:
        try:
            return _finite(range_estimate(float(value["low"]), float(value["high"])), where)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{where}: low and high must be numbers", field=where) from exc
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        match = _RANGE.match(text)
        try:
            if match:
                low, high = float(match["low"]), float(match["high"])
                estimate = range_estimate(low, high)
                if match["median"] and estimate.low <= float(match["median"]) <= estimate.high:
                    estimate = Estimate(estimate.low, estimate.high, float(match["median"]))
                return _finite(estimate, where)
            return _finite(
                point(float(text.rstrip("%")) / (100 if text.endswith("%") else 1)), where
            )
        except ValueError:
            pass
    raise InvalidInput(
        f"{where}: expected a number or a range such as '0.1 to 0.3', got {value!r}", field=where
    )


def _finite(estimate: Estimate, where: str) -> Estimate:
    if not all(math.isfinite(v) for v in (estimate.low, estimate.high)):
        raise InvalidInput(f"{where}: a number must be finite", field=where)
    return estimate


def samples(estimate: Estimate, rng: random.Random, n: int = SAMPLES) -> list[float]:
    """``n`` draws: lognormal for a positive range, normal otherwise."""
    low, high = estimate.low, estimate.high
    if low > 0:
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / (2 * Z90)
        return [rng.lognormvariate(mu, sigma) for _ in range(n)]
    mean, sd = (low + high) / 2, (high - low) / (2 * Z90)
    return [rng.gauss(mean, sd) for _ in range(n)]


def summarize(draws: list[float]) -> Estimate:
    """The median and the 5th and 95th percentiles of the draws."""
    ordered = sorted(d for d in draws if not math.isnan(d))
    if not ordered:
        raise InvalidInput("the formula has no finite value for these inputs")

    def at(q: float) -> float:
        index = q * (len(ordered) - 1)
        below = math.floor(index)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (ordered[above] - ordered[below]) * (index - below)

    return Estimate(at(0.05), at(0.95), at(0.5))
