#!/usr/bin/env python3
"""The dashboard of one host of a shared store shows the whole fleet, in headless Chromium.

Starts two hosts on one PostgreSQL ($GHOST_TEST_DATABASE_URL; scripts/with-postgres.sh sets it): h1 owns
queue `web`, h2 owns queue `api`. Patches go to h1 for both queues; h2's page, signed in with the token,
shows both queues with their owners, both receipts (the one h1 applied included, with its diff), and
pausing a queue on h2's page pauses it for h1 too.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dashboard_test import ROOT, TOKEN, Host, browser, click, click_row, free_port, step  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


class FleetHost:
    def __init__(self, ghost, folder, node, database):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = folder / f"{node}.yml"
        config.write_text(
            f"node: {node}\nstore: {{postgres: {{url_env: GHOST_DATABASE_URL, lease_s: 2, poll_ms: 200}}}}\n"
            "http: {token_env: GHOST_TOKEN}\ndefault_queue: web\nqueues:\n"
            f"  web: {{dir: spool-{node}/web, workspace: {folder}/web, owner: h1}}\n"
            f"  api: {{dir: spool-{node}/api, workspace: {folder}/api, owner: h2}}\n"
        )
        self.log = open(folder / f"{node}.log", "w")
        env = dict(os.environ, GHOST_TOKEN=TOKEN, GHOST_DATABASE_URL=database)
        self.process = subprocess.Popen(
            [ghost, "serve", "--config", str(config), "--port", str(self.port)], cwd=folder, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.api("GET", "/health")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{node} did not start: " + (folder / f"{node}.log").read_text())

    # The same authenticated JSON call as the single-host test's.
    api = Host.api

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ghost", default=os.environ.get("GHOST_BIN", str(ROOT / ".build/debug/ghost")))
    args = parser.parse_args()
    base = os.environ["GHOST_TEST_DATABASE_URL"]
    name = f"fleet_dashboard_{os.getpid()}"
    subprocess.run(["psql", base, "-Xqc", f"CREATE DATABASE {name}"], check=True)
    database = base.rsplit("/", 1)[0] + "/" + name
    folder = Path(tempfile.mkdtemp(prefix="ghost-fleet-browser-"))
    for queue in ["web", "api"]:
        (folder / queue / "src").mkdir(parents=True)
        (folder / queue / "src/App.tsx").write_text("<Text>Loading</Text>\n")
    h1 = FleetHost(args.ghost, folder, "h1", database)
    h2 = FleetHost(args.ghost, folder, "h2", database)
    driver = browser()
    wait = WebDriverWait(driver, 20)
    try:
        for queue, pid in [("web", "web-fix"), ("api", "api-fix")]:
            patch = {"id": pid, "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": "Loading", "replacement": pid}}
            answer = h1.api("POST", f"/api/queues/{queue}/patches?wait=15", patch)
            assert answer["result"]["status"] == "applied", answer

        step("h2's page shows both queues, with their owners, and both receipts")
        driver.get(h2.url + "/")
        wait.until(EC.visibility_of_element_located((By.ID, "token"))).send_keys(TOKEN)
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#queues tr[data-queue="web"]')))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#queues tr[data-queue="api"]')))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#patches tr[data-id="web-fix"]')))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#patches tr[data-id="api-fix"]')))
        wait.until(EC.text_to_be_present_in_element((By.ID, "components"), "queue:web"))

        step("the receipt h1 applied, with its diff, on h2's page")
        click_row(driver, "web-fix")
        wait.until(EC.text_to_be_present_in_element((By.ID, "d-id"), "web-fix"))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#d-diff span.add")))
        assert "web-fix" in driver.find_element(By.CSS_SELECTOR, "#d-diff span.add").text

        step("pausing web on h2's page pauses it for h1, its owner")
        click(driver, '#queues tr[data-queue="web"] button')
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#queues tr[data-queue="web"]'), "paused"))
        assert h1.api("GET", "/api/status")["queues"]["web"]["paused"] is True
        patch = {"id": "web-later", "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": "web-fix", "replacement": "later"}}
        h2.api("POST", "/api/queues/web/patches", patch)
        time.sleep(1.5)
        assert (folder / "web/src/App.tsx").read_text() == "<Text>web-fix</Text>\n", "a paused queue applied a patch"
        click(driver, '#queues tr[data-queue="web"] button')
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#queues tr[data-queue="web"]'), "running"))
        deadline = time.time() + 15
        while (folder / "web/src/App.tsx").read_text() != "<Text>later</Text>\n" and time.time() < deadline:
            time.sleep(0.1)
        assert (folder / "web/src/App.tsx").read_text() == "<Text>later</Text>\n"
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not errors, errors
        print("fleet dashboard: OK")
    finally:
        driver.quit()
        h1.stop()
        h2.stop()
        subprocess.run(["psql", base, "-Xqc", f"DROP DATABASE {name} WITH (FORCE)"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
