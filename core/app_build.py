"""Which build of NN Explorer made a file: its version and git commit, for exports a reviewer re-runs later."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
from functools import cache

from core.catalog import ROOT


@cache
def app_build() -> dict[str, str]:
    """{"app": "nn-explorer", "version": …, "commit": …}; `NNX_COMMIT` names the commit where the code is not a git
    checkout (a container image), and "unknown" is said rather than guessed."""
    try:
        version = importlib.metadata.version("nn-explorer")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    commit = os.environ.get("NNX_COMMIT", "").strip()
    if not commit:
        try:
            done = subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5, check=True
            )
            commit = done.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = ""
    return {"app": "nn-explorer", "version": version, "commit": commit or "unknown"}
