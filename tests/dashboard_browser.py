#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The dashboard in a real browser (issue 18): Debian's chromium, headless,
driven by selenium through chromium-driver.

Starts `cfota server` on a fresh folder, uploads two images of the example
firmware, enrols a fleet, drives real device traffic over the device API
(checks, downloads, reports, some failures), then opens the dashboard,
logs in and checks what the page shows against that traffic: the counts,
their refresh without a reload, the chart and failures of a release, the
devices' pages and IMEI search, the packages. It pauses and resumes a
release and revokes a device through the page and checks with the admin API
that the server did it; it logs in with a read token and checks that the
page offers no action and that the server refuses one; and it submits a
form from another origin at the pause route (a CSRF attempt) and checks
that nothing changed. Screenshots go to OUT.

usage: dashboard_browser.py CFOTA_BIN IMAGES_DIR OUT_DIR
Figures (page weight, time to data) are printed, never asserted on time.
"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoSuchElementException,
                                            StaleElementReferenceException, TimeoutException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None
if webdriver is None or not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
    print("dashboard_browser: skipped: needs the Debian packages chromium, chromium-driver "
          "and python3-selenium (./run installs them)")
    sys.exit(77)

ADMIN = "dash-test-admin-token-0123456789abcdef"
PRODUCT = "m4app"
OLD, NEW = "1.0.0", "2.0.0"
PILOT = "3.0.0"  # a group release in waves, for the advance action
FLEET = int(os.environ.get("CFOTA_DASH_DEVICES", "250"))
# The traffic of the release: devices 0.. in these states, the rest idle.
N_OK, N_FAIL, N_DOWNLOADING, N_CHECKED = 6, 3, 2, 1
WAIT = 60  # seconds a page may take to show something (a loaded machine)


def imei(i):
    return "86772303%07d" % i


class Server:
    def __init__(self, binary, folder):
        token_file = os.path.join(folder, "admin-token")
        with open(token_file, "w") as f:
            f.write(ADMIN + "\n")
        self.log = open(os.path.join(folder, "server.log"), "w+")
        self.proc = subprocess.Popen(
            [binary, "server", "--data", os.path.join(folder, "data"), "--port", "0",
             "--admin-token-file", token_file, "--threads", "2", "--no-access-log"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if "http://" not in line:
            raise RuntimeError("server did not start: " + line)
        self.base = line.split("listening on ")[1].split(",")[0]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def call(self, method, path, token=ADMIN, body=None):
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def admin(self, method, path, body=None, token=ADMIN, expect=(200, 201)):
        status, data = self.call(method, "/admin/v1/" + path, token, body)
        if status not in expect:
            raise AssertionError("%s %s: %d %s" % (method, path, status, data))
        return json.loads(data)

    def device(self, path):
        status, data = self.call("GET", path, token=None)
        if status != 200:
            raise AssertionError("GET %s: %d %s" % (path.split("?")[0], status, data))
        return data


def check(srv, dev, ver):
    text = srv.device("/d/v1/check?imei=%s&tok=%s&ver=%s" % (dev, srv.tokens[dev], ver))
    return dict(l.split("=", 1) for l in text.decode().split("\n") if "=" in l)


def report(srv, dev, result, ver, reason=""):
    q = "/d/v1/report?imei=%s&tok=%s&from=%s&to=%s&ver=%s&result=%s" % (
        dev, srv.tokens[dev], OLD, NEW, ver, result)
    srv.device(q + ("&reason=" + reason if reason else ""))


def offer(srv, dev):
    """A check until the server offers the update (its delta may still be
    building: status=none with retry)."""
    for _ in range(600):
        a = check(srv, dev, OLD)
        if a["status"] == "update":
            return a
        time.sleep(0.2)
    raise AssertionError("no update offered to %s" % dev)


def drive_traffic(srv):
    """Devices 0.. check, download and report as the constants say."""
    n = 0
    for state, count in (("ok", N_OK), ("fail", N_FAIL), ("downloading", N_DOWNLOADING),
                         ("checked", N_CHECKED)):
        for _ in range(count):
            dev = imei(n)
            n += 1
            a = offer(srv, dev)
            if state == "checked":
                continue
            package = srv.device(a["url"])
            assert len(package) == int(a["size"]), "a package of the size the check said"
            if state == "ok":
                report(srv, dev, "ok", NEW)
            elif state == "fail":
                report(srv, dev, "fail", OLD, "md5")


def set_up(srv, images):
    for ver, name in ((OLD, "m4app-v1.bin"), (NEW, "m4app-v2.bin"), (PILOT, "m4app-v3.bin")):
        with open(os.path.join(images, name), "rb") as f:
            srv.admin("PUT", "images/%s?product=%s" % (ver, PRODUCT), f.read())
    srv.tokens = {}
    for i in range(FLEET):
        dev = imei(i)
        srv.tokens[dev] = srv.admin("POST", "devices?imei=%s&product=%s" % (dev, PRODUCT))["token"]
    # max_fail 100: the test's failures must not pause the release on their
    # own; the page's pause is what is tested.
    rel = srv.admin("POST", "releases?product=%s&target=%s&max_fail=100" % (PRODUCT, NEW))
    srv.pilot = srv.admin("POST", "releases?product=%s&target=%s&group=pilot&waves=10,50,100"
                          % (PRODUCT, PILOT))["id"]
    return rel["id"]


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1400,1000", "--no-first-run", "--disable-extensions",
              "--disable-background-networking", "--disable-sync"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def wait_for(driver, cond, what):
    try:
        # Rows are redrawn on every refresh: an element found may go stale.
        return WebDriverWait(driver, WAIT, ignored_exceptions=(
            StaleElementReferenceException, NoSuchElementException, IndexError)).until(cond)
    except TimeoutException:
        # What the page said, and the browser's console (a script error).
        shown = driver.find_element(By.ID, "message").text if driver.find_elements(
            By.ID, "message") else ""
        console = [e["message"] for e in driver.get_log("browser")]
        raise AssertionError("the page never showed %s (message: %r, console: %r)"
                             % (what, shown, console))


def cells(row):
    return [td.text for td in row.find_elements(By.TAG_NAME, "td")]


def release_row(driver, rel):
    return driver.find_element(By.CSS_SELECTOR, '#releases tr[data-id="%d"]' % rel)


def login(driver, srv, token, out=None):
    driver.get(srv.base + "/")
    box = wait_for(driver, EC.visibility_of_element_located((By.ID, "token")), "the login form")
    if out:
        shot(driver, out, "login")
    box.send_keys(token)
    started = time.monotonic()
    driver.find_element(By.ID, "login-button").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#releases tbody tr"),
             "releases after logging in")
    return time.monotonic() - started


def shot(driver, out, name):
    driver.save_screenshot(os.path.join(out, "dashboard-%s.png" % name))


def test_admin_views(driver, srv, rel, out):
    took = login(driver, srv, ADMIN, out)
    print("figure: login click to releases shown (polled every 0.5 s): %.0f ms" % (took * 1000))
    assert driver.find_element(By.ID, "role").text == "admin"
    c = cells(release_row(driver, rel))
    # id product target group state wave share offered checked downloading succeeded failed
    assert c[1:5] == [PRODUCT, NEW, "all", "active"], c
    offered = N_OK + N_FAIL + N_DOWNLOADING + N_CHECKED
    assert c[7:12] == [str(offered), str(N_CHECKED), str(N_DOWNLOADING), str(N_OK),
                       str(N_FAIL)], c
    shot(driver, out, "releases")

    # Live: one more device succeeds; the count moves without a reload.
    marker = driver.execute_script("return window.performance.timeOrigin")
    dev = imei(N_OK + N_FAIL)  # one of the downloading devices
    report(srv, dev, "ok", NEW)
    wait_for(driver, lambda d: cells(release_row(d, rel))[10] == str(N_OK + 1),
             "the new success without a reload")
    assert driver.execute_script("return window.performance.timeOrigin") == marker, "no reload"

    # The release: its chart and its failures with each device's report.
    release_row(driver, rel).find_element(By.TAG_NAME, "a").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart polyline.line-fail"),
             "the release's chart")
    ok_line = driver.find_element(By.CSS_SELECTOR, "#chart polyline.line-ok")
    fail_line = driver.find_element(By.CSS_SELECTOR, "#chart polyline.line-fail")
    assert ok_line.get_attribute("data-count") == str(N_OK + 1)
    assert fail_line.get_attribute("data-count") == str(N_FAIL)
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#failures tbody tr"))
             == N_FAIL, "the failures")
    for tr in driver.find_elements(By.CSS_SELECTOR, "#failures tbody tr"):
        c = cells(tr)
        assert c[0] in [imei(N_OK + i) for i in range(N_FAIL)], c
        assert c[1] == OLD and c[3] == "md5", c
        assert c[4] == "fail %s->%s on %s: md5" % (OLD, NEW, OLD), c
    shot(driver, out, "release")
    # The view alone, as docs/dashboard.png shows it.
    driver.find_element(By.ID, "view-release").screenshot(
        os.path.join(out, "dashboard-release-view.png"))

    # Devices: pages of 100, the IMEI search.
    started = time.monotonic()
    driver.find_element(By.LINK_TEXT, "Devices").click()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#devices tbody tr"))
             == min(FLEET, 100), "a page of devices")
    print("figure: devices page of %d devices shown: %.0f ms" %
          (FLEET, (time.monotonic() - started) * 1000))
    first = cells(driver.find_elements(By.CSS_SELECTOR, "#devices tbody tr")[0])
    assert first[0] == imei(0) and first[1] == PRODUCT and first[3] == NEW
    assert first[4] == "succeeded", first
    shot(driver, out, "devices")
    if FLEET > 100:
        driver.find_element(By.ID, "next-page").click()
        wait_for(driver, lambda d: cells(d.find_elements(By.CSS_SELECTOR, "#devices tbody tr")[0])[0]
                 == imei(100), "the second page of devices")
    search = driver.find_element(By.ID, "device-search")
    search.clear()
    search.send_keys(imei(N_OK))  # a failed device
    started = time.monotonic()
    search.submit()
    wait_for(driver, lambda d: [cells(tr)[0] for tr in
                                d.find_elements(By.CSS_SELECTOR, "#devices tbody tr")]
             == [imei(N_OK)], "the device searched for")
    print("figure: IMEI search among %d devices shown: %.0f ms" %
          (FLEET, (time.monotonic() - started) * 1000))
    c = cells(driver.find_element(By.CSS_SELECTOR, "#devices tbody tr"))
    assert c[4] == "failed" and c[7] == "fail %s->%s on %s: md5" % (OLD, NEW, OLD), c

    # Revoke it through the page; the server refuses its token then.
    driver.find_element(By.CSS_SELECTOR, "#devices button.revoke").click()
    WebDriverWait(driver, WAIT).until(EC.alert_is_present()).accept()
    wait_for(driver, lambda d: "revoked" in cells(d.find_element(By.CSS_SELECTOR,
                                                                  "#devices tbody tr"))[8],
             "the device revoked")
    assert srv.admin("GET", "devices/" + imei(N_OK))["revoked"] is True
    status, _ = srv.call("GET", "/d/v1/check?imei=%s&tok=%s&ver=%s" % (
        imei(N_OK), srv.tokens[imei(N_OK)], OLD), token=None)
    assert status == 403, status

    # Packages, with their size against the full image.
    driver.find_element(By.LINK_TEXT, "Packages").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#packages tbody tr"),
             "the packages")
    image_size = os.path.getsize(os.path.join(sys.argv[2], "m4app-v2.bin"))
    rows = [cells(tr) for tr in driver.find_elements(By.CSS_SELECTOR, "#packages tbody tr")]
    delta = [r for r in rows if r[1] == OLD and r[2] == NEW]
    assert delta and delta[0][7] == str(image_size) and delta[0][8].endswith("%"), rows
    shot(driver, out, "packages")

    # Pause through the page, then resume; the server did each.
    driver.find_element(By.LINK_TEXT, "Releases").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#releases tr[data-id="%d"] '
                                               'button.pause' % rel), "the pause button")
    release_row(driver, rel).find_element(By.CSS_SELECTOR, "button.pause").click()
    wait_for(driver, lambda d: cells(release_row(d, rel))[4] == "paused", "the release paused")
    got = srv.admin("GET", "releases/%d" % rel)
    assert got["state"] == "paused" and got["reason"] == "operator", got
    assert check(srv, imei(N_OK + N_FAIL + N_DOWNLOADING + N_CHECKED), OLD)["status"] == "none"
    shot(driver, out, "paused")
    release_row(driver, rel).find_element(By.CSS_SELECTOR, "button.resume").click()
    wait_for(driver, lambda d: cells(release_row(d, rel))[4] == "active", "the release resumed")
    assert srv.admin("GET", "releases/%d" % rel)["state"] == "active"

    # Advance the pilot release's wave through the page.
    c = cells(release_row(driver, srv.pilot))
    assert c[3:7] == ["pilot", "active", "1 of 3", "10%"], c
    release_row(driver, srv.pilot).find_element(By.CSS_SELECTOR, "button.advance").click()
    wait_for(driver, lambda d: cells(release_row(d, srv.pilot))[5] == "2 of 3",
             "the pilot release in its second wave")
    got = srv.admin("GET", "releases/%d" % srv.pilot)
    assert got["wave"] == 2 and got["share"] == 50, got

    # Time to data with a token already in the tab: navigation to rows.
    driver.get(srv.base + "/")
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.loaded")
             == "releases", "the releases after a reload")
    ms = driver.execute_script("return document.body.dataset.firstData")
    print("figure: navigation start to releases shown (logged in, page's own clock): %s ms" % ms)
    driver.find_element(By.ID, "logout").click()


def test_read_only(driver, srv, rel, out):
    viewer = srv.admin("POST", "tokens?name=viewer&role=read")["token"]
    login(driver, srv, viewer)
    assert driver.find_element(By.ID, "role").text == "read only"
    row = release_row(driver, rel)
    buttons = row.find_elements(By.CSS_SELECTOR, "button")
    assert buttons, "the actions are in the page (hidden and disabled)"
    assert all(not b.is_displayed() and not b.is_enabled() for b in buttons)
    shot(driver, out, "read-only")
    # The page's own request with this token, as a script would send it:
    # the server refuses it, whatever the page shows.
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/admin/v1/releases/%d/pause', {method: 'POST', headers: {Authorization:"
        " 'Bearer ' + sessionStorage.getItem('cfota-admin-token')}}).then(r => r.json())"
        ".then(j => done(j.error));" % rel)
    assert status == "read_only", status
    assert srv.admin("GET", "releases/%d" % rel)["state"] == "active"
    driver.find_element(By.ID, "logout").click()


class Evil(http.server.BaseHTTPRequestHandler):
    """Another origin: a page whose form posts to the dashboard's server."""
    target = ""

    def do_GET(self):
        page = ('<!DOCTYPE html><form id="f" method="POST" action="%s"></form>'
                '<script>document.getElementById("f").submit()</script>' % Evil.target)
        data = page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_cross_site_form(driver, srv, rel):
    """A logged-in operator's browser visits another site whose form posts
    to the pause route: no cookie carries the token, so it is refused."""
    login(driver, srv, ADMIN)
    Evil.target = srv.base + "/admin/v1/releases/%d/pause" % rel
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    evil.daemon_threads = True
    t = threading.Thread(target=evil.serve_forever, daemon=True)
    t.start()
    try:
        driver.get("http://127.0.0.1:%d/" % evil.server_address[1])
        wait_for(driver, lambda d: "missing_token" in d.page_source, "the refused form post")
    finally:
        evil.shutdown()
        evil.server_close()
    assert srv.admin("GET", "releases/%d" % rel)["state"] == "active"


def page_weight(srv):
    total = 0
    for path in ("/", "/dashboard.js", "/dashboard.css"):
        status, data = srv.call("GET", path, token=None)
        assert status == 200, path
        total += len(data)
    print("figure: first page weight (html+js+css): %d bytes" % total)
    assert total < 100 * 1024, total


def main():
    binary, images, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="cfota-dash-")
    srv = driver = None
    try:
        srv = Server(binary, folder)
        started = time.monotonic()
        rel = set_up(srv, images)
        drive_traffic(srv)
        print("figure: %d devices enrolled and traffic driven in %.1f s" %
              (FLEET, time.monotonic() - started))
        page_weight(srv)
        driver = browser()
        test_admin_views(driver, srv, rel, out)
        print('step done: %s %.1f s' % ('test_admin_views', time.monotonic() - started))
        test_read_only(driver, srv, rel, out)
        print('step done: %s %.1f s' % ('test_read_only', time.monotonic() - started))
        test_cross_site_form(driver, srv, rel)
        print('step done: %s %.1f s' % ('test_cross_site_form', time.monotonic() - started))
        print("dashboard_browser: all checks passed; screenshots in " + out)
    finally:
        if driver:
            driver.quit()
        if srv:
            srv.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
