"""The shipped nginx configuration (deploy/) in front of the real server: HTTPS only, security headers on every
answer, a password, requests capped at the app's upload limit; in Chromium through it, a tool page, its websocket,
an upload and a download all work with no Content-Security-Policy violation."""

from __future__ import annotations

import csv
import os
import ssl
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest

from tests.e2e.browser import page_errors, wait_for_script
from tests.e2e.nginx import nginx_missing, nginx_proxy, password_file

USER, PASSWORD = "class", "correct horse battery"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def proxy(app_url, tmp_path_factory):
    missing = nginx_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"not installed: {missing}; .ci/run installs them (apt-get install nginx openssl)")
        pytest.skip(f"not installed: {missing} (install Debian's nginx and openssl to run the proxy test)")
    folder = tmp_path_factory.mktemp("nginx")
    with nginx_proxy(app_url, folder, password_file(folder, USER, PASSWORD)) as running:
        yield running


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(proxy, url: str, password: str | None = PASSWORD, method: str = "GET", body: bytes | None = None):
    """(status, headers) of one request; TLS checked against the test's own certificate."""
    credentials = b64encode(f"{USER}:{password}".encode()).decode()
    headers = {} if password is None else {"Authorization": f"Basic {credentials}"}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    tls = ssl.create_default_context(cafile=proxy.cert)
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=tls))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


def test_plain_http_is_redirected_to_https(proxy):
    status, headers = fetch(proxy, f"{proxy.plain_url}/bert-attention?text=a", password=None)
    assert status == 301
    assert headers["Location"] == f"{proxy.url}/bert-attention?text=a"


@pytest.mark.parametrize("password", [None, "wrong"], ids=["no password", "wrong password"])
def test_without_the_password_nothing_is_served(proxy, password):
    for path in ("/", "/_stcore/health", "/static/index.html"):
        status, headers = fetch(proxy, proxy.url + path, password=password)
        assert status == 401, path
        assert headers["WWW-Authenticate"] == 'Basic realm="NN Explorer"'
        assert headers["X-Frame-Options"] == "SAMEORIGIN", "the headers come with error answers too"


def test_every_answer_carries_the_security_headers(proxy):
    for path in ("/", "/bert-attention", "/_stcore/health", "/no-such-file.js"):
        status, headers = fetch(proxy, proxy.url + path)
        assert status in (200, 404), path
        assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
        assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
        assert headers.get_all("Referrer-Policy") == ["same-origin"]
        assert headers.get_all("Strict-Transport-Security") == ["max-age=31536000"]
        assert headers.get_all("Server") == ["nginx"], "no version number"
        [csp] = headers.get_all("Content-Security-Policy")
        policy = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert policy["default-src"] == "'self'"
        assert policy["frame-ancestors"] == "'self'"
        assert policy["object-src"] == "'none'"
        script_src = policy["script-src"].split()
        assert script_src[0] == "'self'"
        assert all(source.startswith("'sha256-") for source in script_src[1:]), "no unsafe-inline, no unsafe-eval"
        assert policy["connect-src"] == f"'self' wss://{proxy.url.removeprefix('https://')}"


def test_the_apps_cookie_is_marked_https_only(proxy):
    status, headers = fetch(proxy, f"{proxy.url}/_stcore/health")
    assert status == 200
    [cookie] = headers.get_all("Set-Cookie")
    assert cookie.startswith("_streamlit_xsrf=")
    assert "; secure" in cookie.lower()


def test_requests_above_the_upload_limit_stop_at_nginx(proxy):
    # .streamlit/config.toml: maxUploadSize = 5 (MB); Streamlit allows 1 MB of form framing on top.
    url = f"{proxy.url}/_stcore/upload_file/session/file"
    assert fetch(proxy, url, method="PUT", body=b"x" * (6 * MB + 1))[0] == 413
    assert fetch(proxy, url, method="PUT", body=b"x" * (5 * MB))[0] != 413, "files up to the limit reach the app"


def read_points(path: Path) -> list[tuple[float, ...]]:
    rows = list(csv.reader(path.read_text().splitlines()))[1:]
    return [tuple(map(float, row)) for row in rows]


@pytest.fixture
def student(proxy, chromium):
    """A browser page that knows the password, and the list of script errors and CSP violations it meets."""
    context = chromium.new_context(
        viewport={"width": 1400, "height": 1000},
        ignore_https_errors=True,
        accept_downloads=True,
        http_credentials={"username": USER, "password": PASSWORD},
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: "Content Security Policy" in m.text and problems.append(m.text))
    yield page, problems
    context.close()


def test_a_tool_page_works_through_the_proxy_in_chromium(proxy, student, artifacts):
    page, problems = student
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{proxy.url}/bert-attention")
    wait_for_script(page)

    assert sockets == [f"{proxy.url.replace('https', 'wss')}/_stcore/stream"]
    assert page.locator("h1").first.inner_text() == "BERT attention"
    # The head view's hover script is inline: it runs only if the policy's hash for it is right.
    head_view = page.frame_locator('iframe[title="st.iframe"]')
    head_view.locator('.tok[data-side="q"][data-i="2"]').hover()
    assert 'data-q="2"' in head_view.locator("#focus").text_content()
    # A widget change travels over the websocket and the new figure comes back.
    page.get_by_role("radio", name="Heatmap").click()
    wait_for_script(page)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
    page.screenshot(path=os.path.join(artifacts, "proxy-bert-attention.png"), full_page=True)
    assert page_errors(page) == []
    assert problems == []


def test_an_upload_and_a_download_pass_through_the_proxy(proxy, student, tmp_path):
    page, problems = student
    points = tmp_path / "points.csv"
    points.write_text("x1,x2,label\n" + "".join(f"{i / 10},{-i / 10},{i % 2}\n" for i in range(40)))
    page.goto(f"{proxy.url}/network-builder")
    wait_for_script(page)
    page.get_by_text("Your own points").click()
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url) as upload:
        page.locator('input[type="file"]').first.set_input_files(str(points))
    assert upload.value.status == 204, "the upload (with Streamlit's XSRF cookie) reached the app"
    wait_for_script(page)
    assert page_errors(page) == []
    with page.expect_download() as download:
        page.get_by_role("button", name="Download points (CSV)").click()
    assert read_points(Path(download.value.path())) == read_points(points), "the app's copy of the points"
    assert problems == []
