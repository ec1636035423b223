"""Formulas (a restricted evaluator) and estimates (ranges sampled with a fixed seed)."""

from __future__ import annotations

import math
import random

import pytest

from litreview.errors import Conflict, InvalidInput
from litreview.estimates import SEED, parse_estimate, range_estimate, samples, summarize
from litreview.formulas import parse_formula, slug


def test_point_arithmetic_is_exact() -> None:
    formula = parse_formula("p_success * p_relevant * impact + 2^3 - max(1, 4) / 2")
    value = formula.evaluate({"p_success": 0.5, "p_relevant": 0.2, "impact": 10})
    assert value == pytest.approx(0.5 * 0.2 * 10 + 8 - 2)
    assert formula.names == {"p_success", "p_relevant", "impact"}


def test_functions_and_if() -> None:
    formula = parse_formula("if(a > 1, sqrt(a), log(exp(2))) + round(2.567, 1) + min(a, 3)")
    assert formula.evaluate({"a": 4}) == pytest.approx(2 + 2.6 + 3)
    assert formula.evaluate({"a": 0.5}) == pytest.approx(2 + 2.6 + 0.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a.__class__", "Attribute is not allowed"),
        ("__import__('os')", "unknown function"),
        ("[1, 2][0]", "is not allowed"),
        ("'text' + a", "only numbers"),
        ("lambda: 1", "Lambda is not allowed"),
        ("a if a else 1", "IfExp is not allowed"),
        ("open(a)", "unknown function"),
        ("sqrt(a, b)", "takes 1 to 1"),
        ("a +", "not a formula"),
        ("min(a, key=b)", "unknown function"),
    ],
)
def test_hostile_or_broken_formulas_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_formula(text)


def test_unknown_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(Conflict, match=r"unknown name 'impakt'.*impact"):
        parse_formula("p * impakt", known={"p", "impact"}, where="formula of 'BOTEC'")


def test_exponents_are_bounded() -> None:
    formula = parse_formula("a ^ 1000")
    with pytest.raises(ValueError, match="exponent"):
        formula.evaluate({"a": 10.0})
    with pytest.raises(InvalidInput, match="more than"):
        parse_formula("+".join(["a"] * 300))


def test_slug_names_columns_as_formulas_do() -> None:
    assert slug("P(success)") == "p_success"
    assert slug("Impact (QALYs)") == "impact_qalys"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("0.1 to 0.3", 0.1, 0.3), ("5..50", 5, 50), ("-2 to 3", -2, 3), ("1e3 to 1e4", 1e3, 1e4)],
)
def test_ranges_parse(text: str, low: float, high: float) -> None:
    estimate = parse_estimate(text)
    assert (estimate.low, estimate.high) == (low, high)
    assert not estimate.is_point


def test_points_and_bad_numbers() -> None:
    assert parse_estimate("0.25").is_point
    assert parse_estimate("25%").median == pytest.approx(0.25)
    assert parse_estimate({"low": 1, "high": 2}).median == pytest.approx(math.sqrt(2))
    for bad in ("lots", True, "nan", "1 to inf"):
        with pytest.raises(InvalidInput):
            parse_estimate(bad)


def test_product_of_lognormals_matches_theory() -> None:
    # Each range is a lognormal; a product of lognormals is lognormal with summed mu and sigma^2.
    ranges = [range_estimate(0.1, 0.3), range_estimate(0.2, 0.8), range_estimate(10, 1000)]
    rng = random.Random(SEED)
    draws = [samples(r, rng) for r in ranges]
    formula = parse_formula("a * b * c")
    out = formula.evaluate({"a": draws[0], "b": draws[1], "c": draws[2]})
    assert isinstance(out, list)
    result = summarize(out)
    z = 1.6448536269514722
    mus = [(math.log(r.low) + math.log(r.high)) / 2 for r in ranges]
    sigmas = [(math.log(r.high) - math.log(r.low)) / (2 * z) for r in ranges]
    mu, sigma = sum(mus), math.sqrt(sum(s * s for s in sigmas))
    assert result.median == pytest.approx(math.exp(mu), rel=0.05)
    assert result.low == pytest.approx(math.exp(mu - z * sigma), rel=0.08)
    assert result.high == pytest.approx(math.exp(mu + z * sigma), rel=0.08)


def test_a_normal_range_keeps_its_interval() -> None:
    rng = random.Random(SEED)
    result = summarize(samples(range_estimate(-1, 1), rng))
    assert result.median == pytest.approx(0, abs=0.05)
    assert result.low == pytest.approx(-1, abs=0.08)
    assert result.high == pytest.approx(1, abs=0.08)
