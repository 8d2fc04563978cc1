"""The HTML report in a real browser (Playwright driving Debian's chromium).

The run, validate and sweep reports, checked for what a reader depends on: the page loads,
every image loads, nothing is fetched from the network, no console errors, a figure opens at
full width on click, a table sorts on a click, and the page fits a phone-sized viewport
without horizontal scrolling.

Skipped, with the reason, only when Playwright or a chromium executable is missing
(``.ci/run`` installs both: chromium with apt, playwright with ``.[dev]``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app

pytestmark = pytest.mark.slow

PROTOCOL = """
[experiment]
name = "tiny_baclofen_series"
cohort = 3
seed = 2

[[conditions]]
name = "control"

[[condition_series]]
compound = "baclofen"
concentrations = ["0.3 uM", "1 uM", "3 uM", "10 uM", "30 uM"]

[[steps]]
type = "baseline"
duration = "6 min"
test_rate = "0.05 Hz"

[[steps]]
type = "wash_in"
duration = "8 min"
test_rate = "0.05 Hz"
exchange_time = "1 min"
"""

TARGETS = """
schema_version = 1

[[targets]]
id = "LAB-1"
role = "validation"
source = "Doe et al. 2024 J Neurosci 44:1, Fig. 2"
claim = "baclofen 10 uM depresses the fEPSP by more than half"
protocol = "tiny.toml"

[[targets.checks]]
what = "depression > 50 %"
compare = "range"
condition = "baclofen 10 uM"
readout = "baseline_change_percent"
high = -50.0
"""

SWEEP = """
[sweep]
name = "tiny_sweep"
cohort = 2
seeds = [0]

[concentrations]
compound = "baclofen"
values = ["1 uM", "3 uM", "10 uM", "30 uM", "100 uM"]

[[protocols]]
label = "depression"
[[protocols.steps]]
type = "baseline"
duration = "1 min"
test_rate = "0.1 Hz"
[[protocols.steps]]
type = "wash_in"
duration = "2 min"
test_rate = "0.1 Hz"
exchange_time = "10 s"
"""

_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str | None:
    for name in (os.environ.get("SYNPHARM_CHROMIUM"), "chromium", "chromium-browser"):
        if name and (path := shutil.which(name)):
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium executable (apt-get install chromium; .ci/run does this)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    (folder / "tiny.toml").write_text(PROTOCOL, encoding="utf-8")
    (folder / "targets.toml").write_text(TARGETS, encoding="utf-8")
    runner = CliRunner()
    run = runner.invoke(app, ["run", str(folder / "tiny.toml"), "--out", str(folder / "run"), "-q"])
    assert run.exit_code == 0, run.output
    validate = runner.invoke(
        app, ["validate", "--targets", str(folder / "targets.toml"), "--report",
              str(folder / "validate"), "-q"]
    )
    assert validate.exit_code == 0, validate.output
    (folder / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    sweep = runner.invoke(
        app, ["sweep", str(folder / "sweep.toml"), "--out", str(folder / "sweep"), "--store",
              str(folder / "sweep.store"), "-q"]
    )
    assert sweep.exit_code == 0, sweep.output
    return {kind: folder / kind / "index.html" for kind in ("run", "validate", "sweep")}


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


@pytest.mark.parametrize("kind", ["run", "validate", "sweep"])
@pytest.mark.parametrize("width", [1280, 390])
def test_report_loads_every_image_without_errors(browser, reports, kind, width, tmp_path):
    page, problems, requests = _open(browser, reports[kind], width)
    images = page.eval_on_selector_all(
        "img", "els => els.filter(e => e.closest('#lightbox') === null)"
        ".map(e => [e.getAttribute('src'), e.complete && e.naturalWidth > 0])"
    )
    assert images, "the report shows no figure"
    assert [src for src, ok in images if not ok] == []
    assert problems == []
    assert [u for u in requests if not u.startswith("file://")] == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow} px wider than a {width} px viewport"
    page.screenshot(path=str(tmp_path / f"{kind}_{width}.png"), full_page=True)
    page.close()


def test_figure_opens_full_width_and_tables_sort(browser, reports):
    page, problems, _ = _open(browser, reports["run"], 1280)
    page.click("figure img")
    box = page.locator("#lightbox")
    assert "open" in (box.get_attribute("class") or "")
    width = page.eval_on_selector("#lightbox img", "e => e.getBoundingClientRect().width")
    assert width > 0.8 * 1280 - 40 or page.eval_on_selector(
        "#lightbox img", "e => e.getBoundingClientRect().height"
    ) > 0.8 * 900
    box.click()
    assert "open" not in (box.get_attribute("class") or "")
    column = "td:nth-child(5)"  # n, numeric
    header = page.locator("table.sortable th").nth(3)  # mean ± SEM
    header.click()
    keys = page.eval_on_selector_all(
        "table.sortable tbody tr td:nth-child(4)", "els => els.map(e => parseFloat(e.dataset.sort))"
    )
    assert keys == sorted(keys)
    header.click()
    keys = page.eval_on_selector_all(
        "table.sortable tbody tr td:nth-child(4)", "els => els.map(e => parseFloat(e.dataset.sort))"
    )
    assert keys == sorted(keys, reverse=True)
    assert page.locator(f"table.sortable tbody tr {column}").count() > 0
    assert problems == []
    page.close()
