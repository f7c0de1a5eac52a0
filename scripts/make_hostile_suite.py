#!/usr/bin/env python3
"""Write the hostile-input suite: tests/conformance/hostile/*.json.

Each file is one target (what the input is given to) and a list of cases. A case is an input a
careless or hostile user could give (text of a condition, a scorecard, tier rules, a playbook,
a model set or a fire history; a value given as a day or as an account id) and what must
happen: `{"ok": {...}}` with a summary of what was read, or `{"error": KIND, "contains": [...]}`
with the error's kind and words its message must hold. The Rust, Python and Node runners
(csops-core/tests/hostile.rs, csops-py/tests/test_hostile_suite.py,
csops-node/__test__/hostile-suite.test.mjs) give each input to the same operation of their API and
check the same expectation; none may panic, hang or return something else.

The exact problems of an error (`"problems"`) are recorded from the core once, by
`UPDATE_HOSTILE=1 cargo test -p csops-core --test hostile`, after the kind and the words
above are checked; Python and Node must then give the same problems word for word. Run this
script, then that command, whenever a case changes.

An input is a string, or `{"repeat": [[piece, times], ...]}` (the pieces repeated and joined)
for inputs too large to keep, or any JSON value for the `day` and `account_id` targets.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "conformance" / "hostile"


def rep(*pieces: tuple[str, int]) -> dict:
    return {"repeat": [[p, n] for p, n in pieces]}


def ok(**summary) -> dict:
    return {"ok": summary}


def err(kind: str, *contains: str) -> dict:
    return {"error": kind, "contains": list(contains)}


# Conditions ------------------------------------------------------------------------------------


def conditions() -> list[dict]:
    c = []

    def case(name, text, expect):
        c.append({"name": name, "input": text, "expect": expect})

    # Well-formed, including odd spellings the grammar allows.
    good = [
        ("a comparison", "arr > 5", ["arr"], "arr > 5"),
        ("text in double quotes", 'region == "EMEA"', ["region"], 'region == "EMEA"'),
        ("text in single quotes", "region == 'EMEA'", ["region"], 'region == "EMEA"'),
        ("keywords in capitals", "ARR > 5 AND region == 'x'", ["ARR", "region"], 'ARR > 5 and region == "x"'),
        ("a list", 'region in ["EMEA", "NA"]', ["region"], 'region in ["EMEA", "NA"]'),
        ("not in a list", "tier not in ['a']", ["tier"], 'tier not in ["a"]'),
        ("between", "arr between 1 and 2", ["arr"], "arr between 1 and 2"),
        ("is null", "owner_csm is null", ["owner_csm"], "owner_csm is null"),
        ("is not null", "owner_csm is not null", ["owner_csm"], "owner_csm is not null"),
        ("a bare yes/no field", "exec_sponsor_present", ["exec_sponsor_present"], "exec_sponsor_present"),
        ("not", "not exec_sponsor_present", ["exec_sponsor_present"], "not exec_sponsor_present"),
        ("a custom attribute", 'attr.source == "partner"', ["attr.source"], 'attr.source == "partner"'),
        ("tabs and newlines between tokens", "arr\t>\n5", ["arr"], "arr > 5"),
        ("CRLF between clauses", "arr > 5\r\nand seats > 1", ["arr", "seats"], "arr > 5 and seats > 1"),
        ("a negative number", "nps < -50", ["nps"], "nps < -50"),
        ("a decimal", "dau_mau >= 0.25", ["dau_mau"], "dau_mau >= 0.25"),
        ("an exponent", "arr > 1e6", ["arr"], "arr > 1000000"),
        ("text with an emoji", 'name == "café 😀"', ["name"], 'name == "café 😀"'),
        ("text with a right-to-left mark", 'name == "a\u200fb"', ["name"], 'name == "a\u200fb"'),
        ("text with a NUL", 'name == "a\u0000b"', ["name"], 'name == "a\u0000b"'),
        ("text with an escaped quote", r'name == "say \"hi\""', ["name"], r'name == "say \"hi\""'),
        ("true and false values", "x == true or y != false", ["x", "y"], "x == true or y != false"),
        ("parentheses", "(arr > 5 or seats > 2) and not (tier == 'a')", ["arr", "seats", "tier"], None),
        ("trailing whitespace", "arr > 5   \n\n", ["arr"], "arr > 5"),
        ("a single equals sign (documented as ==)", "arr = 5", ["arr"], "arr == 5"),
        ("a number with underscores (documented)", "arr > 1_000", ["arr"], "arr > 1000"),
        ("an empty list (matches nothing)", "arr in []", ["arr"], "arr in []"),
        # Kinds are checked against a table's schema, not at parsing.
        ("a list of mixed kinds", 'arr in [1, "a"]', ["arr"], 'arr in [1, "a"]'),
        ("between text and a number", 'arr between "a" and 5', ["arr"], 'arr between "a" and 5'),
    ]
    for name, text, fields, printed in good:
        summary = {"fields": sorted(set(fields))}
        if printed is not None:
            summary["text"] = printed
        case(name, text, ok(**summary))

    # Malformed: a config error naming the line and column.
    bad = [
        ("empty", "", "condition"),
        ("only spaces", "   ", "condition"),
        ("a comparison without a value", "arr >", "line 1"),
        ("a value without a field", "> 5", "line 1, column 1"),
        ("an unknown operator", "arr >> 5", "line 1"),
        ("an unterminated double quote", 'name == "abc', "line 1"),
        ("an unterminated single quote", "name == 'abc", "line 1"),
        ("an open parenthesis", "(arr > 5", "line 1"),
        ("a stray closing parenthesis", "arr > 5)", "line 1"),
        ("an open list", "arr in [1, 2", "line 1"),
        ("an empty list item", "arr in [1,,2]", "line 1"),
        ("between without its end", "arr between 1", "line 1"),
        ("between and nothing", "arr between 1 and", "line 1"),
        ("a dangling and", "arr > 5 and", "line 1"),
        ("a leading and", "and arr > 5", "line 1"),
        ("or or", "arr > 1 or or seats > 1", "line 1"),
        ("not alone", "not", "line 1"),
        ("two values", "arr > 5 6", "line 1"),
        ("a hexadecimal number", "arr > 0x10", "line 1"),
        ("a double minus", "arr > --5", "line 1"),
        ("a bare exponent", "arr > 1e", "line 1"),
        ("a number too large for a float", "arr > 1e999", "line 1"),
        ("NaN as a value", "arr > NaN", "line 1"),
        ("a semicolon", "arr > 5;", "line 1"),
        ("an SQL comment", "arr > 5 -- drop", "line 1"),
        ("an error on line 3", "arr > 5\nand\nseats >", "line 3"),
        ("an error after CRLF lines", "arr > 5\r\nand seats > 1\r\nand", "line 3"),
        ("a NUL outside text", "arr\u0000 > 5", "line 1"),
        ("a byte-order mark first", "\ufeffarr > 5", "line 1"),
        ("a lone backslash", "arr > \\", "line 1"),
        ("a field named by a keyword", "and == 5", "line 1"),
        ("is without null", "owner_csm is", "line 1"),
        ("is not without null", "owner_csm is not", "line 1"),
        ("in without a list", "arr in 5", "line 1"),
        ("nested lists", "arr in [[1]]", "line 1"),
        ("a comparison of two fields", "arr > seats", "line 1"),
        ("a value in backquotes", "arr > `5`", "line 1"),
    ]
    for name, text, frag in bad:
        case(name, text, err("config", frag))

    # Size limits: at, and one past, each documented bound; far past it.
    depth = 64
    for n, fine in [(10, True), (depth - 1, True), (depth, True), (depth + 1, False), (1000, False), (30_000, False)]:
        case(
            f"{n} nested parentheses",
            rep(("(", n), ("arr > 1", 1), (")", n)),
            ok(fields=["arr"]) if fine else err("config", f"nested more than {depth} deep"),
        )
    case("100,000 nested parentheses (past the size limit first)", rep(("(", 100_000), ("arr > 1", 1), (")", 100_000)), err("config", "longer than the 65536 allowed"))
    case("a million open parentheses", rep(("(", 1_000_000)), err("config", "condition"))
    for n, fine in [(depth - 1, True), (depth + 1, False), (30_000, False)]:
        case(
            f"{n} nested nots",
            rep(("not ", n), ("exec_sponsor_present", 1)),
            ok(fields=["exec_sponsor_present"]) if fine else err("config", "condition"),
        )
    for n, fine in [(5_000, True), (12_000, False)]:
        case(
            f"{n} yes/no fields joined by or",
            rep(("a or ", n - 1), ("a", 1)),
            ok(fields=["a"]) if fine else err("config", "more than 10000"),
        )
    case("9,000 comparisons joined by or (past the size limit first)", rep(("x == 1 or ", 8_999), ("x == 1", 1)), err("config", "longer than the 65536 allowed"))
    for n, fine in [(9_000, True), (20_000, False)]:
        case(
            f"a list of {n} values",
            rep(("arr in [", 1), ("1,", n - 1), ("1]", 1)),
            ok(fields=["arr"]) if fine else err("config", "more than 10000"),
        )
    limit = 64 * 1024
    for n, fine in [(limit - 20, True), (limit, False), (10 * limit, False)]:
        # `name == "` + n × x + `"` is n + 10 bytes.
        fits = n + 10 <= limit
        case(
            f"text of {n + 10} bytes",
            rep(('name == "', 1), ("x", n), ('"', 1)),
            ok(fields=["name"]) if fits else err("config", "longer than the 65536 allowed"),
        )
    case("ten megabytes of spaces", rep((" ", 10 * 1024 * 1024)), err("config", "longer than the 65536 allowed"))
    case("a field name of 60,000 letters", rep(("f", 60_000), (" > 1", 1)), ok(fields=["f" * 60_000]))
    return c


def condition_json() -> list[dict]:
    c = []

    def case(name, text, expect):
        c.append({"name": name, "input": text, "expect": expect})

    case("the structured form", '{"field": "arr", "op": ">", "value": 5}', ok(fields=["arr"], text="arr > 5"))
    case("and", '{"and": [{"field": "arr", "op": ">", "value": 5}, {"field": "tier", "op": "==", "value": "a"}]}', ok(fields=["arr", "tier"], text='arr > 5 and tier == "a"'))
    case("or", '{"or": [{"field": "a", "op": "==", "value": true}]}', ok(fields=["a"]))
    case("in", '{"field": "region", "in": ["EMEA", "NA"]}', ok(fields=["region"], text='region in ["EMEA", "NA"]'))
    case("not with an unknown operator inside", '{"not": {"field": "a", "op": "is_null"}}', err("config", "condition at $.not"))
    case("the all of other tools", '{"all": [{"field": "a", "op": "==", "value": 1}]}', err("config", "condition at $"))
    case("a string holds the text form", '"arr > 5"', ok(fields=["arr"], text="arr > 5"))
    case("not JSON", "{field: arr}", err("config", "not JSON"))
    case("empty text", "", err("config", "not JSON"))
    case("a number", "5", err("config", "condition at $"))
    case("null", "null", err("config", "condition at $"))
    case("an empty object", "{}", err("config", "condition at $"))
    case("an empty and", '{"and": []}', err("config", "at least one condition"))
    case("and of a number", '{"and": 5}', err("config", "takes a list of conditions"))
    case("an unknown key", '{"field": "arr", "op": ">", "value": 5, "extra": 1}', err("config", "condition at $"))
    case("an unknown operator", '{"field": "arr", "op": "~", "value": 5}', err("config", "unknown operator"))
    case("a value that is an object", '{"field": "arr", "op": ">", "value": {}}', err("config", "expected a number, text or true/false"))
    case("a value that is null", '{"field": "arr", "op": ">", "value": null}', err("config", "condition at $"))
    case("in with a number", '{"field": "arr", "in": 5}', err("config", "takes a list of values"))
    case("a huge number", '{"field": "arr", "op": ">", "value": 1e400}', err("config", "condition"))
    case("a syntax error inside the text form", '"arr >"', err("config", "line 1"))
    for n, fine in [(30, True), (63, True), (100, False)]:
        case(
            f"{n} nested nots",
            rep(('{"not": ', n), ('{"field": "a", "op": "==", "value": 1}', 1), ("}", n)),
            ok(fields=["a"]) if fine else err("config", "condition"),
        )
    case("a million open brackets", rep(("[", 1_000_000)), err("config", "not JSON"))
    case(
        "a list of 20,000 values",
        rep(('{"field": "a", "in": [', 1), ("1,", 19_999), ("1]}", 1)),
        err("config", "more than 10000"),
    )
    case("a NUL in a field name", '{"field": "a\\u0000", "op": "==", "value": 1}', ok(fields=["a\u0000"]))
    case("a lone surrogate escape", '{"field": "\\ud800", "op": "==", "value": 1}', err("config", "not JSON"))
    return c


# Configurations -------------------------------------------------------------------------------

CARD = """
schema_version = 1
name = "small"
[[groups]]
name = "usage"
weight = 1.0
[[groups.measures]]
name = "logins"
feature = "logins_per_user_week"
weight = 1.0
normaliser = { kind = "linear", worst = 0.0, best = 10.0 }
"""
BANDS = """
[[bands]]
name = "red"
min = 0.0
[[bands]]
name = "green"
min = 70.0
"""


def scorecards() -> tuple[list[dict], list[dict]]:
    toml_cases, json_cases = [], []

    def t(name, text, expect):
        toml_cases.append({"name": name, "input": text, "expect": expect})

    def j(name, text, expect):
        json_cases.append({"name": name, "input": text, "expect": expect})

    t("a small scorecard", CARD, ok())
    t("empty text", "", err("config", "scorecard"))
    t("not TOML", "[[groups", err("config", "scorecard"))
    t("a misspelt key", CARD.replace("weight = 1.0\n[[groups.measures]]", "wieght = 1.0\n[[groups.measures]]"), err("config", "wieght"))
    t("version 2", CARD.replace("schema_version = 1", "schema_version = 2"), err("config", "schema_version 2"))
    t("two bands", CARD + BANDS, ok())
    t("a negative weight", CARD.replace('name = "logins"\nfeature = "logins_per_user_week"\nweight = 1.0', 'name = "logins"\nfeature = "logins_per_user_week"\nweight = -1.0'), err("config", "weight"))
    t("an infinite weight", CARD.replace('weight = 1.0\n[[groups.measures]]', 'weight = inf\n[[groups.measures]]'), err("config", "weight"))
    t("a NaN weight", CARD.replace('weight = 1.0\n[[groups.measures]]', 'weight = nan\n[[groups.measures]]'), err("config", "weight"))
    t("weights whose sum overflows", (CARD + CARD[CARD.index("[[groups]]"):].replace('"usage"', '"usage2"').replace('"logins"', '"logins2"')).replace("weight = 1.0\n[[groups.measures]]", "weight = 1.7e308\n[[groups.measures]]"), err("config", "weight"))
    t("bands out of order", CARD + BANDS.replace("min = 70.0", "min = 0.0").replace("min = 0.0\n[[bands]]", "min = 50.0\n[[bands]]"), err("config", "band"))
    t("a band above 100", CARD + BANDS.replace("min = 70.0", "min = 170.0"), err("config", "band"))
    t("a band with a NaN minimum", CARD + BANDS.replace("min = 70.0", "min = nan"), err("config", "band"))
    t("no groups", 'schema_version = 1\nname = "x"\ngroups = []\n', err("config", "scorecard"))
    t("a linear range of zero width", CARD.replace("best = 10.0", "best = 0.0"), err("config", "logins"))
    t("an unknown normaliser", CARD.replace('kind = "linear"', 'kind = "sigmoidal"'), err("config", "scorecard"))
    t("a duplicate measure name", CARD + '[[groups.measures]]\nname = "logins"\nfeature = "dau_mau"\nweight = 1.0\nnormaliser = { kind = "linear", worst = 0.0, best = 1.0 }\n', err("config", "duplicate measure name `logins`"))
    t("a string where a number goes", CARD.replace("weight = 1.0", 'weight = "1"', 1), err("config", "scorecard"))
    t("a deeply nested inline table", rep(("x = ", 1), ("{a = ", 5000), ("1", 1), ("}", 5000)), err("config", "scorecard"))
    t("fifty groups of thousand-letter names, one measure name", "".join(CARD if i == 0 else CARD[CARD.index("[[groups]]"):].replace('"usage"', f'"{"g" * 1000}{i}"') for i in range(50)), err("config", "duplicate measure name `logins`"))
    t("a NUL in a name", CARD.replace('name = "usage"', 'name = "us\\u0000age"'), ok())
    t("ten megabytes of comments", rep(("# a comment\n", 900_000), (CARD, 1)), ok())

    j("a small scorecard", json.dumps(SMALL_JSON), ok())
    j("a weight of 1e308 in two groups", json.dumps({**SMALL_JSON, "groups": [dict(SMALL_JSON["groups"][0], weight=1e308), dict(SMALL_JSON["groups"][0], name="usage2", weight=1e308)]}), err("config", "weight"))
    j("3,000 measures", json.dumps({**SMALL_JSON, "groups": [dict(SMALL_JSON["groups"][0], measures=[dict(SMALL_JSON["groups"][0]["measures"][0], name=f"m{i}") for i in range(3000)])]}), err("config", "at most 64 measures"))
    j("not JSON", "{", err("config", "scorecard"))
    j("an array", "[]", err("config", "scorecard"))
    j("null", "null", err("config", "scorecard"))
    j("a number too large", '{"schema_version": 1e999}', err("config", "scorecard"))
    j("a million nested arrays", rep(("[", 1_000_000)), err("config", "scorecard"))
    j("a NaN written out", '{"schema_version": NaN}', err("config", "scorecard"))
    j("a trailing comma", '{"schema_version": 1,}', err("config", "scorecard"))
    j("a duplicate key", '{"schema_version": 1, "schema_version": 1, "groups": []}', err("config", "scorecard"))
    j("an invalid UTF-16 escape", '{"schema_version": 1, "groups": [{"name": "\\udc00"}]}', err("config", "scorecard"))
    return toml_cases, json_cases


RULES = """
default_tier = "digital"
[[rules]]
tier = "high_touch"
when = "arr >= 100000"
[[rules]]
tier = "mid_touch"
when = "arr >= 25000"
"""


def tier_rules() -> tuple[list[dict], list[dict]]:
    toml_cases, json_cases = [], []

    def t(name, text, expect):
        toml_cases.append({"name": name, "input": text, "expect": expect})

    def j(name, text, expect):
        json_cases.append({"name": name, "input": text, "expect": expect})

    t("two rules", RULES, ok(tiers=["high_touch", "mid_touch", "digital"]))
    t("no rules", 'default_tier = "digital"\n', err("config", "missing field `rules`"))
    t("an empty list of rules", 'default_tier = "digital"\nrules = []\n', ok(tiers=["digital"]))
    t("empty text", "", err("config", "tier rules"))
    t("no default tier", RULES.replace('default_tier = "digital"', ""), err("config", "default_tier"))
    t("an empty default tier", RULES.replace('"digital"', '"  "'), err("config", "default tier has no name"))
    t("a rule without a tier name", RULES.replace('tier = "mid_touch"', 'tier = ""'), err("config", "no name"))
    t("a malformed condition", RULES.replace("arr >= 25000", "arr >="), err("config", "line 1"))
    t("a field compared as a number and as text", RULES.replace("arr >= 25000", 'arr == "big"'), err("config", "arr"))
    t("order on a yes/no field", RULES.replace("arr >= 25000", "exec_sponsor_present and exec_sponsor_present > 1"), err("config", "exec_sponsor_present"))
    t("a misspelt key", RULES.replace("when =", "wen =", 1), err("config", "tier rules"))
    t("version 7", "schema_version = 7\n" + RULES, err("config", "schema_version 7"))
    t("a condition nested 100 deep", RULES.replace("arr >= 25000", "(" * 100 + "arr > 1" + ")" * 100), err("config", "nested more than 64 deep"))
    t("a condition of 70,000 bytes", RULES.replace("arr >= 25000", "arr in [" + "1, " * 23_000 + "1]"), err("config", "longer than the 65536 allowed"))
    t("5,000 rules", 'default_tier = "d"\n' + "".join(f'[[rules]]\ntier = "t{i}"\nwhen = "arr >= {i}"\n' for i in range(5000)), ok(tiers=[f"t{i}" for i in range(5000)] + ["d"]))
    t("a tier named with a NUL", RULES.replace('"high_touch"', '"high\\u0000touch"'), ok(tiers=["high\u0000touch", "mid_touch", "digital"]))
    j("two rules", json.dumps({"default_tier": "digital", "rules": [{"tier": "a", "when": "arr > 1"}]}), ok(tiers=["a", "digital"]))
    j("a structured condition", json.dumps({"default_tier": "d", "rules": [{"tier": "a", "when": {"field": "arr", "op": ">", "value": 1}}]}), ok(tiers=["a", "d"]))
    j("not JSON", "{", err("config", "tier rules"))
    j("rules that are not a list", '{"default_tier": "d", "rules": 5}', err("config", "tier rules"))
    j("a when that is a number", '{"default_tier": "d", "rules": [{"tier": "a", "when": 5}]}', err("config", "tier rules"))
    j("a field compared as a number and as text", json.dumps({"default_tier": "d", "rules": [{"tier": "a", "when": "x > 1"}, {"tier": "b", "when": "x == 'y'"}]}), err("config", "x"))
    j("a million nested objects", rep(('{"a":', 1_000_000)), err("config", "tier rules"))
    return toml_cases, json_cases


PLAY = """
[[plays]]
name = "sponsor-left"
owner = "cs-ops"
trigger = { kind = "event", event = "sponsor_removed" }
actions = [{ action = "task", assign = { to = "owner" }, title = "Re-engage {name}", due_in_days = 7, priority = "high" }]
"""


def playbooks() -> tuple[list[dict], list[dict]]:
    toml_cases, json_cases = [], []

    def t(name, text, expect):
        toml_cases.append({"name": name, "input": text, "expect": expect})

    def j(name, text, expect):
        json_cases.append({"name": name, "input": text, "expect": expect})

    t("one play", PLAY, ok(plays=["sponsor-left"]))
    t("no plays", "plays = []", ok(plays=[]))
    t("empty text", "", err("config", "playbook"))
    t("an unknown trigger kind", PLAY.replace('kind = "event"', 'kind = "sometimes"'), err("config", "playbook"))
    t("an unknown priority", PLAY.replace('"high"', '"asap"'), err("config", "priority `asap`"))
    t("a template with an open brace", PLAY.replace("{name}", "{name"), err("config", "without `}`"))
    t("a template with an empty placeholder", PLAY.replace("{name}", "{}"), err("config", "empty or nested placeholder"))
    t("a template with a nested placeholder", PLAY.replace("{name}", "{{name}}"), err("config", "empty or nested placeholder"))
    t("an unknown placeholder loads (fields are checked against a book)", PLAY.replace("{name}", "{nmae}"), ok(plays=["sponsor-left"]))
    t("a task due in 10,000 days", PLAY.replace("due_in_days = 7", "due_in_days = 10000"), err("config", "at most 3660"))
    t("a negative due day", PLAY.replace("due_in_days = 7", "due_in_days = -1"), err("config", "playbook"))
    t("a due day past u32", PLAY.replace("due_in_days = 7", "due_in_days = 99999999999"), err("config", "playbook"))
    t("a cooldown of 100 years", PLAY.replace('owner = "cs-ops"', 'owner = "cs-ops"\ncooldown_days = 36500'), err("config", "at most 3660"))
    t("two plays of one name", PLAY + PLAY, err("config", "used twice"))
    t("no owner", PLAY.replace('owner = "cs-ops"', 'owner = ""'), err("config", "no owner"))
    t("no actions", PLAY.replace(PLAY[PLAY.index("actions"):], "actions = []\n"), err("config", "no actions"))
    t("a change trigger without a threshold", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "change", field = "arr", window_days = 30 }'), err("config", "needs `drop` or `rise`"))
    t("a change trigger with a NaN share", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "change", field = "arr", window_days = 30, drop = nan }'), err("config", "must be positive"))
    t("a change trigger over 0 days", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "change", field = "arr", window_days = 0, drop = 0.5 }'), err("config", "window of 1 to 3660 days"))
    t("triggers nested 20 deep", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "all", of = [' * 20 + '{ kind = "renewal", within_days = 30 }' + "] }" * 20), err("config", "nested more than 16 deep"))
    t("triggers nested 40 deep (past TOML's own limit)", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "all", of = [' * 40 + '{ kind = "renewal", within_days = 30 }' + "] }" * 40), err("config", "recurse"))
    t("an unknown event", PLAY.replace('"sponsor_removed"', '"sponsor_left"'), err("config", "unknown variant `sponsor_left`"))
    t("an all of nothing", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "any", of = [] }'), err("config", "needs at least one trigger"))
    t("a malformed level condition", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "level", when = "arr >" }'), err("config", "line 1"))
    t("a renewal within 20 years", PLAY.replace('{ kind = "event", event = "sponsor_removed" }', '{ kind = "renewal", within_days = 7300 }'), err("config", "at most 3660"))
    t("version 3", "schema_version = 3\n" + PLAY, err("config", "schema_version 3"))
    t("every problem at once", PLAY.replace('owner = "cs-ops"', 'owner = ""').replace('"high"', '"asap"').replace("{name}", "{name"), err("config", "no owner", "priority `asap`", "without `}`"))
    j("one play", json.dumps({"plays": [{"name": "p", "owner": "o", "trigger": {"kind": "renewal", "within_days": 30}, "actions": [{"action": "tag", "tag": "t"}]}]}), ok(plays=["p"]))
    j("not JSON", "{", err("config", "playbook"))
    j("plays that are a string", '{"plays": "all"}', err("config", "playbook"))
    j("an unknown action", json.dumps({"plays": [{"name": "p", "owner": "o", "trigger": {"kind": "renewal", "within_days": 30}, "actions": [{"action": "email"}]}]}), err("config", "playbook"))
    j("a due day that is a float", json.dumps({"plays": [{"name": "p", "owner": "o", "trigger": {"kind": "renewal", "within_days": 30}, "actions": [{"action": "task", "assign": {"to": "owner"}, "title": "t", "due_in_days": 1.5}]}]}), err("config", "playbook"))
    j("a million nested arrays", rep(('{"plays": ', 1), ("[", 1_000_000)), err("config", "playbook"))
    return toml_cases, json_cases


SMALL_JSON = {"schema_version": 1, "name": "small", "groups": [{"name": "usage", "weight": 1.0, "measures": [{"name": "logins", "feature": "logins_per_user_week", "weight": 1.0, "normaliser": {"kind": "linear", "worst": 0, "best": 10}}]}]}

def model_sets() -> list[dict]:
    c = []

    def j(name, text, expect):
        c.append({"name": name, "input": text, "expect": expect})

    j("a default and a segment's scorecard", json.dumps({"default": SMALL_JSON, "by_segment": {"smb": SMALL_JSON}}), ok())
    j("a segment's scorecard that is invalid", json.dumps({"default": SMALL_JSON, "by_segment": {"smb": {**SMALL_JSON, "schema_version": 9}}}), err("config", "smb"))
    j("a misspelt key", json.dumps({"default": SMALL_JSON, "by_segmnet": {}}), err("config", "by_segmnet"))
    j("not JSON", "{", err("config", "model set"))
    j("empty object", "{}", err("config", "model set"))
    j("an array", "[]", err("config", "model set"))
    j("a million nested objects", rep(('{"a":', 1_000_000)), err("config", "model set"))
    j("models that are a number", '{"models": 1}', err("config", "model set"))
    return c


def fire_histories() -> list[dict]:
    c = []

    def j(name, text, expect):
        c.append({"name": name, "input": text, "expect": expect})

    j("an empty history", "{}", ok())
    j("a history with a last run", '{"last_run": "2026-01-31"}', ok())
    j("not JSON", "{", err("config", "fire history"))
    j("an empty array (serde would read one as a struct)", "[]", err("config", "expected an object"))
    j("a string", '"2026-01-31"', err("config", "expected an object"))
    j("a misspelt key", '{"last_runn": "2026-01-31"}', err("config", "last_runn"))
    j("a last run that is not a day", '{"last_run": "31/01/2026"}', err("config", "fire history"))
    j("a last run in year 0", '{"last_run": "0000-01-01"}', err("config", "outside years 1 to 9999"))
    j("a last firing in year 0", '{"last_fired": {"p": {"A": "0000-12-31"}}}', err("config", "outside years 1 to 9999"))
    j("a last run on 30 February", '{"last_run": "2026-02-30"}', err("config", "fire history"))
    j("open tasks that are not pairs", '{"open_tasks": [["a"]]}', err("config", "fire history"))
    j("a million nested arrays", rep(('{"open_tasks": ', 1), ("[", 1_000_000)), err("config", "fire history"))
    return c


# Arguments --------------------------------------------------------------------------------------


def days() -> list[dict]:
    c = []

    def case(name, value, expect):
        c.append({"name": name, "input": value, "expect": expect})

    case("a day", "2026-01-31", ok(day="2026-01-31"))
    case("a day with spaces around it", " 2026-01-31 ", ok(day="2026-01-31"))
    case("the first day of year 1", "0001-01-01", ok(day="0001-01-01"))
    case("the last day of year 9999", "9999-12-31", ok(day="9999-12-31"))
    case("29 February of a leap year", "2024-02-29", ok(day="2024-02-29"))
    not_days = [
        ("29 February of another year", "2026-02-29"),
        ("30 February", "2026-02-30"),
        ("month 13", "2026-13-01"),
        ("day 0", "2026-01-00"),
        ("year 0", "0000-01-01"),
        ("a negative year", "-0001-01-01"),
        ("a signed year", "+2026-01-01"),
        ("a five-digit year", "+12345-01-01"),
        ("an unpadded day", "2026-1-1"),
        ("a two-digit year", "26-01-31"),
        ("slashes", "2026/01/31"),
        ("day first", "31-01-2026"),
        ("a timestamp", "2026-01-31T00:00:00"),
        ("a timestamp with a zone", "2026-01-31T23:30:00-05:00"),
        ("a date and a time", "2026-01-31 10:00"),
        ("empty", ""),
        ("spaces", "   "),
        ("a word", "yesterday"),
        ("a month name", "31 Jan 2026"),
        ("a NUL inside", "2026-01\u000031"),
        ("full-width digits", "２０２６-０１-３１"),
        ("Arabic-Indic digits", "٢٠٢٦-٠١-٣١"),
        ("a byte-order mark first", "\ufeff2026-01-31"),
        ("a day of 10,000 characters", "2026-01-31" + "0" * 9990),
        ("an ISO week", "2026-W05-6"),
        ("an ordinal day", "2026-031"),
        ("compact digits", "20260131"),
    ]
    for name, value in not_days:
        case(name, value, err("invalid_value", "is not a date (expected YYYY-MM-DD, years 1 to 9999)"))
    wrong_types = [
        ("a number", 20260131),
        ("a float", 2026.0131),
        ("true", True),
        ("null", None),
        ("a list", ["2026-01-31"]),
        ("an object", {"year": 2026, "month": 1, "day": 31}),
    ]
    for name, value in wrong_types:
        case(name, value, err("invalid_type", "must be"))
    return c


def account_ids() -> list[dict]:
    c = []

    def case(name, value, expect):
        c.append({"name": name, "input": value, "expect": expect})

    case("an account of the data", "A", ok(account_id="A"))
    case("an account with a NUL in its id", "N\u0000L", ok(account_id="N\u0000L"))
    case("an account with an emoji id", "😀", ok(account_id="😀"))
    case("an account on two rows", "B", err("config", "appears more than once in the data (rows 2 and 3)"))
    case("an account not in the data", "Z", err("not_found", "account `Z` is not in the data"))
    case("an id that differs only in case", "a", err("not_found", "account `a` is not in the data"))
    case("an id with a trailing space", "A ", err("not_found", "account `A ` is not in the data"))
    case("the empty id", "", err("not_found", "account `` is not in the data"))
    case("an integer id", 7, ok(account_id="7"))
    case("an id of 100,000 characters", "x" * 100_000, err("not_found", "is not in the data"))
    for name, value in [("null", None), ("a float", 1.5), ("true", True), ("a list", ["A"]), ("an object", {"id": "A"})]:
        case(name, value, err("invalid_type", "account"))
    return c


EXPLAIN_DATA = {
    "account_ids": ["A", "B", "B", "N\u0000L", "😀", "7"],
    "columns": {"logins_per_user_week": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
}


# Books: hostile CSV texts ---------------------------------------------------------------------
#
# The clean book of the bad-input suite with one file replaced by a hostile text, in the
# data-layer vector format (tests/conformance/hostile_books/), run by the data-layer runners of
# the three languages like the one-fault books. Tickets and usage events are leaf files: a row
# rejected there takes nothing else with it.


def books() -> list[dict]:
    clean_path = ROOT / "tests" / "conformance" / "bad_input" / "000_the_clean_book.json"
    clean = json.loads(clean_path.read_text(encoding="utf-8"))
    csv = clean["csv"]
    counts = clean["expect"]["counts"]
    th, *tr = csv["tickets"].rstrip("\n").split("\n")
    uh, *ur = csv["usage_events"].rstrip("\n").split("\n")

    def t(rows, head=th, eol="\n", end=True):
        text = eol.join([head] + rows)
        return text + (eol if end else "")

    def u(second):
        return t([ur[0], second, ur[2], ur[3]], head=uh)

    out = []

    def case(name, file, text, loaded=None, problems=(), error=None, description="", rejected=None, notes=None):
        problems = [
            {"file": f"{file}.csv", "row": row, "field": field, "kind": kind} for row, field, kind in problems
        ]
        if rejected is None:
            rejected = len({p["row"] for p in problems if p["row"] is not None})
        expect = {"error": error, "problems": problems}
        if notes is not None:
            expect["notes"] = [{"file": f"{file}.csv", "row": row, "field": field, "note": words} for row, field, words in notes]
        if error is None:
            expect["counts"] = {**counts, file: loaded}
            expect["rejected"] = rejected
        out.append(
            {
                "name": f"{file}: {name}",
                "description": description or name,
                "mode": "lenient",
                "csv": {**csv, file: text},
                "expect": expect,
            }
        )

    required = ["id", "account_id", "opened", "priority", "status"]
    missing_file = [(None, f, "missing") for f in required]
    case("a UTF-8 byte-order mark before the header", "tickets", "\ufeff" + csv["tickets"], 4)
    case("an empty file", "tickets", "", error="validation", problems=missing_file)
    case("only a line break", "tickets", "\n", error="validation", problems=missing_file)
    case("only CRLF line breaks", "tickets", "\r\n\r\n\r\n", error="validation", problems=missing_file)
    case("a header and no rows", "tickets", th + "\n", 0)
    case("a header without a final line break", "tickets", th, 0)
    case("the last row without a final line break", "tickets", t(tr, end=False), 4)
    case("blank lines between rows", "tickets", t([tr[0], "", "", tr[1], tr[2], "", tr[3]]), 4)
    case("blank lines between rows, then a fault on line 8", "tickets", t([tr[0], "", "", tr[1], tr[2], "", tr[3].replace(",normal,", ",soon,")]), 3, [(8, "priority", "unknown_value")])
    case("trailing blank lines", "tickets", t(tr) + "\n\n\n", 4)
    case("lines of commas only", "tickets", t(tr + [",,,,,,,", ",,,,,,,"]), 4, [(r, f, "missing") for r in (6, 7) for f in required])
    case("CR-only line endings", "tickets", t(tr, eol="\r"), 4)
    case("CR-only line endings, a fault on line 4", "tickets", t([tr[0], tr[1], tr[2].replace(",low,", ",soon,"), tr[3]], eol="\r"), 3, [(4, "priority", "unknown_value")])
    case("mixed LF, CRLF and CR", "tickets", th + "\r\n" + tr[0] + "\n" + tr[1] + "\r" + tr[2] + "\r\n" + tr[3] + "\n", 4)
    case("a trailing comma on every row", "tickets", t([r + "," for r in tr]), 0, [(r, None, "malformed") for r in (2, 3, 4, 5)])
    case("a trailing comma on the header", "tickets", t(tr, head=th + ","), 0, [(r, None, "malformed") for r in (2, 3, 4, 5)])
    case("a row with 200,000 extra fields", "tickets", t([tr[0], tr[1] + "," * 200_000, tr[2], tr[3]]), 3, [(3, None, "malformed")])
    case("a row of one field", "tickets", t([tr[0], "T-000099", tr[2], tr[3]]), 3, [(3, None, "malformed")])
    case(
        "tab-separated",
        "tickets",
        t([r.replace(",", "\t") for r in tr], head=th.replace(",", "\t")),
        error="validation",
        problems=[(None, th.replace(",", "\t"), "unknown_value")] + missing_file,
    )
    case(
        "the header in capitals",
        "tickets",
        t(tr, head=th.upper()),
        error="validation",
        problems=[(None, h, "unknown_value") for h in th.upper().split(",")] + missing_file,
    )
    case("header names padded with spaces", "tickets", t(tr, head=", ".join(th.split(","))), 4)
    case(
        "a duplicated header name (the last is used)",
        "tickets",
        t([r + ",x" for r in tr], head=th + ",priority"),
        0,
        [(None, "priority", "duplicate")] + [(r, "priority", "unknown_value") for r in (2, 3, 4, 5)],
    )
    case("an empty header name with values under it", "tickets", t([r + ",x" for r in tr], head=th + ","), 4, [(2, "column 9", "unknown_value")], rejected=0)
    case(
        "2,000 unknown columns",
        "tickets",
        t([r + "," * 2_000 for r in tr], head=th + "".join(f",c{i}" for i in range(2_000))),
        4,
        [(None, f"c{i}", "unknown_value") for i in range(2_000)],
    )
    case("every field quoted", "tickets", t([",".join(f'"{f}"' for f in r.split(",")) for r in tr], head=",".join(f'"{f}"' for f in th.split(","))), 4)
    case("a quoted field with a CRLF inside", "usage_events", u('A-00001,u1,"rep\r\norts",2025-04-14T11:29:05Z'), 4)
    case("a doubled quote inside a quoted field", "usage_events", u('A-00001,u1,"say ""hi""",2025-04-14T11:29:05Z'), 4)
    case("a quote inside an unquoted field", "usage_events", u('A-00001,u1,re"ports,2025-04-14T11:29:05Z'), 4)
    case("an unterminated quote on row 2", "usage_events", u('A-00001,u1,"reports,2025-04-14T11:29:05Z'), 3, [(3, None, "malformed")])
    case("an unterminated quote on the last row", "usage_events", t([ur[0], ur[1], ur[2], 'A-00001,u2,"reports,2025-04-14T14:43:50Z'], head=uh), 3, [(5, None, "malformed")])
    case("text after a closing quote", "usage_events", u('A-00001,u1,"rep"orts,2025-04-14T11:29:05Z'), 3, [(3, "feature", "malformed")])
    case("text after a closing quote, CRLF", "usage_events", u('A-00001,"u"1,reports,2025-04-14T11:29:05Z').replace("\n", "\r\n"), 3, [(3, "user_id", "malformed")])
    case("a space after a closing quote", "usage_events", u('A-00001,u1,"reports" ,2025-04-14T11:29:05Z'), 4)
    case("a NUL in a feature name", "usage_events", u("A-00001,u1,rep\u0000orts,2025-04-14T11:29:05Z"), 4)
    case("a feature name of 200 KB", "usage_events", u("A-00001,u1," + "x" * 200_000 + ",2025-04-14T11:29:05Z"), 4)
    case("a spreadsheet formula as a feature name", "usage_events", u("A-00001,u1,=cmd|' /C calc'!A0,2025-04-14T11:29:05Z"), 4)
    case("a right-to-left override in a user id", "usage_events", u("A-00001,u\u202e1,reports,2025-04-14T11:29:05Z"), 4)
    case("a zero-width space in an account id", "usage_events", u("A-0000\u200b1,u1,reports,2025-04-14T11:29:05Z"), 3, [(3, "account_id", "unknown_reference")])
    case("an account id padded with spaces (not part of it)", "usage_events", u(" A-00001 ,u1,reports,2025-04-14T11:29:05Z"), 4)
    case("an account id in other case", "usage_events", u("a-00001,u1,reports,2025-04-14T11:29:05Z"), 3, [(3, "account_id", "unknown_reference")])
    case("a timestamp as an Excel serial number", "usage_events", u("A-00001,u1,reports,45761.48"), 3, [(3, "timestamp", "malformed")])
    case("a timestamp in year 10000", "usage_events", u("A-00001,u1,reports,10000-01-01T00:00:00Z"), 3, [(3, "timestamp", "malformed")])
    case(
        "a timestamp with nanoseconds (kept to the millisecond, with a note)",
        "usage_events",
        u("A-00001,u1,reports,2025-04-14T11:29:05.123456789Z"),
        4,
        notes=[(3, "timestamp", "1 timestamp(s) have digits below the millisecond")],
    )
    case("a Unix epoch number as a timestamp", "usage_events", u("A-00001,u1,reports,1744630145"), 3, [(3, "timestamp", "malformed")])
    case("a CSAT written 4,5 in quotes", "tickets", t([tr[0], tr[1][:-1] + '"4,5"', tr[2], tr[3]]), 3, [(3, "csat", "malformed")])
    case("a CSAT of 1e400", "tickets", t([tr[0], tr[1][:-1] + "1e400", tr[2], tr[3]]), 3, [(3, "csat", "malformed")])
    case("a CSAT of NaN", "tickets", t([tr[0], tr[1][:-1] + "NaN", tr[2], tr[3]]), 3, [(3, "csat", "malformed")])
    case("escalated written TRUE, 1 and yes", "tickets", t([tr[0], tr[1].replace(",false,", ",TRUE,"), tr[2].replace(",false,", ",1,"), tr[3].replace(",false,", ",yes,")]), 4)
    case("escalated written maybe", "tickets", t([tr[0], tr[1].replace(",false,", ",maybe,"), tr[2], tr[3]]), 3, [(3, "escalated", "malformed")])
    case("a priority in capitals, padded with spaces", "tickets", t([tr[0], tr[1].replace(",low,", ", LOW ,"), tr[2], tr[3]]), 4)
    case("a ticket id repeated", "tickets", t([tr[0], tr[0], tr[2], tr[3]]), 3, [(3, "id", "duplicate")])
    case("closed before opened", "tickets", t([tr[0], tr[1].replace("2024-11-07,2024-11-07", "2024-11-07,2024-11-01"), tr[2], tr[3]]), 3, [(3, "closed", "dates_out_of_order")])
    return out


def write_books(cases: list[dict]) -> int:
    out = ROOT / "tests" / "conformance" / "hostile_books"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    for i, c in enumerate(cases, 1):
        stem = "".join(ch if ch.isalnum() else "_" for ch in c["name"].lower()).strip("_")
        while "__" in stem:
            stem = stem.replace("__", "_")
        (out / f"{i:03d}_{stem[:70]}.json").write_text(json.dumps(c, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(cases)


def write(name: str, target: str, description: str, cases: list[dict], **extra) -> int:
    doc = {"target": target, "description": description, **extra, "cases": cases}
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), f"{name}: case names repeat"
    old = OUT / f"{name}.json"
    # Keep problems recorded from the core for cases whose input and expectation are unchanged.
    if old.exists():
        before = {c["name"]: c for c in json.loads(old.read_text(encoding="utf-8"))["cases"]}
        for c in cases:
            b = before.get(c["name"])
            if b and b["input"] == c["input"] and "problems" in b["expect"]:
                if {k: v for k, v in b["expect"].items() if k != "problems"} == c["expect"]:
                    c["expect"]["problems"] = b["expect"]["problems"]
    (OUT / f"{name}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(cases)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    n = 0
    n += write("conditions", "condition", "Condition text (`Condition(text)`, `new Condition(text)`, `str::parse`).", conditions())
    n += write("condition_json", "condition_json", "A condition's structured form as JSON text (`Condition.from_json`).", condition_json())
    st, sj = scorecards()
    n += write("scorecard_toml", "scorecard_toml", "Scorecard TOML (`Scorecard.from_toml`).", st)
    n += write("scorecard_json", "scorecard_json", "Scorecard JSON (`Scorecard.from_json`).", sj)
    tt, tj = tier_rules()
    n += write("tier_rules_toml", "tier_rules_toml", "Tier rules TOML (`TierRules.from_toml`).", tt)
    n += write("tier_rules_json", "tier_rules_json", "Tier rules JSON (`TierRules.from_json`).", tj)
    pt, pj = playbooks()
    n += write("playbook_toml", "playbook_toml", "Playbook TOML (`Playbook.from_toml`).", pt)
    n += write("playbook_json", "playbook_json", "Playbook JSON (`Playbook.from_json`).", pj)
    n += write("model_set_json", "model_set_json", "Model set JSON (`ModelSet.from_json`).", model_sets())
    n += write("fire_history_json", "fire_history_json", "A stored fire history (`FireHistory.from_json`).", fire_histories())
    n += write(
        "day",
        "day",
        "A value given as a day: `book.features_as_of(day)` on the clean book of the bad-input suite (Rust: `interchange::parse_day`, then `features_as_of`). Rust's types rule out the `invalid_type` cases.",
        days(),
        book="../bad_input/000_the_clean_book.json",
    )
    n += write(
        "account_id",
        "account_id",
        "A value given as an account id to `Scorecard.explain` (the scorecard below, TOML) over the frame below. Rust's types rule out the `invalid_type` cases.",
        account_ids(),
        scorecard=CARD,
        frame=EXPLAIN_DATA,
    )
    b = write_books(books())
    print(f"wrote {n} hostile inputs to {OUT.relative_to(ROOT)} and {b} hostile books to tests/conformance/hostile_books")


if __name__ == "__main__":
    main()
