"""scripts/system-packages, run against a fake dpkg, apt-get and id on PATH: what it
installs, and the one command it names when it cannot install."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-packages"
RUN = ["gettext", "libpango-1.0-0", "libpangoft2-1.0-0"]
TEST = [*RUN, "chromium", "fonts-dejavu-core"]

FAKE_DPKG = """#!/bin/sh
# dpkg -s NAME, from $INSTALLED and $REMOVED (names separated by spaces)
case " $INSTALLED " in *" $2 "*)
  printf 'Package: %s\\nStatus: install ok installed\\nVersion: 1\\n' "$2"; exit 0;; esac
case " $REMOVED " in *" $2 "*)
  printf 'Package: %s\\nStatus: deinstall ok config-files\\n' "$2"; exit 0;; esac
echo "dpkg-query: package '$2' is not installed" >&2
exit 1
"""
FAKE_APT = '#!/bin/sh\necho "$*" >> "$APT_LOG"\n'
FAKE_ID = '#!/bin/sh\necho "$FAKE_UID"\n'


@pytest.fixture
def machine(tmp_path: Path):
    """Runs the script on a fake Debian machine; returns (result, apt-get's calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in {"dpkg": FAKE_DPKG, "apt-get": FAKE_APT, "id": FAKE_ID}.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    for tool in ("grep", "sh"):  # all the script needs besides bash's builtins
        (bin_dir / tool).symlink_to(shutil.which(tool) or f"/bin/{tool}")
    apt_log = tmp_path / "apt.log"

    def run(
        target: str, *, installed: list[str], removed: tuple[str, ...] = (), uid: int = 0
    ) -> tuple[subprocess.CompletedProcess[str], list[str]]:
        result = subprocess.run(  # noqa: S603 - our script, fixed arguments
            [shutil.which("bash") or "/bin/bash", str(SCRIPT), target],
            env={
                "PATH": str(bin_dir),
                "INSTALLED": " ".join(installed),
                "REMOVED": " ".join(removed),
                "FAKE_UID": str(uid),
                "APT_LOG": str(apt_log),
                "HOME": os.environ.get("HOME", "/root"),
            },
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        calls = apt_log.read_text().splitlines() if apt_log.exists() else []
        return result, calls

    return run


def test_a_machine_that_has_everything_is_left_alone(machine):
    result, apt = machine("test", installed=TEST, uid=1000)
    assert result.returncode == 0, result.stderr
    assert apt == []
    assert result.stdout == result.stderr == ""


def test_as_root_it_installs_only_what_is_missing(machine):
    result, apt = machine("test", installed=RUN)
    assert result.returncode == 0, result.stderr
    assert apt == ["update -qq", "install -y -qq chromium fonts-dejavu-core"]
    assert "installing Debian packages: chromium fonts-dejavu-core" in result.stdout


def test_make_run_does_not_ask_for_the_browser(machine):
    result, apt = machine("run", installed=["libpango-1.0-0", "libpangoft2-1.0-0"])
    assert result.returncode == 0, result.stderr
    assert apt == ["update -qq", "install -y -qq gettext"]


def test_a_removed_package_whose_configuration_remains_is_missing(machine):
    result, apt = machine("run", installed=RUN[1:], removed=("gettext",))
    assert result.returncode == 0, result.stderr
    assert apt[-1] == "install -y -qq gettext"


def test_without_root_it_stops_at_once_with_the_command_to_run(machine):
    result, apt = machine("test", installed=["gettext", "libpango-1.0-0"], uid=1000)
    assert result.returncode == 1
    assert apt == []
    assert (
        "sudo apt-get install -y libpangoft2-1.0-0 chromium fonts-dejavu-core"
        in result.stderr.splitlines()[-1]
    )


def test_it_refuses_an_unknown_target(machine):
    result, apt = machine("deploy", installed=[])
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert apt == []


def test_off_debian_it_names_the_packages_and_goes_on(machine, tmp_path):
    (tmp_path / "bin" / "dpkg").unlink()
    result, apt = machine("run", installed=[])
    assert result.returncode == 0
    assert "not a Debian system" in result.stdout
    assert " ".join(RUN) in result.stdout
    assert apt == []
