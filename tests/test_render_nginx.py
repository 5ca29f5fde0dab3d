"""deploy/render_nginx.py: the site file it prints is complete, its script hashes follow the CSP spec, its body
limit is Streamlit's, and no value given on its command line can break out of an nginx directive."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.web.server.starlette import starlette_routes

from deploy.render_nginx import FRAMING_MB, UNSAFE, max_body, render, script_hashes

PATHS = {"cert": "/etc/ssl/nnx/fullchain.pem", "key": "/etc/ssl/nnx/privkey.pem"}


def test_script_hash_matches_the_csp_specification_example():
    # CSP Level 2, "Hash usage for script elements": alert('Hello, world.'); hashes to this source.
    page = "<p>x</p><script>alert('Hello, world.');</script><script src='a.js'></script>"
    assert script_hashes(page) == ["'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"]


def test_body_limit_is_the_upload_limit_plus_streamlits_own_framing_allowance():
    assert starlette_routes._MAX_UPLOAD_MULTIPART_OVERHEAD_BYTES == FRAMING_MB * 1024 * 1024
    assert max_body() == "6m"  # .streamlit/config.toml: maxUploadSize = 5


def test_every_placeholder_is_filled_and_the_password_lines_follow_the_option():
    with_password = render(**PATHS, htpasswd="/etc/nginx/nnx.htpasswd")
    without = render(**PATHS)
    for site in (with_password, without):
        assert not re.search(r"__[A-Z_]+__", site)
        assert "proxy_pass http://127.0.0.1:8501;" in site
        assert "return 301 https://$host:443$request_uri;" in site
    assert "auth_basic_user_file /etc/nginx/nnx.htpasswd;" in with_password
    assert "auth_basic" not in without


def test_listen_addresses_and_the_redirect_port():
    site = render(**PATHS, https_listen="10.0.0.5:8443", http_listen="10.0.0.5:8080", app_port=9000)
    assert "listen 10.0.0.5:8443 ssl;" in site
    assert "listen 10.0.0.5:8080;" in site
    assert "return 301 https://$host:8443$request_uri;" in site
    assert "proxy_pass http://127.0.0.1:9000;" in site


@given(st.text(), st.sampled_from(["cert", "key", "htpasswd", "server_name"]))
def test_a_value_that_could_end_a_directive_is_refused(text, field):
    values = dict(PATHS) | {field: text}
    if not text or UNSAFE.search(text):
        with pytest.raises(ValueError, match=field.replace("_", "-")):
            render(**values)
    else:
        assert f" {text};" in render(**values)
