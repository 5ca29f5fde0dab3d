"""nginx from deploy/ started in front of the real server, in a throwaway folder on loopback ports."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deploy.render_nginx import render
from tests.e2e.browser import free_port

# Debian installs nginx in /usr/sbin, which is not on an ordinary user's PATH.
NGINX = os.environ.get("NNX_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"

# The site file goes where Debian's /etc/nginx/nginx.conf would include it; everything nginx writes stays in `dir`.
MAIN_CONFIG = """\
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
{user}
events {{ worker_connections 256; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/nn-explorer.conf;
}}
"""


def nginx_missing() -> str | None:
    """What is missing to run the proxy test (nginx, openssl), or None."""
    missing = [name for name, path in (("nginx", NGINX), ("openssl", OPENSSL)) if not Path(path).exists()]
    return " and ".join(missing) or None


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 valid for a day, and its key, as the README's self-signed recipe makes them."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def password_file(folder: Path, user: str, password: str) -> Path:
    """An htpasswd file with one user, hashed with `openssl passwd -6` as the README says."""
    hashed = subprocess.run(
        [OPENSSL, "passwd", "-6", "-stdin"], input=password, text=True, check=True, capture_output=True
    ).stdout.strip()
    path = folder / "htpasswd"
    path.write_text(f"{user}:{hashed}\n")
    return path


@dataclass(frozen=True)
class Proxy:
    url: str  # https://127.0.0.1:port, what students open
    plain_url: str  # http://127.0.0.1:port, which only redirects to url
    cert: Path  # its self-signed certificate, to check TLS against


@contextlib.contextmanager
def nginx_proxy(app_url: str, folder: Path, htpasswd: Path | None, timeout: float = 30) -> Iterator[Proxy]:
    """Run nginx with the rendered deploy/nn-explorer.conf in front of app_url; yield its addresses; stop it by PID.

    folder must be readable by nginx's worker: when the test runs as root, the worker stays root rather than
    switching to nobody, who could not read a pytest temp folder.
    """
    cert, key = self_signed_certificate(folder)
    https_port, http_port = free_port(), free_port()
    site = render(
        cert=str(cert),
        key=str(key),
        htpasswd=None if htpasswd is None else str(htpasswd),
        app_port=int(app_url.rsplit(":", 1)[1]),
        https_listen=f"127.0.0.1:{https_port}",
        http_listen=f"127.0.0.1:{http_port}",
    )
    (folder / "nn-explorer.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(MAIN_CONFIG.format(dir=folder, user=user))
    # -e: the error log from the first moment (before the config is read, nginx would try /var/log/nginx).
    command = [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder), "-e", str(folder / "error.log")]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not _listening(https_port):
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {proc.returncode}: {(folder / 'error.log').read_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"nginx did not listen on port {https_port} within {timeout} s")
            time.sleep(0.1)
        yield Proxy(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", cert)
    finally:
        os.kill(proc.pid, signal.SIGQUIT)  # graceful stop: the master lets its worker finish and both exit
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
