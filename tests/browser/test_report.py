"""The weekly report in a real headless browser (Chromium, driven by Selenium), as a CS Ops
lead opens it: the page loads with no console error and no network request, every section
and chart is there and drawn, a full-page screenshot and one per section are made, and the
print-to-PDF starts each section on a new page.

Run by ``scripts/test-report.sh``, which makes the report (``cs_week --html``) and names it
in ``CSOPS_REPORT``. The artefacts (``week.png``, ``sections/*.png``, ``week.pdf``) go
beside the report, under ``target/report/``, for a person to look at.
"""

import base64
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

REPORT = Path(os.environ.get("CSOPS_REPORT", "target/report/week.html")).resolve()
OUT = REPORT.parent
SECTIONS = [
    ("quality", "Data quality"),
    ("health", "Health"),
    ("backtest", "Back-test of the score"),
    ("recalibration", "Re-calibration"),
    ("forecast", "Renewal forecast"),
    ("retention", "Retention"),
    ("segmentation", "Segmentation and coverage"),
    ("playbooks", "Playbooks"),
]


def _browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture(scope="module")
def browser():
    if not REPORT.exists():
        pytest.fail(f"{REPORT} is missing: scripts/test-report.sh makes it")
    driver = _browser()
    yield driver
    driver.quit()


def _open(driver, path):
    """Load ``path``; return its console errors and every URL it asked for."""
    driver.get_log("browser")  # drop what an earlier page left
    driver.get_log("performance")
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    requests = []
    import json

    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    return errors, requests


def test_loads_with_no_console_error_and_no_request(browser):
    errors, requests = _open(browser, REPORT)
    assert errors == []
    outside = [u for u in requests if u != REPORT.as_uri() and not u.startswith("data:")]
    assert outside == []


def test_the_check_catches_a_page_that_reaches_out(browser):
    # The same page with one image from the network: the checks above must see it (the page's
    # content security policy refuses the request, and says so on the console).
    html = REPORT.read_text(encoding="utf-8").replace(
        "<main>", '<main><img alt="" src="https://example.invalid/pixel.png">', 1
    )
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "reaching.html"
        page.write_text(html, encoding="utf-8")
        errors, requests = _open(browser, page)
    outside = [u for u in requests if u.startswith("http")]
    assert errors or outside, "an outside request went unnoticed"


def test_every_section_and_chart_is_there_and_drawn(browser):
    _open(browser, REPORT)
    sections = browser.find_elements(By.CSS_SELECTOR, "main > section")
    assert [(s.get_attribute("id"), s.find_element(By.TAG_NAME, "h2").text) for s in sections] == SECTIONS
    charts = 0
    for s in sections:
        answer = s.find_element(By.CSS_SELECTOR, "p.answer").text
        assert len(answer) > 20, s.get_attribute("id")
        assert s.find_elements(By.TAG_NAME, "table"), s.get_attribute("id")
        for svg in s.find_elements(By.CSS_SELECTOR, "svg.chart"):
            charts += 1
            size = svg.size
            assert size["width"] > 300 and size["height"] > 100
            # Drawn: shapes and words inside, a title and a description for a screen reader.
            assert len(svg.find_elements(By.CSS_SELECTOR, "rect, path, polyline, polygon, circle, line")) > 3
            assert svg.find_elements(By.TAG_NAME, "text")
            assert browser.execute_script("return arguments[0].querySelector('title').textContent", svg)
            assert browser.execute_script("return arguments[0].querySelector('desc').textContent", svg)
    assert charts >= 10
    # Small samples are said in words on the chart, not only by a paler colour.
    assert "too few" in browser.find_element(By.ID, "backtest").get_attribute("innerHTML")


def test_screenshots(browser):
    _open(browser, REPORT)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1200, height + 200)
    whole = OUT / "week.png"
    assert browser.save_screenshot(str(whole))
    assert whole.stat().st_size > 50_000
    shots = OUT / "sections"
    shots.mkdir(exist_ok=True)
    for id_, _ in SECTIONS:
        path = shots / f"{id_}.png"
        browser.find_element(By.ID, id_).screenshot(str(path))
        assert path.stat().st_size > 5_000, id_
    # The docs' reporting page shows these; `UPDATE_DOCS=1` refreshes them.
    if os.environ.get("UPDATE_DOCS"):
        docs = Path(__file__).resolve().parents[2] / "docs" / "img" / "report"
        docs.mkdir(parents=True, exist_ok=True)
        for id_, _ in SECTIONS:
            shutil.copy(shots / f"{id_}.png", docs / f"{id_}.png")


def test_print_to_pdf_starts_each_section_on_a_new_page(browser):
    _open(browser, REPORT)
    options = PrintOptions()
    options.background = True
    pdf = base64.b64decode(browser.print_page(options))
    (OUT / "week.pdf").write_bytes(pdf)
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(SECTIONS) <= len(pages) <= 60
    starts = []
    for _, title in SECTIONS:
        # A section's heading is the first line of the page it starts (the first section
        # follows the title on page 1).
        found = [
            i
            for i, text in enumerate(pages)
            if title in [line.strip() for line in text.splitlines()[:4]]
        ]
        assert found, f"{title!r} starts no page"
        starts.append(found[0])
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    assert starts[0] == 0
    # Every page has text: no blank page between sections.
    assert all(re.search(r"\w", text) for text in pages)
