"""Screenshots of the HTML reports at 1280 and 390 px wide (Playwright + Debian's chromium).

Regenerate the pictures in this folder with::

    synpharm run ketamine_slice_ltp --out out/ketamine -q
    synpharm validate --report out/validate -q
    .venv/bin/python docs/screenshots/make_screenshots.py out/ketamine out/validate

Each picture is the top of the page (1.6 x the width high at 1280 px, 3 x at 390 px), enough
to show the layout without storing megabytes of PNG.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def main(folders: list[str]) -> None:
    names = ["run", "validate", "sweep"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        for name, folder in zip(names, folders, strict=False):
            for width, height in ((1280, 2048), (390, 1170)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto((Path(folder) / "index.html").resolve().as_uri(), wait_until="load")
                page.screenshot(path=str(HERE / f"report_{name}_{width}.png"))
                page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
