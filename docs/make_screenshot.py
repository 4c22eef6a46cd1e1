"""Regenerate docs/story-page.png: the story page of a real edit in headless chromium.

python docs/make_screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from tests.archive import EDITED_TITLE, build_archive, serving  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        config = build_archive(Path(temporary))
        with serving(config) as base_url:
            options = webdriver.ChromeOptions()
            options.binary_location = "/usr/bin/chromium"
            for argument in (
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--window-size=820,900",
            ):
                options.add_argument(argument)
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            try:
                driver.get(f"{base_url}/?kind=changed")
                driver.find_element(By.LINK_TEXT, EDITED_TITLE).click()
                driver.save_screenshot(str(REPO_ROOT / "docs" / "story-page.png"))
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
