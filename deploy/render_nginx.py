"""Fill in deploy/nn-explorer.conf and print the nginx site file (README: "Behind a proxy").

Run from the repository folder with the app's Python, after every update of the app or of Streamlit (the
Content-Security-Policy lists the hashes of the inline scripts this version serves):

    .venv/bin/python -m deploy.render_nginx --cert /etc/ssl/.../fullchain.pem --key /etc/ssl/.../privkey.pem \\
        --htpasswd /etc/nginx/nn-explorer.htpasswd > nn-explorer.conf
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import os
import re
import tomllib
from pathlib import Path

import numpy as np

from core.figures.attention.heads import head_view_html

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nn-explorer.conf"
APP_CONFIG = ROOT / ".streamlit" / "config.toml"
# Streamlit accepts an upload request of maxUploadSize plus 1 MB of multipart framing; nginx stops anything bigger.
FRAMING_MB = 1
# Characters that would end or open an nginx directive, or start a variable.
UNSAFE = re.compile(r"[\s\x00-\x1f\x7f;{}\"'#$\\]")
GENERATED = "# Made by deploy/render_nginx.py from deploy/nn-explorer.conf (its comments explain each line).\n\n"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def script_hashes(*pages: str) -> list[str]:
    """CSP sources ('sha256-…') that allow exactly the inline <script> blocks of these HTML pages."""
    bodies = dict.fromkeys(body for page in pages for body in INLINE_SCRIPT.findall(page))
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in bodies]


def app_inline_scripts() -> list[str]:
    """Hashes of the inline scripts the app serves: Streamlit's own page and the head view's hover script."""
    streamlit_dir = Path(importlib.util.find_spec("streamlit").origin).parent
    index = (streamlit_dir / "static" / "index.html").read_text(encoding="utf-8")
    head_view = head_view_html(np.ones((1, 1, 1)), ("token",), (0,))
    return script_hashes(index, head_view)


def max_body() -> str:
    """nginx's client_max_body_size: the app's upload limit plus Streamlit's framing allowance."""
    limit = tomllib.loads(APP_CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    return f"{limit + FRAMING_MB}m"


def render(
    *,
    cert: str,
    key: str,
    htpasswd: str | None = None,
    server_name: str = "_",
    app_port: int = 8501,
    https_listen: str = "443",
    http_listen: str = "80",
) -> str:
    """The site file: the template with every __NAME__ replaced, no auth_basic lines without a password."""
    given = {
        "cert": cert,
        "key": key,
        "server_name": server_name,
        "https_listen": https_listen,
        "http_listen": http_listen,
    } | ({} if htpasswd is None else {"htpasswd": htpasswd})
    for name, value in given.items():
        if not value or UNSAFE.search(value):
            raise ValueError(
                f"--{name.replace('_', '-')} must be one word without quotes, $, ;, #, \\ or braces: "
                f"{value!r} (move the file to a simpler path)"
            )
    values = {f"__{name.upper()}__": value for name, value in given.items()} | {
        "__APP_PORT__": str(app_port),
        "__HTTPS_PORT__": https_listen.rsplit(":", 1)[-1],
        "__MAX_BODY__": max_body(),
        "__SCRIPT_HASHES__": " ".join(app_inline_scripts()),
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    # The template's opening comment explains the __NAMES__; the site file says where it came from instead.
    lines = [GENERATED, *template.split("\n\n", 1)[1].splitlines(keepends=True)]
    if htpasswd is None:
        lines = [line for line in lines if not line.lstrip().startswith("auth_basic")]
    text = "".join(lines)
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def absolute(path: str | None) -> str | None:
    """nginx reads relative paths from its own folder; symbolic links are kept (Let's Encrypt renews through them)."""
    return None if path is None else os.path.abspath(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True, help="TLS certificate file (full chain), e.g. Let's Encrypt's")
    parser.add_argument("--key", required=True, help="the certificate's private key file")
    parser.add_argument("--htpasswd", help="password file made with openssl passwd; omit for no password")
    parser.add_argument("--server-name", default="_", help="the name students type (default _: any name or IP)")
    parser.add_argument("--app-port", type=int, default=8501, help="the app's port (make run PORT=..., default 8501)")
    parser.add_argument("--https-listen", default="443", help="HTTPS port or address:port (default 443)")
    parser.add_argument("--http-listen", default="80", help="redirecting HTTP port or address:port (default 80)")
    args = parser.parse_args()
    try:
        site = render(
            cert=absolute(args.cert),
            key=absolute(args.key),
            htpasswd=absolute(args.htpasswd),
            server_name=args.server_name,
            app_port=args.app_port,
            https_listen=args.https_listen,
            http_listen=args.http_listen,
        )
    except ValueError as e:
        parser.error(str(e))
    print(site, end="")


if __name__ == "__main__":
    main()
