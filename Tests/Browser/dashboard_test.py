#!/usr/bin/env python3
"""Clicks through the dashboard in headless Chromium against a real `ghost serve`.

Signs in with the token, sees queues, components and receipts, pauses and resumes a queue, retries a
failed patch, cancels a queued one and reverts an applied one (accepting each confirm), watches a patch appear live without a
reload, checks that the browser reported no CSP violation, and that `read_only` hides the buttons.
Screenshots of the main views go to docs/screenshots/.

Usage: Tests/Browser/dashboard_test.py [--ghost PATH] [--screenshots DIR]
Needs chromium, chromium-driver and selenium (.ci/run installs them).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "browser-test-token-0123456789abcdef0123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Host:
    """A `ghost serve` in a temporary folder of its own."""

    def __init__(self, ghost, extra_config=""):
        self.folder = Path(tempfile.mkdtemp(prefix="ghost-browser-"))
        (self.folder / "src").mkdir()
        (self.folder / "src/App.tsx").write_text("<Text>Loading</Text>\nkeep\n")
        (self.folder / "ghost.yml").write_text(
            "http: {token_env: GHOST_TOKEN}\n" + extra_config + "queues:\n  default: {dir: patches, workspace: .}\n"
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, GHOST_TOKEN=TOKEN)
        env.pop("GHOST_CONFIG", None)
        self.log = open(self.folder / "serve.log", "w")
        self.process = subprocess.Popen(
            [ghost, "serve", "--port", str(self.port)], cwd=self.folder, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.api("GET", "/health")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("ghost serve did not start: " + (self.folder / "serve.log").read_text())

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + TOKEN)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read() or b"{}")

    def submit(self, patch_id, pattern, replacement, wait=True):
        patch = {"id": patch_id, "role": "ui_patch", "target_file": "src/App.tsx", "patch": {"pattern": pattern, "replacement": replacement}}
        return self.api("POST", "/api/patches" + ("?wait=10" if wait else ""), patch)

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        return code


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def click(driver, css):
    """Clicks an element; the live stream may redraw the tables meanwhile, so a stale one is found again."""

    def clicked(d):
        try:
            d.find_element(By.CSS_SELECTOR, css).click()
            return True
        except StaleElementReferenceException:
            return False

    WebDriverWait(driver, 15).until(clicked)


def click_row(driver, patch_id):
    click(driver, f'#patches tr[data-id="{patch_id}"]')


def step(name):
    print(f"== {name}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ghost", default=os.environ.get("GHOST_BIN", str(ROOT / ".build/debug/ghost")))
    parser.add_argument("--screenshots", default=str(ROOT / "docs/screenshots"))
    args = parser.parse_args()
    shots = Path(args.screenshots)
    shots.mkdir(parents=True, exist_ok=True)
    started = time.time()

    host = Host(args.ghost)
    driver = browser()
    wait = WebDriverWait(driver, 15)
    try:
        host.submit("fix-loading-text", "<Text>Loading</Text>", "<Text>Done</Text>")
        failed = host.submit("rename-missing-label", "<Label>Old</Label>", "<Label>New</Label>")
        assert failed["result"]["status"] == "failed", failed

        step("the page asks for the token once, and a wrong one is refused")
        driver.get(host.url + "/")
        wait.until(EC.visibility_of_element_located((By.ID, "token"))).send_keys("wrong")
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "login-error"), "not right"))
        driver.save_screenshot(str(shots / "dashboard-sign-in.png"))
        driver.find_element(By.ID, "token").send_keys(TOKEN)
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()

        step("queues, components and receipts appear")
        wait.until(EC.visibility_of_element_located((By.ID, "main")))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#queues tr[data-queue="default"]')))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#patches tr[data-id="fix-loading-text"]')))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#patches tr[data-id="rename-missing-label"]')))
        wait.until(EC.text_to_be_present_in_element((By.ID, "components"), "executor:default"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "live"), "live"))
        cookies = driver.get_cookies()
        assert any(c["name"] == "ghost_session" and c["httpOnly"] and c.get("sameSite") == "Strict" for c in cookies), cookies
        assert driver.execute_script("return document.cookie") == "", "the session cookie must be out of reach of scripts"

        step("a receipt with its diff")
        click_row(driver, "fix-loading-text")
        wait.until(EC.text_to_be_present_in_element((By.ID, "d-id"), "fix-loading-text"))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#d-diff span.add")))
        assert "<Text>Done</Text>" in driver.find_element(By.CSS_SELECTOR, "#d-diff span.add").text
        assert "<Text>Loading</Text>" in driver.find_element(By.CSS_SELECTOR, "#d-diff span.del").text
        driver.save_screenshot(str(shots / "dashboard-overview.png"))

        step("pause and resume the queue")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, 'button[data-queue="default"]'), "Pause"))
        click(driver, 'button[data-queue="default"]')
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#queues tr[data-queue="default"]'), "paused"))
        assert host.api("GET", "/api/status")["queues"]["default"]["paused"] is True

        step("a patch submitted meanwhile appears live, and is cancelled")
        host.submit("queued-while-paused", "keep", "kept", wait=False)
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#patches tr[data-id="queued-while-paused"]'), "queued"))
        click_row(driver, "queued-while-paused")
        cancel = wait.until(EC.visibility_of_element_located((By.ID, "d-cancel")))
        driver.save_screenshot(str(shots / "dashboard-paused-queue.png"))
        cancel.click()
        wait.until(EC.alert_is_present())
        driver.switch_to.alert.accept()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#patches tr[data-id="queued-while-paused"]'), "cancelled"))
        assert host.api("GET", "/api/patches/queued-while-paused")["reason"] == "cancelled"

        click(driver, 'button[data-queue="default"]')
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#queues tr[data-queue="default"]'), "running"))
        assert host.api("GET", "/api/status")["queues"]["default"]["paused"] is False

        step("retry a failed patch, declining the confirm first")
        (host.folder / "src/App.tsx").write_text("<Label>Old</Label>\n")
        click_row(driver, "rename-missing-label")
        wait.until(EC.text_to_be_present_in_element((By.ID, "d-meta"), "no_match"))
        retry = wait.until(EC.visibility_of_element_located((By.ID, "d-retry")))
        driver.save_screenshot(str(shots / "dashboard-failed-receipt.png"))
        retry.click()
        wait.until(EC.alert_is_present())
        driver.switch_to.alert.dismiss()
        time.sleep(0.5)
        assert host.api("GET", "/api/patches/rename-missing-label").get("attempt", 1) == 1
        retry.click()
        wait.until(EC.alert_is_present())
        driver.switch_to.alert.accept()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#patches tr[data-id="rename-missing-label"]'), "applied"))
        receipt = host.api("GET", "/api/patches/rename-missing-label")
        assert receipt["status"] == "applied" and receipt["attempt"] == 2, receipt

        step("a new patch appears live, applied, without a reload")
        marker = driver.execute_script("window.__noReload = 1; return window.__noReload")
        host.submit("live-arrival", "New", "Newer", wait=False)
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#patches tr[data-id="live-arrival"]'), "applied"))
        assert driver.execute_script("return window.__noReload") == marker

        step("markup in a patch is shown as text, never run")
        host.submit("markup-in-diff", "Newer", '<img src=x onerror="window.__xss=1">')
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#patches tr[data-id="markup-in-diff"]')))
        click_row(driver, "markup-in-diff")
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#d-diff"), "onerror"))
        time.sleep(0.3)
        assert driver.execute_script("return window.__xss") is None, "markup from a diff ran"
        assert not driver.find_elements(By.CSS_SELECTOR, "#d-diff img")

        step("revert an applied patch, accepting the confirm")
        before = (host.folder / "src/App.tsx").read_text()
        assert "onerror" in before, before
        revert = wait.until(EC.visibility_of_element_located((By.ID, "d-revert")))
        revert.click()
        wait.until(EC.alert_is_present())
        driver.switch_to.alert.accept()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, '#patches tr[data-id="revert-markup-in-diff"]'), "applied"))
        after = (host.folder / "src/App.tsx").read_text()
        assert "onerror" not in after and "Newer" in after, after

        step("filters and search")
        driver.find_element(By.ID, "f-q").send_keys("live")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#patches tbody tr")) == 1)
        driver.find_element(By.ID, "f-q").clear()
        driver.execute_script("document.getElementById('f-q').dispatchEvent(new Event('input'))")
        driver.find_element(By.CSS_SELECTOR, "#f-status option[value='']")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#patches tbody tr")) >= 5)
        click_row(driver, "fix-loading-text")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#d-diff span.add")))
        driver.save_screenshot(str(shots / "dashboard-live.png"))

        step("no script errors and no CSP violations")
        problems = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE" and "wrong" not in entry["message"]]
        problems = [p for p in problems if "/api/session" not in p["message"]]
        assert not problems, problems
    except Exception:
        driver.save_screenshot(str(Path(tempfile.gettempdir()) / "dashboard-failure.png"))
        print(open(host.folder / "serve.log").read()[-4000:], file=sys.stderr)
        raise
    finally:
        driver.quit()
        assert host.stop() == 0

    step("read_only: no buttons")
    host = Host(args.ghost, "dashboard: {read_only: true}\n")
    driver = browser()
    try:
        host.submit("read-only-failure", "absent", "x")
        driver.get(host.url + "/")
        wait = WebDriverWait(driver, 15)
        wait.until(EC.visibility_of_element_located((By.ID, "token"))).send_keys(TOKEN)
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '#patches tr[data-id="read-only-failure"]')))
        click_row(driver, "read-only-failure")
        wait.until(EC.text_to_be_present_in_element((By.ID, "d-meta"), "no_match"))
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'button[data-queue="default"]')))
        hidden = "return [...document.querySelectorAll('button.act')].every((b) => b.offsetParent === null)"
        assert driver.execute_script(hidden), "read_only must hide every button that acts"
        assert driver.find_element(By.ID, "readonly").is_displayed()
    finally:
        driver.quit()
        assert host.stop() == 0
    print(f"dashboard browser test passed in {time.time() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
