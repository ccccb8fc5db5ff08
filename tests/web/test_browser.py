"""The whole flow in a real headless Chromium (Debian's chromium + chromium-driver, Selenium):
log in, create a sample, upload the real pellet series, see Ea and the Arrhenius plot, compare two
batches, download the export; and drag DSC exports onto the drop zone (real DragEvent/DataTransfer
events dispatched in the page), see them stored and analysed as the library analyses them, and the
kinetics form refuse two scans at one heating rate, naming them.

Reference: the pellet s04147 of Adediwura et al., J. Mater. Chem. A 12 (2024) 15847 (0.8 cm x 0.21 cm,
140-200 degC) where ../shared is present, else the synthetic pellet of web_helpers (so that CI always
runs it). The Ea shown in the page must be the library's own ``conductivity_series`` result on the
same files (the web app runs the same workflow); the second batch is the same spectra with the
thickness doubled, so its conductivity is exactly twice the first's (sigma = d / (R A)).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
selenium = pytest.importorskip("selenium", reason="browser tests need selenium (pip install 'ssbkit[test]')")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="no headless browser: apt-get install -y chromium chromium-driver")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(settings):
    import uvicorn

    from ssbkit.web import create_app
    from ssbkit.web.auth import create_user
    from ssbkit.web.repo import create_lab

    app = create_app(settings)
    eng = app.state.ctx.engine
    create_user(eng, "ada", "ada-password", lab_id=create_lab(eng, "Lab A"), role="admin", is_site_admin=True)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    srv.should_exit = True
    th.join(10)


@pytest.fixture
def browser(tmp_path):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"):
        opts.add_argument(a)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    drv = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=opts)
    drv.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    drv.downloads = downloads
    yield drv
    drv.quit()


def _login(drv, base):
    drv.get(base + "/samples")  # not logged in: sent to the login page
    assert drv.current_url.endswith("/login")
    drv.find_element(By.ID, "username").send_keys("ada")
    drv.find_element(By.ID, "password").send_keys("ada-password")
    drv.find_element(By.ID, "login-button").click()
    WebDriverWait(drv, 10).until(EC.presence_of_element_located((By.ID, "new-sample")))


def _new_sample(drv, base, name, batch, thickness_cm):
    drv.get(base + "/samples")
    form = drv.find_element(By.ID, "new-sample")
    for field, value in (("name", name), ("composition", "Li3PS4"), ("batch", batch), ("operator", "ada"),
                         ("thickness_cm", str(thickness_cm)), ("diameter_cm", "0.8")):
        form.find_element(By.NAME, field).send_keys(value)
    form.find_element(By.ID, "create-sample").click()
    WebDriverWait(drv, 10).until(EC.presence_of_element_located((By.ID, "upload-form")))


def _upload(drv, files):
    drv.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in files))
    drv.find_element(By.ID, "upload-button").click()
    WebDriverWait(drv, 90).until(EC.presence_of_element_located((By.ID, "ea-table")))


def _second_batch_by_script(base, app, files, thickness_cm):
    """Batch B2 through the JSON API with a token (as a lab script would), to keep the test short."""
    import httpx

    from ssbkit.web.auth import create_token

    h = {"Authorization": f"Bearer {create_token(app.state.ctx.engine, 1)}"}
    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        sid = c.post("/api/samples", json={"name": "s04147 B", "composition": "Li3PS4", "batch": "B2",
                                           "thickness_cm": thickness_cm, "diameter_cm": 0.8}).json()["id"]
        r = c.post(f"/api/samples/{sid}/measurements", data={"kind": "eis"},
                   files=[("files", (p.name, p.read_bytes(), "text/plain")) for p in files])
        jid = r.json()["jobs"][0]
        for _ in range(600):
            if c.get(f"/api/jobs/{jid}").json()["state"] in ("done", "failed"):
                break
            time.sleep(0.1)


def _pellet_files(request, tmp_path):
    """The real pellet series where ../shared is present (0.21 cm thick), else a synthetic one (0.1 cm)."""
    try:
        ref = request.getfixturevalue("reference_dir")
    except pytest.skip.Exception:
        from web_helpers import D_CM, write_series

        return write_series(tmp_path / "synthetic"), D_CM
    return sorted((ref / "eis" / "pellet-series").glob("*.txt")), 0.21


def test_login_sample_upload_ea_plot_compare_export(server, browser, request, tmp_path):
    from ssbkit.impedance.readers import read_spectra
    from ssbkit.impedance.series import conductivity_series

    base, _app = server
    files, thick = _pellet_files(request, tmp_path)
    drv = browser
    _login(drv, base)

    _new_sample(drv, base, "s04147 A", "B1", thick)
    _upload(drv, files)
    lib = conductivity_series([s for p in files for s in read_spectra(p)], thickness_cm=thick, diameter_cm=0.8)
    shown = {td.get_attribute("data-key"): td.text for td in drv.find_elements(By.CSS_SELECTOR, "#ea-table td.ea")}
    assert shown["total"] == f"{lib.arrhenius['total'].ea_ev:.3f}" and shown["bulk"] == f"{lib.arrhenius['bulk'].ea_ev:.3f}"
    plot = WebDriverWait(drv, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "#plot-arrhenius[data-drawn='1']"))
    assert plot.find_elements(By.CSS_SELECTOR, "svg.main-svg")  # plotly drew it (served locally)
    n_points = drv.execute_script("return document.getElementById('plot-arrhenius').data[0].x.length")
    assert n_points == len(files)
    sample_url = drv.current_url

    _second_batch_by_script(base, _app, files, 2 * thick)  # same spectra, twice the thickness: sigma x 2
    drv.get(base + "/compare?composition=75Li2S-25P2S5&by=batch")  # the same nominal composition, written otherwise
    drv.get(base + "/compare?composition=Li3PS4&by=batch")
    rows = drv.find_elements(By.CSS_SELECTOR, "#groups tbody tr")
    assert [r.find_element(By.TAG_NAME, "td").text for r in rows[:2]] == ["B1", "B2"]
    overall = rows[-1].find_elements(By.TAG_NAME, "td")
    assert overall[3].text == "2.00"  # max/min of sigma(25 degC) over the two batches
    assert drv.find_element(By.CSS_SELECTOR, "#plot-compare[data-drawn='1']")

    drv.get(sample_url)
    drv.find_element(By.ID, "export-json").click()
    for _ in range(100):
        got = list(drv.downloads.glob("sample-*.json"))
        if got and not list(drv.downloads.glob("*.crdownload")):
            break
        time.sleep(0.1)
    ex = json.loads(Path(got[0]).read_text())
    (an,) = [a for a in ex["analyses"] if a["kind"] == "impedance"]
    assert an["result"]["ea_total_eV"] == pytest.approx(lib.arrhenius["total"].ea_ev, rel=1e-9)
    assert an["protocol"]["circuit"] == "p(R1,CPE1)-p(R2,CPE2)-CPE3" and ex["ssbkit_version"]
    logs = drv.get_log("browser") if hasattr(drv, "get_log") else []
    assert not [e for e in logs if e.get("level") == "SEVERE"], logs


_DROP = """
const [zone, files] = arguments;
const dt = new DataTransfer();
for (const [name, b64] of files) {
  const bin = atob(b64), bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  dt.items.add(new File([bytes], name, {type: "text/csv"}));
}
const over = new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true});
zone.dispatchEvent(new DragEvent("dragenter", {dataTransfer: dt, bubbles: true, cancelable: true}));
const accepted = !zone.dispatchEvent(over);  // the page must call preventDefault() to accept a drop
const highlighted = zone.classList.contains("over");
zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
return [accepted, highlighted, zone.classList.contains("over")];
"""


def test_drag_and_drop_of_dsc_exports_stores_and_analyses_them(server, browser):
    """Two MaCFP PMMA DSC exports (FSRI and NIST, 10 K/min, endothermic up: exo=down) dropped at once;
    the Tg shown for each is the library's ``analyze_dsc_files`` on the same file with the same option."""
    import base64

    pytest.importorskip("ssbkit.processing.thermal", reason="DSC analysis needs the processing layer")
    from selenium.webdriver.support.ui import Select

    from ssbkit.processing.thermal import analyze_dsc_files

    base, _app = server
    drv = browser
    fixtures = Path(__file__).resolve().parents[1] / "processing" / "fixtures"
    files = [fixtures / "fsri_pmma_dsc_n2_10K_1.csv", fixtures / "nist_pmma_dsc_n2_10K_1.csv"]
    _login(drv, base)
    _new_sample(drv, base, "PMMA", "B1", 0.1)
    Select(drv.find_element(By.ID, "kind")).select_by_value("dsc")
    Select(drv.find_element(By.NAME, "exo")).select_by_value("down")
    zone = drv.find_element(By.ID, "dropzone")
    accepted, highlighted, after = drv.execute_script(
        _DROP, zone, [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in files])
    assert accepted and highlighted and not after
    chosen = [li.text for li in drv.find_elements(By.CSS_SELECTOR, "#chosen li")]
    assert chosen == [f"{p.name} ({p.stat().st_size} bytes)" for p in files]
    drv.find_element(By.ID, "upload-button").click()
    WebDriverWait(drv, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "table.dsc")) == 2)
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")
            for r in drv.find_elements(By.CSS_SELECTOR, "#measurements tbody tr")}
    assert set(rows) == {p.name for p in files}
    assert all(tds[1].text == "dsc" and tds[3].text == "ok" for tds in rows.values())
    run = analyze_dsc_files(files, exo="down")
    shown = sorted(drv.find_element(By.CSS_SELECTOR, f"#{t.get_attribute('id')} tr[data-key='tg_onset_C'] td").text
                   for t in drv.find_elements(By.CSS_SELECTOR, "table.dsc"))
    assert shown == sorted(f"{a.tg_onset_C:.4g}" for a in run.analyses)
    # the kinetics form sends the ticked scans as a list: two scans at one rate are refused, naming them
    drv.find_element(By.ID, "kinetics-button").click()
    msg = WebDriverWait(drv, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, "#kinetics-form .form-msg").text)
    assert "3 or more heating rates" in msg and all(p.name in msg for p in files), msg
    logs = drv.get_log("browser") if hasattr(drv, "get_log") else []
    expected = "/dsc-kinetics - Failed to load resource: the server responded with a status of 422"
    assert not [e for e in logs if e.get("level") == "SEVERE" and expected not in e.get("message", "")], logs
