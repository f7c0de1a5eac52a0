"""Type stubs for the native extension module ``csops._csops``."""

import datetime
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal, TypedDict, final, overload

from typing_extensions import NotRequired

__all__ = [
    "__version__",
    "CsopsError",
    "ValidationError",
    "ConfigError",
    "FormatError",
    "NotFoundError",
    "ArgumentError",
    "MoneyError",
    "CsopsIOError",
    "Problem",
    "ValidationReport",
    "Book",
    "load_book",
    "load_book_json",
    "generate_book",
    "load_book_csv",
    "load_book_tables",
    "FeatureFrame",
    "Scorecard",
    "Explanation",
    "ModelSet",
    "trend",
    "backtest",
    "Backtest",
    "Recalibration",
    "ArrBridge",
    "forecast",
    "RenewalForecast",
    "Reconciliation",
    "Condition",
    "TierRules",
    "Segmentation",
    "WhatIf",
    "segment_table",
    "default_coverage_model",
    "Playbook",
    "FireHistory",
    "run_plays",
    "PlayRun",
    "replay_plays",
    "PlayReplay",
    "play_effects",
    "render_fired",
    "week_report",
    "Report",
    "_backtest_observe",
    "_backtest_from_observations",
    "_polars_categories",
]

# --- Shapes generated from csops-core's serde types (`UPDATE_TYPES=1 cargo test -p csops-core --features typescript --test typescript`); do not edit by hand. ---
_AccountData = TypedDict("_AccountData", {"id": str, "name": str, "owner_csm": str | None, "segment": str | None, "tier": str | None, "region": str | None, "industry": str | None, "plan": str | None, "arr": _MoneyData, "seats": float | None, "start_date": str, "renewal_date": str | None, "term_months": float | None, "attributes": dict[str, str]})
_AccountMoveData = TypedDict("_AccountMoveData", {"account_id": str, "tier": str, "from": str | None, "to": str | None, "reason": str})
_AccountMovementData = TypedDict("_AccountMovementData", {"account_id": str, "start": str, "end": str, "movement": _MovementData})
_AccountScoreData = TypedDict("_AccountScoreData", {"score": float | None, "band": str | None, "coverage": float, "measures": list[_MeasureResultData], "groups": dict[str, float]})
_AccountTierData = TypedDict("_AccountTierData", {"account_id": str, "tier": str})
_ArrBridgeData = TypedDict("_ArrBridgeData", {"from": str, "to": str, "currency": _CurrencyData, "start": str, "new": str, "expansion": str, "contraction": str, "churn": str, "reactivation": str, "end": str, "logos_start": float, "logos_new": float, "logos_churned": float, "logos_reactivated": float, "logos_end": float, "accounts": list[_AccountMovementData], "rates_used": _RatesUsedData})
_AssigneeJson1Data = TypedDict("_AssigneeJson1Data", {"to": Literal["owner"]})
_AssigneeJson2Data = TypedDict("_AssigneeJson2Data", {"to": Literal["role"], "role": str})
_AssigneeJson3Data = TypedDict("_AssigneeJson3Data", {"to": Literal["queue"], "queue": str})
_AssigneeJsonData = _AssigneeJson1Data | _AssigneeJson2Data | _AssigneeJson3Data
_AssignmentData = TypedDict("_AssignmentData", {"owners": list[str | None], "moves": list[_AccountMoveData], "unplaced": float})
_BacktestReportData = TypedDict("_BacktestReportData", {"scorecard": str, "window_start": str, "window_end": str, "lead_days": float, "contraction_is_churn": bool, "probability": _ProbabilityMapData | None, "probability_in_sample": bool, "overall": _BacktestSliceData, "quarters": list[_BacktestSliceData], "measures": list[_MeasurePowerData], "survival": list[_BandSurvivalData], "logrank": tuple[_HypothesisTestData, float] | None, "rates_used": NotRequired[_RatesUsedData | None]})
_BacktestSliceData = TypedDict("_BacktestSliceData", {"label": str, "renewals": float, "churned": float, "unscored": float, "bands": list[_BandRowData], "comparison": _BandComparisonData | None, "auc": _RocAucData | None, "brier": float | None, "calibration": list[_CalibrationRowData], "lift": list[_LiftData], "measures": list[_MeasurePowerData]})
_BandData = TypedDict("_BandData", {"name": str, "min": float})
_BandChoiceData = TypedDict("_BandChoiceData", {"method": str, "bands": list[_BandData], "outcomes": list[_BandOutcomeData]})
_BandComparisonData = TypedDict("_BandComparisonData", {"low": str, "high": str, "z_test": _HypothesisTestData | None, "fisher": _HypothesisTestData, "test_used": str, "separates": bool, "verdict": str})
_BandOutcomeData = TypedDict("_BandOutcomeData", {"band": str, "min": float, "train_renewals": float, "train_churn_rate": float | None, "test_renewals": float, "test_churn_rate": float | None})
_BandRowData = TypedDict("_BandRowData", {"band": str, "renewals": float, "renewed": float, "rate": float | None, "ci95": _IntervalData | None, "arr_up": _MoneyData, "arr_renewed": _MoneyData, "arr_rate": float | None})
_BandSurvivalData = TypedDict("_BandSurvivalData", {"band": str, "curve": list[_SurvivalPointData]})
_BookCountsData = TypedDict("_BookCountsData", {"accounts": float, "contacts": float, "contact_roles": float, "usage_events": float, "usage_snapshots": float, "tickets": float, "surveys": float, "meetings": float, "milestones": float, "opportunities": float, "arr_snapshots": float, "renewal_outcomes": float})
_CalibrationRowData = TypedDict("_CalibrationRowData", {"decile": float, "n": float, "positives": float, "mean_risk": float, "observed": float})
_Capacity1Data = TypedDict("_Capacity1Data", {"accounts_per_csm": float})
_Capacity2Data = TypedDict("_Capacity2Data", {"arr_per_csm": float})
_CapacityData = _Capacity1Data | _Capacity2Data | Literal["pooled"]
_ColumnSummaryData = TypedDict("_ColumnSummaryData", {"name": str, "present": float, "missing": float, "mean": float | None, "min": float | None, "median": float | None, "max": float | None})
_ConditionJson1Data = TypedDict("_ConditionJson1Data", {"and": list[str | _ConditionJsonData]})
_ConditionJson2Data = TypedDict("_ConditionJson2Data", {"or": list[str | _ConditionJsonData]})
_ConditionJson3Data = TypedDict("_ConditionJson3Data", {"not": str | _ConditionJsonData})
_ConditionJson4Data = TypedDict("_ConditionJson4Data", {"field": str, "op": Literal["=="] | Literal["="] | Literal["!="] | Literal["<>"] | Literal["<"] | Literal["<="] | Literal[">"] | Literal[">="], "value": float | str | bool})
_ConditionJson5Data = TypedDict("_ConditionJson5Data", {"field": str, "in": list[float | str | bool]})
_ConditionJson6Data = TypedDict("_ConditionJson6Data", {"field": str, "not_in": list[float | str | bool]})
_ConditionJson7Data = TypedDict("_ConditionJson7Data", {"field": str, "between": tuple[float, float] | tuple[str, str]})
_ConditionJson8Data = TypedDict("_ConditionJson8Data", {"field": str, "is_null": bool})
_ConditionJson9Data = TypedDict("_ConditionJson9Data", {"field": str, "is_not_null": bool})
_ConditionJson10Data = TypedDict("_ConditionJson10Data", {"field": str})
_ConditionJsonData = _ConditionJson1Data | _ConditionJson2Data | _ConditionJson3Data | _ConditionJson4Data | _ConditionJson5Data | _ConditionJson6Data | _ConditionJson7Data | _ConditionJson8Data | _ConditionJson9Data | _ConditionJson10Data
_ContactData = TypedDict("_ContactData", {"id": str, "account_id": str, "name": str, "email": str | None, "title": str | None})
_CoverageData = TypedDict("_CoverageData", {"tiers": list[_TierCoverageData], "csms": list[_CsmLoadData], "unknown_owners": list[_UnknownOwnerData], "unowned": float})
_CoverageModelJsonData = TypedDict("_CoverageModelJsonData", {"tiers": dict[str, _CapacityData]})
_CsmData = TypedDict("_CsmData", {"name": str, "tier": str, "fte": NotRequired[float]})
_CsmLoadData = TypedDict("_CsmLoadData", {"csm": str, "tier": str, "accounts": float, "arr": float, "red_accounts": float, "off_tier": float, "utilisation": float, "status": str})
_CurrencyData = str
_DirectionData = Literal["up"] | Literal["flat"] | Literal["down"]
_FeatureColumnJsonData = TypedDict("_FeatureColumnJsonData", {"name": str, "values": list[float | None]})
_FeatureConfigData = TypedDict("_FeatureConfigData", {"usage_window_days": NotRequired[float], "dau_mau_window_days": NotRequired[float], "key_features": NotRequired[list[str]], "login_feature": NotRequired[str], "ticket_window_days": NotRequired[float], "csat_window_days": NotRequired[float], "nps_window_days": NotRequired[float], "snapshot_metrics": NotRequired[list[str]], "snapshot_max_age_days": NotRequired[float], "max_age_days": NotRequired[dict[str, float]], "include_churned": NotRequired[bool]})
_FeatureFrameJsonData = TypedDict("_FeatureFrameJsonData", {"as_of": str, "account_ids": list[str], "columns": list[_FeatureColumnJsonData], "missing_notes": NotRequired[list[_MissingNoteData]]})
_FileCountsData = TypedDict("_FileCountsData", {"read": float, "loaded": float, "rejected": float})
_FireHistoryData = TypedDict("_FireHistoryData", {"last_run": str | None, "last_fired": dict[str, dict[str, str]], "open_tasks": list[tuple[str, str]], "holding": dict[str, list[list[str]]]})
_FiredData = TypedDict("_FiredData", {"date": str, "play": str, "account_id": str, "csm": str | None, "mode": _PlayModeData, "reason": str, "actions": list[_FiredActionData]})
_FiredAction1Data = TypedDict("_FiredAction1Data", {"action": Literal["task"], "assignee": str, "title": str, "body": str, "due": str, "priority": str})
_FiredAction2Data = TypedDict("_FiredAction2Data", {"action": Literal["tag"], "tag": str})
_FiredAction3Data = TypedDict("_FiredAction3Data", {"action": Literal["route"], "to": str})
_FiredActionData = _FiredAction1Data | _FiredAction2Data | _FiredAction3Data
_ForecastCategoryData = Literal["pipeline"] | Literal["best_case"] | Literal["commit"] | Literal["closed"] | Literal["omitted"]
_ForecastSubtotalData = TypedDict("_ForecastSubtotalData", {"key": str, "renewals": float, "arr": str, "expected_renewal": str, "expected_expansion": str})
_HealthData = TypedDict("_HealthData", {"score": float | None, "band": str | None})
_HeldOutData = TypedDict("_HeldOutData", {"scored": float, "auc": _RocAucData | None, "brier": float | None})
_HypothesisTestData = TypedDict("_HypothesisTestData", {"statistic": float, "p_value": float})
_IntervalData = TypedDict("_IntervalData", {"lo": float, "hi": float})
_IsotonicMapData = TypedDict("_IsotonicMapData", {"x": list[float], "y": list[float]})
_IssueKindData = Literal["missing_opportunity"] | Literal["no_renewal_due"] | Literal["amount_mismatch"] | Literal["close_date_outside_renewal_month"] | Literal["commit_on_at_risk_account"]
_LiftData = TypedDict("_LiftData", {"fraction": float, "k": float, "captured": float, "capture": float, "lift": float})
_LogisticFitData = TypedDict("_LogisticFitData", {"intercept": float, "coef": list[float], "iterations": float})
_MeasurePowerData = TypedDict("_MeasurePowerData", {"measure": str, "group": str, "weight_share": float, "observed": float, "auc": float | None, "direction": str, "power_share": float, "flag": str | None})
_MeasureResultData = TypedDict("_MeasureResultData", {"name": str, "group": str, "value": float | None, "measure_score": float | None, "weight": float, "contribution": float, "points_lost": float, "missing_why": _MissingWhyData | None})
_MeasureWeightData = TypedDict("_MeasureWeightData", {"measure": str, "group": str, "coefficient": float, "share_before": float, "share_after": float})
_MissingNoteData = TypedDict("_MissingNoteData", {"account_id": str, "feature": str, "why": _MissingWhyData})
_MissingRule1Data = TypedDict("_MissingRule1Data", {"rule": Literal["redistribute"]})
_MissingRule2Data = TypedDict("_MissingRule2Data", {"rule": Literal["fixed"], "score": float})
_MissingRule3Data = TypedDict("_MissingRule3Data", {"rule": Literal["worst"]})
_MissingRuleData = _MissingRule1Data | _MissingRule2Data | _MissingRule3Data
_MissingWhy1Data = TypedDict("_MissingWhy1Data", {"kind": Literal["stale"], "last_value_on": str, "stale_since": str})
_MissingWhy2Data = TypedDict("_MissingWhy2Data", {"kind": Literal["no_value_for_period"], "period_end": str})
_MissingWhyData = _MissingWhy1Data | _MissingWhy2Data
_ModelSetJsonData = TypedDict("_ModelSetJsonData", {"default": _ScorecardJsonData, "by_segment": NotRequired[dict[str, _ScorecardJsonData]]})
_MoneyData = TypedDict("_MoneyData", {"amount": str, "currency": _CurrencyData})
_MovementData = Literal["none"] | Literal["flat"] | Literal["new"] | Literal["expansion"] | Literal["contraction"] | Literal["churn"] | Literal["reactivation"]
_Normaliser1Data = TypedDict("_Normaliser1Data", {"kind": Literal["linear"], "worst": float, "best": float})
_Normaliser2Data = TypedDict("_Normaliser2Data", {"kind": Literal["steps"], "thresholds": list[float], "points": list[float]})
_Normaliser3Data = TypedDict("_Normaliser3Data", {"kind": Literal["percentile"], "higher_is_better": bool, "per_segment": NotRequired[bool]})
_Normaliser4Data = TypedDict("_Normaliser4Data", {"kind": Literal["logistic"], "midpoint": float, "steepness": float})
_Normaliser5Data = TypedDict("_Normaliser5Data", {"kind": Literal["boolean"], "yes": NotRequired[float], "no": NotRequired[float]})
_Normaliser6Data = TypedDict("_Normaliser6Data", {"kind": Literal["piecewise"], "points": list[tuple[float, float]]})
_NormaliserData = _Normaliser1Data | _Normaliser2Data | _Normaliser3Data | _Normaliser4Data | _Normaliser5Data | _Normaliser6Data
_NoteData = TypedDict("_NoteData", {"file": str, "row": float | None, "field": str | None, "note": str})
_OverrideAppliedData = TypedDict("_OverrideAppliedData", {"account_id": str, "score": float | None, "band": str | None, "reason": str, "author": str, "expires": str})
_PlayActionJson1Data = TypedDict("_PlayActionJson1Data", {"action": Literal["task"], "assign": _AssigneeJsonData, "title": str, "body": NotRequired[str], "due_in_days": float, "priority": NotRequired[Literal["low"] | Literal["normal"] | Literal["high"] | Literal["urgent"]]})
_PlayActionJson2Data = TypedDict("_PlayActionJson2Data", {"action": Literal["tag"], "tag": str})
_PlayActionJson3Data = TypedDict("_PlayActionJson3Data", {"action": Literal["route"], "to": str})
_PlayActionJsonData = _PlayActionJson1Data | _PlayActionJson2Data | _PlayActionJson3Data
_PlayEffectData = TypedDict("_PlayEffectData", {"play": str, "fired_renewals": float, "fired_renewed": float, "fired_rate": float | None, "fired_ci95": _IntervalData | None, "other_renewals": float, "other_renewed": float, "other_rate": float | None, "other_ci95": _IntervalData | None, "fisher": _HypothesisTestData | None, "verdict": str})
_PlayEventData = Literal["sponsor_removed"] | Literal["champion_removed"] | Literal["ticket_escalated"] | Literal["nps_detractor"]
_PlayJsonData = TypedDict("_PlayJsonData", {"name": str, "description": NotRequired[str], "owner": str, "trigger": _TriggerJsonData, "filter": NotRequired[Any], "actions": list[_PlayActionJsonData], "mode": NotRequired[_PlayModeData], "cooldown_days": NotRequired[float]})
_PlayModeData = Literal["live"] | Literal["log_only"]
_PlayReplayData = TypedDict("_PlayReplayData", {"from": str, "to": str, "fired": list[_FiredData], "per_play": dict[str, float], "per_csm": dict[str, float], "history": _FireHistoryData})
_PlayRunData = TypedDict("_PlayRunData", {"date": str, "fired": list[_FiredData], "history": _FireHistoryData})
_PlaybookJsonData = TypedDict("_PlaybookJsonData", {"schema_version": NotRequired[float], "plays": list[_PlayJsonData]})
_ProbabilityMap1Data = TypedDict("_ProbabilityMap1Data", {"method": Literal["platt"], "intercept": float, "slope": float})
_ProbabilityMapData = Any
_ProblemData = TypedDict("_ProblemData", {"file": str, "row": float | None, "record_id": str | None, "field": str | None, "kind": _ProblemKindData, "reason": str})
_ProblemKindData = Literal["missing"] | Literal["malformed"] | Literal["unknown_value"] | Literal["negative"] | Literal["out_of_range"] | Literal["dates_out_of_order"] | Literal["inconsistent"] | Literal["duplicate"] | Literal["unknown_reference"]
_RateUsedData = TypedDict("_RateUsedData", {"currency": _CurrencyData, "rate": str, "from": str | None})
_RatesUsedData = TypedDict("_RatesUsedData", {"reporting": _CurrencyData, "rates": list[_RateUsedData]})
_RawFieldsData = dict[str, str]
_RecalibrationReportData = TypedDict("_RecalibrationReportData", {"scorecard": _ScorecardJsonData, "fit": _LogisticFitData, "c": float, "weights": list[_MeasureWeightData], "dropped": list[str], "train": _RecalibrationSplitData, "test": _RecalibrationSplitData, "before": _HeldOutData, "after": _HeldOutData, "probability": _ProbabilityMapData, "bands": list[_BandChoiceData]})
_RecalibrationSplitData = TypedDict("_RecalibrationSplitData", {"quarters": list[str], "renewals": float, "churned": float})
_ReconciliationData = TypedDict("_ReconciliationData", {"forecast_arr": str, "crm_arr": str, "gap": float | None, "tolerance": float, "passes": bool, "forecast_expected": str, "crm_weighted": str, "issues": list[_ReconciliationIssueData], "rates_used": NotRequired[_RatesUsedData | None]})
_ReconciliationIssueData = TypedDict("_ReconciliationIssueData", {"kind": _IssueKindData, "account_id": str, "opportunity_id": str | None, "detail": str})
_RejectedRowData = TypedDict("_RejectedRowData", {"file": str, "row": float, "record_id": str | None, "fields": _RawFieldsData})
_RenewalDistributionData = TypedDict("_RenewalDistributionData", {"method": str, "resolution": float, "mean": float, "p10": float, "p50": float, "p90": float, "percentiles": list[float]})
_RenewalForecastData = TypedDict("_RenewalForecastData", {"as_of": str, "from": str, "to": str, "currency": _CurrencyData, "lines": list[_RenewalLineData], "arr": str, "expected_renewal": str, "expected_expansion": str, "other_expansion": str, "commit": str, "best_case": str, "pipeline": str, "by_segment": list[_ForecastSubtotalData], "by_csm": list[_ForecastSubtotalData], "by_month": list[_ForecastSubtotalData], "distribution": _RenewalDistributionData | None, "bands": list[str], "rates_used": NotRequired[_RatesUsedData | None]})
_RenewalLineData = TypedDict("_RenewalLineData", {"account_id": str, "name": str, "segment": str | None, "csm": str | None, "renewal_date": str, "month": str, "arr": str, "score": float | None, "band": str | None, "p_renew": float, "expected_renewal": str, "expected_expansion": str, "category": _ForecastCategoryData})
_ReportData = TypedDict("_ReportData", {"title": str, "subtitle": str, "sections": list[_ReportSectionData]})
_ReportChartData = TypedDict("_ReportChartData", {"title": str, "alt": str, "svg": str})
_ReportSectionData = TypedDict("_ReportSectionData", {"id": str, "title": str, "answer": str, "charts": list[_ReportChartData], "tables": list[_ReportTableData], "notes": list[str]})
_ReportTableData = TypedDict("_ReportTableData", {"caption": str, "headers": list[str], "numeric": list[bool], "rows": list[list[str]]})
_ReportedScoreData = TypedDict("_ReportedScoreData", {"account_id": str, "computed_score": float | None, "computed_band": str | None, "score": float | None, "band": str | None, "override_applied": _OverrideAppliedData | None})
_RetentionData = TypedDict("_RetentionData", {"label": str, "from": str, "to": str, "currency": _CurrencyData, "logos": float, "logos_retained": float, "start_arr": str, "retained_arr": str, "end_arr": str, "grr": float | None, "nrr": float | None, "logo_retention": float | None})
_RocAucData = TypedDict("_RocAucData", {"auc": float, "se_delong": float, "se_hanley_mcneil": float, "ci95": _IntervalData, "positives": float, "negatives": float})
_RocPointData = TypedDict("_RocPointData", {"threshold": float, "fpr": float, "tpr": float})
_ScorecardGroupData = TypedDict("_ScorecardGroupData", {"name": str, "weight": float, "measures": list[_ScorecardMeasureData]})
_ScorecardJsonData = TypedDict("_ScorecardJsonData", {"schema_version": float, "name": str, "description": NotRequired[str], "groups": list[_ScorecardGroupData], "bands": NotRequired[list[_BandData]], "min_coverage": NotRequired[float]})
_ScorecardMeasureData = TypedDict("_ScorecardMeasureData", {"name": str, "feature": str, "weight": float, "normaliser": _NormaliserData, "missing": NotRequired[_MissingRuleData]})
_SegmentationData = TypedDict("_SegmentationData", {"tiers": list[_AccountTierData], "roster": list[_CsmData], "roster_inferred": bool, "coverage": _CoverageData, "assignment": _AssignmentData})
_SurvivalPointData = TypedDict("_SurvivalPointData", {"time": float, "at_risk": float, "observed": float, "censored": float, "survival": float})
_SynthOptionsData = TypedDict("_SynthOptionsData", {"seed": NotRequired[float], "accounts": NotRequired[float], "start": NotRequired[str], "quarters": NotRequired[float], "missing_rate": NotRequired[float], "events_per_account_week": NotRequired[float], "usage_days": NotRequired[float], "existing_share": NotRequired[float]})
_TierChangeData = TypedDict("_TierChangeData", {"account_id": str, "before": str, "after": str})
_TierCoverageData = TypedDict("_TierCoverageData", {"tier": str, "accounts": float, "arr": float, "capacity": _CapacityData, "csms": float, "needed": float})
_TierRuleJsonData = TypedDict("_TierRuleJsonData", {"tier": str, "when": Any})
_TierRulesJsonData = TypedDict("_TierRulesJsonData", {"schema_version": NotRequired[float], "rules": list[_TierRuleJsonData], "default_tier": str})
_TierShiftData = TypedDict("_TierShiftData", {"tier": str, "accounts_before": float, "accounts_after": float, "needed_before": float, "needed_after": float})
_TrendData = TypedDict("_TrendData", {"delta": float, "direction": _DirectionData})
_TriggerJson1Data = TypedDict("_TriggerJson1Data", {"kind": Literal["level"], "when": Any})
_TriggerJson2Data = TypedDict("_TriggerJson2Data", {"kind": Literal["crossing"], "when": Any})
_TriggerJson3Data = TypedDict("_TriggerJson3Data", {"kind": Literal["change"], "field": str, "window_days": float, "drop": NotRequired[float | None], "rise": NotRequired[float | None]})
_TriggerJson4Data = TypedDict("_TriggerJson4Data", {"kind": Literal["event"], "event": _PlayEventData})
_TriggerJson5Data = TypedDict("_TriggerJson5Data", {"kind": Literal["renewal"], "within_days": float})
_TriggerJson6Data = TypedDict("_TriggerJson6Data", {"kind": Literal["all"], "of": list[_TriggerJsonData]})
_TriggerJson7Data = TypedDict("_TriggerJson7Data", {"kind": Literal["any"], "of": list[_TriggerJsonData]})
_TriggerJsonData = _TriggerJson1Data | _TriggerJson2Data | _TriggerJson3Data | _TriggerJson4Data | _TriggerJson5Data | _TriggerJson6Data | _TriggerJson7Data
_UnknownOwnerData = TypedDict("_UnknownOwnerData", {"owner": str, "accounts": float})
_ValidationReportData = TypedDict("_ValidationReportData", {"problems": list[_ProblemData], "rejected": list[_RejectedRowData], "files": dict[str, _FileCountsData], "notes": list[_NoteData]})
_WhatIfData = TypedDict("_WhatIfData", {"changes": list[_TierChangeData], "tiers": list[_TierShiftData]})
# --- End of the generated shapes. ---

__version__: str

_Mode = Literal["strict", "lenient"]
#: A header map: ``{"accounts": {"Account ID": "id"}}``, TOML text, or the path of a
#: ``.toml`` or ``.json`` file.
_HeaderMap = Mapping[str, Mapping[str, str]] | str | os.PathLike[str]
#: A source map (which export file holds which record type, and how its columns, values and
#: shapes map onto csops'): a dict, TOML text, or the path of a ``.toml`` / ``.json`` file.
_SourceMap = Mapping[str, Any] | str | os.PathLike[str]
#: ``progress=``: True (a bar: tqdm when installed), False/None (none; Ctrl-C still stops the
#: call), or a callable ``(stage, done, total, unit)``.
_Progress = bool | Callable[[str, int, int | None, str], object]
#: Feature settings: a dict, TOML text, JSON text, or the path of a ``.toml`` / ``.json`` file.
_FeatureConfig = Mapping[str, Any] | str | os.PathLike[str]
#: The kind of table a result derived from a book is: pandas (the default), polars or pyarrow.
_Frame = Literal["pandas", "polars", "pyarrow"]
#: Extra records for ``Book.with_records``: record type -> list of records in the JSON
#: interchange shape (as ``load_book_json`` reads), or the JSON text of such a document.
_Records = Mapping[str, Iterable[Mapping[str, Any]]] | str
#: A day: a ``datetime.date`` (a ``datetime`` counts as its date) or ``"YYYY-MM-DD"``.
_Day = datetime.date | str
#: A retention cut: a field name (``"segment"``, ``"tier"``, ``"region"``, ``"industry"``,
#: ``"plan"``, ``"owner_csm"``, ``"currency"``, ``"attr.<name>"``), ``"start_cohort"``, or
#: labels per account id (a dict or a pandas Series; None = ``none``).
_Cut = str | Mapping[str, str | None] | Any

# Exceptions ---------------------------------------------------------------

class CsopsError(Exception):
    """Base class of every error raised by csops."""

class ValidationError(CsopsError, ValueError):
    """The input failed validation (also a ValueError)."""

    problems: list[Problem]
    report: ValidationReport | None
    def __init__(
        self,
        *args: object,
        problems: Iterable[Problem] = (),
        report: ValidationReport | None = None,
    ) -> None: ...

class ConfigError(CsopsError, ValueError):
    """An option or a configuration is invalid (also a ValueError)."""

    problems: list[str]
    def __init__(self, *args: object, problems: Iterable[str] = ()) -> None: ...

class FormatError(CsopsError, ValueError):
    """A file or document is not well-formed CSV or JSON (also a ValueError)."""

class NotFoundError(CsopsError, KeyError):
    """Something asked for by its key is not there, such as an account id not in the data
    given (also a KeyError)."""

class ArgumentError(CsopsError, TypeError):
    """An argument or option has the wrong shape or type (also a TypeError)."""

    path: str
    def __init__(self, *args: object, path: str = "") -> None: ...

class MoneyError(CsopsError, ValueError):
    """Amounts could not be combined or converted (also a ValueError)."""

class CsopsIOError(CsopsError, OSError):
    """A file or directory could not be read or written (also an OSError)."""

    def __init__(
        self,
        message: str = "",
        *,
        filename: str | None = None,
        errno: int | None = None,
        strerror: str | None = None,
    ) -> None: ...

# Validation ---------------------------------------------------------------

class _ProblemDict(TypedDict):
    file: str
    row: int | None
    record_id: str | None
    field: str | None
    kind: str
    reason: str

class _RejectedRowDict(TypedDict):
    file: str
    row: int
    record_id: str | None
    fields: dict[str, str]

class _FileCountsDict(TypedDict):
    read: int
    loaded: int
    rejected: int

class _NoteDict(TypedDict):
    file: str
    row: int | None
    field: str | None
    note: str

class _MissingNoteDict(TypedDict):
    account_id: str
    feature: str
    why: dict[str, str]

class _ValidationReportDict(TypedDict):
    problems: list[_ProblemDict]
    rejected: list[_RejectedRowDict]
    files: dict[str, _FileCountsDict]
    notes: list[_NoteDict]

@final
class Problem:
    """One problem with one row (or one file) of the input."""
    @staticmethod
    def _from_pickle(state: bytes) -> Problem: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def file(self) -> str: ...
    @property
    def row(self) -> int | None: ...
    @property
    def record_id(self) -> str | None: ...
    @property
    def field(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def reason(self) -> str: ...
    def to_dict(self) -> _ProblemDict: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class ValidationReport:
    """Everything validation found while loading a book, and what was kept."""
    @staticmethod
    def _from_pickle(state: bytes) -> ValidationReport: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def problems(self) -> list[Problem]: ...
    @property
    def rejected(self) -> list[_RejectedRowDict]: ...
    @property
    def files(self) -> dict[str, _FileCountsDict]: ...
    @property
    def notes(self) -> list[_NoteDict]: ...
    @property
    def is_clean(self) -> bool: ...
    def summary(self) -> str: ...
    def render(self) -> str: ...
    def to_dict(self) -> _ValidationReportDict: ...
    def _repr_html_(self) -> str: ...

# Books --------------------------------------------------------------------

class _AccountDict(TypedDict):
    id: str
    name: str
    owner_csm: str | None
    segment: str | None
    tier: str | None
    region: str | None
    industry: str | None
    plan: str | None
    currency: str
    arr: Decimal
    seats: int | None
    start_date: datetime.date
    renewal_date: datetime.date | None
    term_months: int | None
    attributes: dict[str, str]

class _ColumnSummaryDict(TypedDict):
    name: str
    present: int
    missing: int
    mean: float | None
    min: float | None
    median: float | None
    max: float | None

@final
class Book:
    """A validated book of business: every valid record, indexed per account."""

    def __reduce__(self) -> tuple[Any, tuple[str, str]]: ...
    @staticmethod
    def _from_pickle(text: str, report: str) -> Book: ...
    @property
    def report(self) -> ValidationReport: ...
    @property
    def account_ids(self) -> list[str]: ...
    def counts(self) -> dict[str, int]: ...
    def latest_date(self) -> datetime.date | None: ...
    def accounts(self) -> list[_AccountDict]: ...
    def contacts(self) -> list[_ContactData]: ...
    def features_as_of(
        self,
        as_of: datetime.date | str,
        *,
        config: _FeatureConfig | None = None,
        progress: _Progress | None = None,
    ) -> FeatureFrame: ...
    def write_csv(self, directory: str | os.PathLike[str]) -> list[pathlib.Path]: ...
    def to_json(self) -> str: ...
    def with_records(self, records: _Records, *, mode: _Mode | None = None) -> Book:
        """A new book: this one with ``records`` added (a restated record replaces the old one)."""
    def arr_bridge(
        self, start: _Day, end: _Day, *, frame: _Frame | None = None
    ) -> ArrBridge:
        """The ARR bridge from the end of ``start`` to the end of ``end``."""
    def retention(
        self,
        start: _Day,
        end: _Day,
        *,
        by: _Cut | None = None,
        frame: _Frame | None = None,
    ) -> Any:
        """GRR, NRR and logo retention, one DataFrame row per cohort (``all`` without ``by``)."""
    def retention_series(
        self,
        start: _Day,
        end: _Day,
        *,
        period: Literal["month", "quarter", "year"] | None = None,
        frame: _Frame | None = None,
    ) -> Any:
        """Retention of each complete calendar period ending in ``start``..``end``
        (``period`` None: quarters, the core's default)."""
    def trailing_twelve_months(self, as_of: _Day | None = None) -> _RetentionDict:
        """Retention over the year to ``as_of`` (default: the latest date), as a dict."""
    def health_as_of(
        self,
        scorecard: Scorecard,
        as_of: _Day | None = None,
        *,
        feature_config: _FeatureConfig | None = None,
        frame: _Frame | None = None,
    ) -> Any:
        """``account_id``, ``score``, ``band`` of every active account on ``as_of``."""
    def account_table(
        self,
        as_of: _Day | None = None,
        *,
        scorecard: Scorecard | None = None,
        feature_config: _FeatureConfig | None = None,
        frame: _Frame | None = None,
    ) -> Any:
        """Every account as conditions see it on ``as_of``: a DataFrame with one column per
        field a condition may name (account fields, ``attr.<name>``, features, and with a
        scorecard ``score``, ``band`` and ``coverage``)."""
    def segment(
        self,
        rules: _Rules | None = None,
        *,
        model: _CoverageModel | None = None,
        roster: _Roster | None = None,
        scorecard: Scorecard | None = None,
        as_of: _Day | None = None,
        feature_config: _FeatureConfig | None = None,
        frame: _Frame | None = None,
    ) -> Segmentation:
        """Tier every account, then coverage, CSM load and the assignment plan."""
    def __len__(self) -> int: ...

@final
class FeatureFrame:
    """Features of every account as of one day (NaN where a value is missing)."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def account_ids(self) -> list[str]: ...
    @property
    def columns(self) -> list[str]: ...
    def column(self, name: str) -> list[float]: ...
    def value(self, account_id: str, feature: str) -> float | None: ...
    @property
    def missing_notes(self) -> list[_MissingNoteDict]: ...
    def summary(self) -> list[_ColumnSummaryDict]: ...
    def render_summary(self) -> str: ...
    def to_dict(self) -> dict[str, list[str] | list[float]]: ...
    def to_pandas(self) -> Any: ...
    def to_polars(self) -> Any:
        """A polars DataFrame: ``account_id``, then one Float64 column per feature (null where
        missing)."""
    def to_arrow(self) -> Any:
        """A pyarrow Table: ``account_id``, then one float64 column per feature (null where
        missing)."""
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    @staticmethod
    def _from_json(text: str) -> FeatureFrame: ...
    def __len__(self) -> int: ...

def load_book(
    source: str | os.PathLike[str],
    *,
    mode: _Mode | None = None,
    header_map: _HeaderMap | None = None,
    source_map: _SourceMap | None = None,
    threads: int | None = None,
    progress: _Progress | None = None,
) -> Book:
    """Load a book from a directory of CSV files, or from a ``.json`` file."""

def load_book_json(
    text: str,
    *,
    mode: _Mode | None = None,
    header_map: _HeaderMap | None = None,
    source_map: _SourceMap | None = None,
    allow_empty: bool = False,
    threads: int | None = None,
    progress: _Progress | None = None,
) -> Book:
    """Load a book from the text of a JSON document."""

def generate_book(
    *,
    seed: int | None = None,
    accounts: int | None = None,
    start: datetime.date | str | None = None,
    quarters: int | None = None,
    missing_rate: float | None = None,
    events_per_account_week: float | None = None,
    usage_days: int | None = None,
    existing_share: float | None = None,
) -> Book:
    """A synthetic book generated from a seed (None: the core's default of each option)."""

def load_book_tables(
    tables: Mapping[str, Any],
    *,
    mode: _Mode | None = None,
    header_map: _HeaderMap | None = None,
    source_map: _SourceMap | None = None,
    threads: int | None = None,
    progress: _Progress | None = None,
) -> Book:
    """Load a book from tables (pandas, polars, pyarrow) keyed by record type or file name."""

def load_book_csv(
    texts: Mapping[str, str],
    *,
    mode: _Mode | None = None,
    header_map: _HeaderMap | None = None,
    source_map: _SourceMap | None = None,
    threads: int | None = None,
    progress: _Progress | None = None,
) -> Book:
    """Load a book from CSV texts keyed by file stem (``"accounts"``, ...)."""

# Health scores ------------------------------------------------------------

#: What ``Scorecard.score`` and ``Scorecard.explain`` read: a ``FeatureFrame``, a pandas or
#: polars DataFrame, a pyarrow Table or RecordBatch, any object with ``__arrow_c_stream__`` or
#: ``__arrow_c_array__`` (duckdb results, ...), or a dict of columns (lists, tuples, numpy
#: arrays or Series; an optional ``"account_id"`` key). Feature columns must be numeric or
#: boolean; NaN/None/null = missing. Float64 columns in one piece without nulls (numpy, pandas,
#: polars, Arrow) are read in place; others are converted to float64 first. The result is the
#: same kind of table (pandas -> pandas, polars -> polars, pyarrow -> pyarrow, dict -> dict).
_ScoreData = FeatureFrame | Mapping[str, Any] | Any
#: One segment name per row, or the name of a column of the data holding them.
_Segments = str | Iterable[str]

class _NormaliserDict(TypedDict, total=False):
    kind: str
    worst: float
    best: float
    thresholds: list[float]
    points: list[float] | list[list[float]]
    higher_is_better: bool
    per_segment: bool
    midpoint: float
    steepness: float
    yes: float
    no: float

class _MissingDict(TypedDict, total=False):
    rule: str
    score: float

class _ScorecardMeasureDict(TypedDict):
    name: str
    group: str
    feature: str
    weight: float
    normaliser: _NormaliserDict
    missing: _MissingDict

class _BandDict(TypedDict):
    name: str
    min: float

class _MeasureResultDict(TypedDict):
    name: str
    group: str
    value: float | None
    measure_score: float | None
    weight: float
    contribution: float
    points_lost: float
    missing_why: dict[str, str] | None

class _ExplanationDict(TypedDict):
    account_id: str
    score: float | None
    band: str | None
    coverage: float
    measures: list[_MeasureResultDict]
    groups: dict[str, float]

class _TrendDict(TypedDict):
    delta: float
    direction: Literal["up", "flat", "down"]

@final
class Scorecard:
    """A health scorecard: weighted groups of weighted measures, with bands.

    A fixed-formula scorecard is a heuristic, not a fitted model: back-test it.
    """

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Scorecard: ...
    @staticmethod
    def from_json(text: str) -> Scorecard: ...
    @staticmethod
    def from_toml(text: str) -> Scorecard: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Scorecard: ...
    @staticmethod
    def default_heuristic() -> Scorecard: ...
    def to_dict(self) -> _ScorecardJsonData: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def measures(self) -> list[_ScorecardMeasureDict]: ...
    @property
    def bands(self) -> list[_BandDict]: ...
    @property
    def min_coverage(self) -> float: ...
    def validate(self, features: Iterable[str] | None = None) -> None: ...
    def score(
        self,
        data: _ScoreData,
        *,
        segments: _Segments | None = None,
        contributions: bool = True,
    ) -> Any:
        """Score every account; returns the same kind of table as ``data``.

        Columns ``score``, ``band``, ``coverage`` and one ``contribution.<measure>`` per
        measure; ``contributions=False`` leaves the contribution columns out (faster, less
        memory). Float64 numpy/pandas columns are read in place, without a copy.
        """
    def explain(
        self, data: _ScoreData, account_id: str | int, *, segments: _Segments | None = None
    ) -> Explanation: ...
    def apply_overrides(
        self,
        data: _ScoreData,
        overrides: Iterable[Mapping[str, Any]],
        *,
        as_of: datetime.date | str,
        segments: _Segments | None = None,
    ) -> Any:
        """Score ``data`` and apply the overrides in force on ``as_of``."""
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def _repr_html_(self) -> str: ...

@final
class Explanation:
    """Why one account got its score."""
    @staticmethod
    def _from_pickle(state: bytes) -> Explanation: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def account_id(self) -> str: ...
    @property
    def score(self) -> float | None: ...
    @property
    def band(self) -> str | None: ...
    @property
    def coverage(self) -> float: ...
    @property
    def measures(self) -> list[_MeasureResultDict]: ...
    @property
    def groups(self) -> dict[str, float]: ...
    def top_drivers(self, k: int | None = None) -> list[_MeasureResultDict]:
        """The ``k`` measures costing the most points (None: the core's default, 3)."""
    def to_dict(self) -> _ExplanationDict: ...
    def _repr_html_(self) -> str: ...

@final
class ModelSet:
    """Scorecards per segment, with a default one."""

    def __new__(
        cls, default: Scorecard, by_segment: Mapping[str, Scorecard] | None = None
    ) -> ModelSet: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ModelSet: ...
    @staticmethod
    def from_json(text: str) -> ModelSet: ...
    @staticmethod
    def from_toml(text: str) -> ModelSet: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> ModelSet: ...
    def to_dict(self) -> _ModelSetJsonData: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    @property
    def default(self) -> Scorecard: ...
    @property
    def by_segment(self) -> dict[str, Scorecard]: ...
    def scorecard_for(self, segment: str) -> Scorecard: ...
    def score(self, data: _ScoreData, *, segments: _Segments) -> Any:
        """Score every account with its segment's scorecard; the same kind of table as ``data``."""
    def __eq__(self, other: object, /) -> bool: ...

def trend(current: float, previous: float, dead_band: float | None = None) -> _TrendDict:
    """Compare a score with a previous one (changes within ±dead_band are flat; None: the
    core's default, 2 points)."""

# Back-tests ---------------------------------------------------------------

# `from` is a keyword, so the functional form.
_RateUsed = TypedDict(
    "_RateUsed", {"currency": str, "rate": Decimal, "from": datetime.date | None}
)

class _LogrankDict(TypedDict):
    chi2: float
    df: int
    p_value: float

class _HeldOutDict(TypedDict):
    scored: int
    auc: float | None
    auc_lo: float | None
    auc_hi: float | None
    brier: float | None

class _SplitDict(TypedDict):
    quarters: list[str]
    renewals: int
    churned: int

def backtest(
    book: Book,
    scorecard: Scorecard,
    *,
    lead_days: int | None = None,
    quarters: int | None = None,
    end: datetime.date | str | None = None,
    contraction_is_churn: bool | None = None,
    lift_fractions: Iterable[float] | None = None,
    probability: Recalibration | Mapping[str, Any] | None = None,
    feature_config: _FeatureConfig | None = None,
    frame: _Frame | None = None,
    progress: _Progress | None = None,
) -> Backtest:
    """Back-test a scorecard: score each renewal of the last ``quarters`` quarters as of
    ``lead_days`` before it, and set the score beside what happened.

    Options not given take the core's defaults (90 lead days, 4 quarters, lift at 10% and
    20%). ConfigError for an invalid value; ArgumentError (a TypeError) for a wrong shape.
    """

@final
class Backtest:
    """The result of a back-test: the replayed renewals and the report on them.

    The tables are pandas DataFrames, built on each access.
    """
    @staticmethod
    def _from_pickle(state: bytes) -> Backtest: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def scorecard(self) -> Scorecard: ...
    @property
    def window_start(self) -> datetime.date: ...
    @property
    def window_end(self) -> datetime.date: ...
    @property
    def observations(self) -> Any:
        """One row per renewal: ids, dates, outcome, churned, ARR (Decimal), score, band,
        and ``measure:<name>`` scores."""
    @property
    def bands(self) -> Any:
        """Renewals, Wilson rate and ARR per band, for ``all`` and each quarter."""
    @property
    def quarters(self) -> Any:
        """One row per slice (``all`` first): counts, AUC, Brier, verdict and test."""
    @property
    def measures(self) -> Any:
        """Each measure's own AUC and direction beside its weight, with a flag."""
    @property
    def calibration(self) -> Any:
        """Predicted vs observed churn by decile of predicted risk, per slice."""
    @property
    def lift(self) -> Any:
        """Capture and lift of the riskiest accounts, per slice."""
    @property
    def survival(self) -> Any:
        """Kaplan–Meier retention by band from scoring day."""
    @property
    def rates_used(self) -> list[_RateUsed]:
        """The FX rates behind its amounts, each once (empty without an FX table)."""
    @property
    def logrank(self) -> _LogrankDict | None: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def roc(self) -> Any:
        """The ROC curve of risk (100 − score) for churn per slice: ``slice``, ``threshold``,
        ``fpr``, ``tpr`` (the core's ``roc_curve``; its trapezoid area is the slice's AUC)."""
    def recalibrate(
        self,
        *,
        c: float | None = None,
        holdout_quarters: int | None = None,
        probability: Literal["platt", "isotonic"] | None = None,
        red_churn_target: float | None = None,
        green_churn_target: float | None = None,
    ) -> Recalibration:
        """Fit new weights on all but the latest ``holdout_quarters``; compare on those.

        Options not given take the core's defaults (``c=1.0``, one quarter held out, Platt,
        churn targets 0.25 and 0.05)."""
    def to_dict(self) -> _BacktestReportData: ...
    def render(self) -> str: ...
    def _repr_html_(self) -> str: ...

@final
class Recalibration:
    """New weights fitted on past renewals, proved on later ones."""
    @staticmethod
    def _from_pickle(state: bytes) -> Recalibration: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def scorecard(self) -> Scorecard: ...
    @property
    def weights(self) -> Any:
        """``measure``, ``group``, ``coefficient``, ``share_before``, ``share_after``."""
    @property
    def bands(self) -> Any:
        """Band threshold choices (``method``) and their train / held-out churn."""
    @property
    def before(self) -> _HeldOutDict: ...
    @property
    def after(self) -> _HeldOutDict: ...
    @property
    def dropped(self) -> list[str]: ...
    @property
    def train(self) -> _SplitDict: ...
    @property
    def test(self) -> _SplitDict: ...
    @overload
    def churn_probability(self, scores: float) -> float: ...
    @overload
    def churn_probability(self, scores: Iterable[float | None] | Any) -> Any: ...
    def to_dict(self) -> _RecalibrationReportData: ...
    def render(self) -> str: ...
    def _repr_html_(self) -> str: ...

# Back-tests in two halves (for csops.spark; private) ---------------------------

def _backtest_observe(
    book: Book,
    scorecard: Scorecard,
    *,
    end: datetime.date | str,
    lead_days: int | None = None,
    quarters: int | None = None,
    contraction_is_churn: bool | None = None,
    feature_config: _FeatureConfig | None = None,
) -> bytes:
    """The core's ``observe`` with ``end`` fixed (options not given take the core's
    defaults), as bytes for ``_backtest_from_observations``."""

def _backtest_from_observations(
    scorecard: Scorecard,
    parts: list[bytes],
    *,
    contraction_is_churn: bool | None = None,
    lift_fractions: Iterable[float] | None = None,
) -> Backtest:
    """The core's ``report`` on the observations of every part (``_backtest_observe``'s
    bytes), merged by the core."""

def _polars_categories(
    mode: Literal["physical", "enum-metadata", "dictionary"] | None = None,
) -> Literal["physical", "enum-metadata", "dictionary"]:
    """For the tests: how category columns are handed to polars, set to ``mode`` first when
    given."""

# Revenue ------------------------------------------------------------------

_RetentionDict = TypedDict(
    "_RetentionDict",
    {
        "label": str,
        "from": datetime.date,
        "to": datetime.date,
        "logos": int,
        "logos_retained": int,
        "start_arr": Decimal,
        "retained_arr": Decimal,
        "end_arr": Decimal,
        "currency": str,
        "grr": float | None,
        "nrr": float | None,
        "logo_retention": float | None,
    },
)

class _HealthDict(TypedDict, total=False):
    score: float | None
    band: str | None

class _DistributionDict(TypedDict):
    method: Literal["exact", "grid", "monte_carlo"]
    resolution: float
    mean: float
    p10: float
    p50: float
    p90: float
    percentiles: list[float]

#: Each account's health on the forecast day: a DataFrame with ``account_id``, ``score`` and
#: ``band`` columns (``Book.health_as_of``), or ``{account_id: {"score": .., "band": ..}}``.
_Health = Mapping[str, _HealthDict] | Any
#: Where P(renew) comes from: a ``Recalibration`` (its calibrated mapping of the score), or a
#: dict with one of ``"calibrated"`` (a ``Recalibration`` or a mapping dict),
#: ``"band_priors"`` ({band: p}) or ``"supplied"`` ({account_id: p}, a dict or a pandas
#: Series), and optionally ``"fallback"`` (P(renew) for what the source does not cover; a
#: dict of only ``"fallback"`` keeps the default band priors).
_Probability = Recalibration | Mapping[str, Any]

@final
class ArrBridge:
    """The ARR bridge between two days:
    ``start + new + expansion - contraction - churn + reactivation = end``, exactly."""
    @staticmethod
    def _from_pickle(state: bytes) -> ArrBridge: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def start_date(self) -> datetime.date: ...
    @property
    def end_date(self) -> datetime.date: ...
    @property
    def currency(self) -> str: ...
    @property
    def rates_used(self) -> list[_RateUsed]:
        """The FX rates behind its amounts, each once (empty without an FX table)."""
    @property
    def start(self) -> Decimal: ...
    @property
    def new(self) -> Decimal: ...
    @property
    def expansion(self) -> Decimal: ...
    @property
    def contraction(self) -> Decimal: ...
    @property
    def churn(self) -> Decimal: ...
    @property
    def reactivation(self) -> Decimal: ...
    @property
    def end(self) -> Decimal: ...
    @property
    def logos_start(self) -> int: ...
    @property
    def logos_new(self) -> int: ...
    @property
    def logos_churned(self) -> int: ...
    @property
    def logos_reactivated(self) -> int: ...
    @property
    def logos_end(self) -> int: ...
    @property
    def accounts(self) -> Any:
        """``account_id``, ``start``, ``end`` (Decimal), ``movement``: one row per account
        with ARR at either end."""
    def to_dict(self) -> _ArrBridgeData: ...
    def _repr_html_(self) -> str: ...

def forecast(
    book: Book,
    *,
    health: _Health | None = None,
    start: _Day | None = None,
    end: _Day | None = None,
    as_of: _Day | None = None,
    probability: _Probability | None = None,
    expansion: Literal["opportunities", "history", "none"] | None = None,
    distribution: Literal["auto", "exact", "grid", "monte_carlo"] | None = None,
    draws: int | None = None,
    seed: int | None = None,
    commit_from: float | None = None,
    best_case_from: float | None = None,
    frame: _Frame | None = None,
) -> RenewalForecast:
    """Forecast the renewals of a window (default: the quarter after ``as_of``).

    Every option not given (None) takes the core's default: the default band priors,
    ``expansion="opportunities"``, ``distribution="auto"``, 20,000 draws, seed 42,
    ``commit_from=0.9``, ``best_case_from=0.6``. ConfigError for an invalid value;
    ArgumentError (a TypeError) for an option of the wrong shape or type.
    """

@final
class RenewalForecast:
    """A renewal forecast: lines, totals (Decimal), subtotals, categories, distribution."""
    @staticmethod
    def _from_pickle(state: bytes) -> RenewalForecast: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def start(self) -> datetime.date: ...
    @property
    def end(self) -> datetime.date: ...
    @property
    def currency(self) -> str: ...
    @property
    def rates_used(self) -> list[_RateUsed]:
        """The FX rates behind its amounts, each once (empty without an FX table)."""
    @property
    def lines(self) -> Any:
        """One row per renewal: ids, segment, CSM, date, ARR, score, band, p_renew, expected
        renewal and expansion (Decimal), category."""
    @property
    def by_segment(self) -> Any: ...
    @property
    def by_csm(self) -> Any: ...
    @property
    def by_month(self) -> Any: ...
    @property
    def months(self) -> Any:
        """Month by month: renewals, ``at_stake`` and ``expected`` due by its end, and the
        P10 / P50 / P90 of renewed ARR by its end."""
    @property
    def arr(self) -> Decimal: ...
    @property
    def expected_renewal(self) -> Decimal: ...
    @property
    def expected_expansion(self) -> Decimal: ...
    @property
    def other_expansion(self) -> Decimal: ...
    @property
    def commit(self) -> Decimal: ...
    @property
    def best_case(self) -> Decimal: ...
    @property
    def pipeline(self) -> Decimal: ...
    @property
    def distribution(self) -> _DistributionDict | None: ...
    def reconcile(
        self,
        book: Book,
        *,
        tolerance: float | None = None,
        amount_tolerance: float | None = None,
        match_days: int | None = None,
        at_risk_bands: Iterable[str] | None = None,
    ) -> Reconciliation:
        """Set the forecast against the CRM's open renewal opportunities in ``book``."""
    def to_dict(self) -> _RenewalForecastData: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class Reconciliation:
    """A forecast against the CRM: totals, gap, pass/fail, and every disagreement."""
    @staticmethod
    def _from_pickle(state: bytes) -> Reconciliation: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def forecast_arr(self) -> Decimal: ...
    @property
    def crm_arr(self) -> Decimal: ...
    @property
    def gap(self) -> float | None: ...
    @property
    def tolerance(self) -> float: ...
    @property
    def passes(self) -> bool: ...
    @property
    def forecast_expected(self) -> Decimal: ...
    @property
    def crm_weighted(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def rates_used(self) -> list[_RateUsed]:
        """The FX rates behind its amounts, each once (empty without an FX table)."""
    @property
    def issues(self) -> Any:
        """``kind``, ``account_id``, ``opportunity_id``, ``detail``: by kind then account."""
    def to_dict(self) -> dict[str, Any]: ...
    def _repr_html_(self) -> str: ...

# Segmentation -------------------------------------------------------------

#: A table conditions are evaluated on: a pandas or polars DataFrame, a dict of columns
#: (lists, tuples, numpy arrays or Series) or a ``FeatureFrame``. Numeric columns are
#: numbers (NaN/None missing), ``str``/date/categorical columns text, boolean columns yes/no.
_TableData = Mapping[str, Any] | FeatureFrame | Any
#: A condition: a ``Condition``, its text form, or its structured form (a dict).
_ConditionLike = Condition | str | Mapping[str, Any]
#: Tier rules: a ``TierRules`` or its dict form (``{"rules": [{"tier", "when"}], "default_tier"}``).
_Rules = TierRules | Mapping[str, Any]
#: Targets per tier: ``{"high_touch": {"accounts_per_csm": 15}, "tech_touch":
#: {"arr_per_csm": 1000000}, "digital": "pooled"}`` (or the core's ``{"tiers": {...}}``).
_CoverageModel = Mapping[str, Any]
#: CSMs: dicts ``{"name", "tier", "fte"}`` (``fte`` defaults to 1), or a DataFrame of them.
_Roster = Iterable[Mapping[str, Any]] | Any

class _TierRuleDict(TypedDict):
    tier: str
    when: Condition

class _CsmDict(TypedDict):
    name: str
    tier: str
    fte: float

@final
class Condition:
    """A condition in the csops condition language (text or structured form), evaluated
    with SQL's three-valued logic: a row matches only when the condition is true."""

    def __new__(cls, text: str) -> Condition: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Condition: ...
    @staticmethod
    def from_json(text: str) -> Condition: ...
    def to_dict(self) -> _ConditionJsonData: ...
    def to_json(self) -> str: ...
    @property
    def fields(self) -> list[str]: ...
    def filter(self, data: _TableData) -> Any:
        """Which rows match: a numpy array of bool (a list without numpy)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class TierRules:
    """Ordered tier rules (first match wins) with a default tier."""

    def __new__(
        cls,
        rules: Iterable[tuple[str, _ConditionLike] | Mapping[str, Any]],
        default_tier: str,
    ) -> TierRules: ...
    @staticmethod
    def default() -> TierRules: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> TierRules: ...
    @staticmethod
    def from_json(text: str) -> TierRules: ...
    @staticmethod
    def from_toml(text: str) -> TierRules: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> TierRules: ...
    def to_dict(self) -> _TierRulesJsonData: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    @property
    def tiers(self) -> list[str]: ...
    @property
    def rules(self) -> list[_TierRuleDict]: ...
    @property
    def default_tier(self) -> str: ...
    def assign(self, data: _TableData) -> Any:
        """The tier of every row: a pandas Series for pandas, a polars Series for polars,
        else a list of str."""
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def _repr_html_(self) -> str: ...

def default_coverage_model() -> _CoverageModelJsonData: ...
def segment_table(
    data: _TableData,
    rules: _Rules | None = None,
    *,
    model: _CoverageModel | None = None,
    roster: _Roster | None = None,
    frame: _Frame | None = None,
) -> Segmentation:
    """Segment a table of your own accounts (``id``, ``arr``, ``owner_csm``, optional
    ``band``, and the fields the rules read)."""

@final
class Segmentation:
    """Accounts tiered by rules, coverage per tier, CSM load, and the assignment plan."""
    @staticmethod
    def _from_pickle(state: bytes) -> Segmentation: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def as_of(self) -> datetime.date | None: ...
    @property
    def rules(self) -> TierRules: ...
    @property
    def model(self) -> dict[str, Any]: ...
    @property
    def roster(self) -> list[_CsmDict]: ...
    @property
    def tiers(self) -> Any:
        """``account_id``, ``arr``, ``tier``: every account."""
    @property
    def coverage(self) -> Any:
        """Per tier: ``accounts``, ``arr``, ``target``, ``ratio``, ``csms``, ``needed``."""
    @property
    def csms(self) -> Any:
        """Per CSM: ``tier``, ``accounts``, ``arr``, ``red_accounts``, ``off_tier``,
        ``utilisation``, ``status``."""
    @property
    def unowned(self) -> int: ...
    @property
    def unknown_owners(self) -> dict[str, int]: ...
    @property
    def assignment(self) -> Any:
        """Every move, largest ARR first: ``account_id``, ``tier``, ``from``, ``to``,
        ``reason``."""
    @property
    def unplaced(self) -> int: ...
    @property
    def owners(self) -> Any:
        """``account_id``, ``tier``, ``owner_csm`` (before), ``owner`` (after)."""
    def what_if(self, rules: _Rules, *, model: _CoverageModel | None = None) -> WhatIf: ...
    def to_dict(self) -> dict[str, Any]: ...
    def _repr_html_(self) -> str: ...

@final
class WhatIf:
    """What other tier rules would do: accounts changing tier, CSMs needed per tier."""
    @staticmethod
    def _from_pickle(state: bytes) -> WhatIf: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def changes(self) -> Any:
        """``account_id``, ``before``, ``after``."""
    @property
    def tiers(self) -> Any:
        """``tier``, ``accounts_before``, ``accounts_after``, ``needed_before``,
        ``needed_after``."""
    def to_dict(self) -> _WhatIfData: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...

# Playbooks ----------------------------------------------------------------

#: A playbook: a ``Playbook`` or its dict form (``{"plays": [...]}``, as ``Playbook.to_dict``).
_PlaybookLike = Playbook | Mapping[str, Any]
#: A fire history: a ``FireHistory`` or its dict form (as ``FireHistory.to_dict``).
_HistoryLike = FireHistory | Mapping[str, Any]
#: Fired plays: a ``PlayRun``, a ``PlayReplay``, or a list of them and of dicts in the core's
#: form (as ``to_dicts`` gives).
_FiredLike = PlayRun | PlayReplay | Iterable[PlayRun | PlayReplay | Mapping[str, Any]]

class _FiredActionDict(TypedDict, total=False):
    action: Literal["task", "tag", "route"]
    assignee: str
    title: str
    body: str
    due: str
    priority: str
    tag: str
    to: str

class _FiredDict(TypedDict):
    date: str
    play: str
    account_id: str
    csm: str | None
    mode: Literal["live", "log_only"]
    reason: str
    actions: list[_FiredActionDict]

class _FireHistoryDict(TypedDict):
    last_run: str | None
    last_fired: dict[str, dict[str, str]]
    open_tasks: list[list[str]]
    holding: dict[str, list[list[str]]]

class _PlayRunDict(TypedDict):
    date: str
    fired: list[_FiredDict]
    history: _FireHistoryDict

_PlayReplayDict = TypedDict(
    "_PlayReplayDict",
    {
        "from": str,
        "to": str,
        "fired": list[_FiredDict],
        "per_play": dict[str, int],
        "per_csm": dict[str, int],
        "history": _FireHistoryDict,
    },
)

@final
class Playbook:
    """Plays as data: trigger, filter, actions, mode (``log_only`` by default), cooldown, owner."""

    def __new__(cls, plays: Iterable[Mapping[str, Any]]) -> Playbook: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Playbook: ...
    @staticmethod
    def from_json(text: str) -> Playbook: ...
    @staticmethod
    def from_toml(text: str) -> Playbook: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Playbook: ...
    @staticmethod
    def sponsor_left() -> Playbook:
        """The main job's sponsor-left play, log-only, alone in a playbook."""
    def to_dict(self) -> _PlaybookJsonData: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    @property
    def plays(self) -> list[str]: ...
    def validate(
        self,
        book: Book,
        *,
        scorecard: Scorecard | None = None,
        as_of: _Day | None = None,
        feature_config: _FeatureConfig | None = None,
    ) -> None:
        """Check every play against the fields of ``book.account_table``; ConfigError listing
        every problem."""
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def _repr_html_(self) -> str: ...

@final
class FireHistory:
    """What the engine remembers between runs (mutable: ``close_task``)."""

    def __new__(cls, *, last_run: _Day | None = None) -> FireHistory: ...
    @staticmethod
    def from_json(text: str) -> FireHistory: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> FireHistory: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> _FireHistoryDict: ...
    @property
    def last_run(self) -> datetime.date | None: ...
    @property
    def last_fired(self) -> dict[str, dict[str, datetime.date]]: ...
    @property
    def open_tasks(self) -> list[tuple[str, str]]: ...
    def close_task(self, play: str, account_id: str) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

def run_plays(
    book: Book,
    playbook: _PlaybookLike,
    day: _Day,
    *,
    history: _HistoryLike | None = None,
    scorecard: Scorecard | None = None,
    feature_config: _FeatureConfig | None = None,
    accounts: Iterable[str | int] | None = None,
    frame: _Frame | None = None,
) -> PlayRun:
    """Run a playbook on one day; what fired and the history for the next run."""

@final
class PlayRun:
    """What fired on one day (live and would-have-fired), and the next history."""
    @staticmethod
    def _from_pickle(state: bytes) -> PlayRun: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def date(self) -> datetime.date: ...
    @property
    def fired(self) -> Any:
        """One row per fired play: ``date``, ``play``, ``account_id``, ``csm``, ``mode``,
        ``reason``, the first task's ``assignee``, ``title``, ``body``, ``due``,
        ``priority``, ``tags``, ``routes`` and every action (``actions``)."""
    @property
    def live(self) -> Any:
        """The rows of ``fired`` of live plays."""
    @property
    def would_have_fired(self) -> Any:
        """The rows of ``fired`` of log-only plays."""
    @property
    def history(self) -> FireHistory: ...
    def to_dicts(self) -> list[_FiredDict]: ...
    def to_dict(self) -> _PlayRunDict: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...

def replay_plays(
    book: Book,
    playbook: _PlaybookLike,
    start: _Day,
    end: _Day,
    *,
    history: _HistoryLike | None = None,
    scorecard: Scorecard | None = None,
    feature_config: _FeatureConfig | None = None,
    frame: _Frame | None = None,
    progress: _Progress | None = None,
) -> PlayReplay:
    """Replay a playbook day by day, every play log-only: what would have fired."""

@final
class PlayReplay:
    """What would have fired over a window, with counts per play and per assignee."""
    @staticmethod
    def _from_pickle(state: bytes) -> PlayReplay: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def start(self) -> datetime.date: ...
    @property
    def end(self) -> datetime.date: ...
    @property
    def fired(self) -> Any:
        """The columns of ``PlayRun.fired``, by day."""
    @property
    def per_play(self) -> dict[str, int]: ...
    @property
    def per_csm(self) -> dict[str, int]: ...
    @property
    def history(self) -> FireHistory: ...
    def to_dicts(self) -> list[_FiredDict]: ...
    def to_dict(self) -> _PlayReplayDict: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...

def render_fired(fired: _FiredLike) -> str: ...
def play_effects(
    book: Book,
    playbook: _PlaybookLike,
    fired: _FiredLike,
    *,
    horizon_days: int | None = None,
    scorecard: Scorecard | None = None,
    feature_config: _FeatureConfig | None = None,
    frame: _Frame | None = None,
) -> Any:
    """Per play: renewal rate of the accounts it fired on against comparable accounts, with
    Wilson intervals and Fisher's exact test (a DataFrame). ``horizon_days`` None: the
    core's default, 365."""

# The weekly report ----------------------------------------------------------

def week_report(
    book: Book,
    *,
    as_of: _Day | None = None,
    title: str | None = None,
    scorecard: Scorecard | Mapping[str, Any] | None = None,
    tier_rules: TierRules | Mapping[str, Any] | None = None,
    playbook: Playbook | Mapping[str, Any] | None = None,
    replay_days: int | None = None,
    effect_days: int | None = None,
) -> Report:
    """The CS Ops week of ``book`` as a report a CS Ops lead reads in a browser.

    Every option not given (None) takes the core's default: the book's latest date, the
    default heuristic scorecard, the default tier rules, the sponsor-left play, a 28-day
    replay and 540 days of play effects. ConfigError for an invalid value; ArgumentError (a
    TypeError) for an option of the wrong shape or type. Runs with the GIL released.
    """

@final
class Report:
    """A report: sections (answer, charts, tables), as one self-contained HTML page."""
    @staticmethod
    def _from_pickle(state: bytes) -> Report: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

    @property
    def title(self) -> str: ...
    @property
    def subtitle(self) -> str: ...
    @property
    def sections(self) -> list[_ReportSectionData]: ...
    @overload
    def to_html(self, path: None = None) -> str: ...
    @overload
    def to_html(self, path: str | os.PathLike[str]) -> None: ...
    def to_dict(self) -> _ReportData: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...
