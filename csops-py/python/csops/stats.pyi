from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

__all__ = [
    "Z95",
    "brier",
    "chi2_sf",
    "deciles",
    "fisher_exact",
    "isotonic",
    "kaplan_meier",
    "lift",
    "logistic",
    "logrank",
    "normal_sf",
    "roc_auc",
    "roc_curve",
    "two_proportion_z",
    "wilson",
    "youden",
]

# A column: a list or tuple of numbers, a numpy array, a pandas or polars Series.
_Column = Sequence[float] | Any
# Outcomes: booleans, or the numbers 1 and 0.
_Outcomes = Sequence[bool] | Sequence[int] | Any

Z95: float

class _Interval(TypedDict):
    lo: float
    hi: float

class _Test(TypedDict):
    statistic: float
    p_value: float

class _Auc(TypedDict):
    auc: float
    se_delong: float
    se_hanley_mcneil: float
    ci95: _Interval
    positives: int
    negatives: int

class _RocPoint(TypedDict):
    threshold: float
    fpr: float
    tpr: float

class _CalibrationRow(TypedDict):
    decile: int
    n: int
    positives: int
    mean_risk: float
    observed: float

class _Lift(TypedDict):
    fraction: float
    k: int
    captured: int
    capture: float
    lift: float

class _SurvivalPoint(TypedDict):
    time: float
    at_risk: int
    observed: int
    censored: int
    survival: float

class _LogisticFit(TypedDict):
    intercept: float
    coef: list[float]
    iterations: int

def wilson(k: int, n: int, *, z: float = ...) -> _Interval | None: ...
def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> _Test | None: ...
def fisher_exact(a: int, b: int, c: int, d: int) -> _Test: ...
def normal_sf(x: float) -> float: ...
def chi2_sf(x: float, df: float) -> float: ...
def roc_auc(risk: _Column, positive: _Outcomes) -> _Auc: ...
def roc_curve(risk: _Column, positive: _Outcomes) -> list[_RocPoint]: ...
def youden(risk: _Column, positive: _Outcomes) -> tuple[float, float]: ...
def brier(probability: _Column, positive: _Outcomes) -> float: ...
def deciles(risk: _Column, positive: _Outcomes) -> list[_CalibrationRow]: ...
def lift(risk: _Column, positive: _Outcomes, fraction: float) -> _Lift: ...
def kaplan_meier(durations: _Column, events: _Outcomes) -> list[_SurvivalPoint]: ...
def logrank(durations: _Column, events: _Outcomes, groups: Iterable[str]) -> tuple[_Test, int]: ...
def logistic(columns: Sequence[_Column], y: _Outcomes, *, c: float | None = None) -> _LogisticFit: ...
def isotonic(x: _Column, y: _Column, *, increasing: bool = True) -> list[float]: ...
