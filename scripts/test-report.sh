#!/usr/bin/env bash
# The weekly report in a real browser: make the sample book's report with the main job, then
# open it in headless Chromium (Selenium) and check it as tests/browser/test_report.py says.
# Installs Chromium and ChromeDriver from Debian's packages where missing (as root), and
# Selenium and pypdf into the test virtualenv. Artefacts: target/report/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "error: the report's browser test needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver)" >&2
        exit 1
    fi
fi

venv="$root/target/py-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "selenium>=4.20" "pypdf>=4" pytest

mkdir -p target/report
cargo run --quiet --release --locked -p csops-core --example cs_week -- --html target/report/week.html > target/report/week.txt
CSOPS_REPORT="$root/target/report/week.html" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/browser
