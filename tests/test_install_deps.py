"""scripts/install-system-deps.sh: waits for a busy apt, checks that Python can make a venv.

The script runs against stand-ins for `apt-get`, `apt-cache`, `dpkg-query`, `sudo` and the
Python it checks (first on PATH), which record what they are asked, so nothing is installed
and no lock is taken. The real thing was checked by hand with apt's locks held (see the
branch notes of issue 15): `apt-get update` fails at once on a held lock, the script waits.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "install-system-deps.sh"
LOCKED = "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)"

STUBS = {
    # nothing is installed
    "dpkg-query": "#!/bin/sh\nexit 1\n",
    "apt-cache": '#!/bin/sh\n[ "$2" = python3.11-venv ] && exit 0\nexit 100\n',
    "sudo": '#!/bin/sh\nexec "$@"\n',
    # `update` fails on a held lock while $LOCKED_TIMES says so, then succeeds
    "apt-get": """#!/bin/sh
echo "$*" >> "$LOG"
case " $* " in
  *" update "*)
    count=$(cat "$COUNTER" 2>/dev/null || echo 0)
    echo $((count + 1)) > "$COUNTER"
    if [ "$count" -lt "$LOCKED_TIMES" ]; then echo "$FAILURE" >&2; exit 100; fi ;;
esac
exit 0
""",
    # a Debian Python without ensurepip (python3.11-venv not installed)
    "python3": """#!/bin/sh
case "$2" in
  *ensurepip*) exit 1 ;;
  *base_prefix*) echo /usr ;;
  *version_info*) echo 3.11 ;;
esac
""",
}


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    """A repository copy with stand-in system tools in `bin/`."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(SCRIPT, tmp_path / "scripts" / SCRIPT.name)
    (tmp_path / "bin").mkdir()
    for name, text in STUBS.items():
        path = tmp_path / "bin" / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
    return tmp_path


def run(
    machine: Path, *, locked_times: int, failure: str = LOCKED, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": f"{machine / 'bin'}:/usr/bin:/bin",
        "HOME": str(machine),
        "LOG": str(machine / "apt.log"),
        "COUNTER": str(machine / "count"),
        "LOCKED_TIMES": str(locked_times),
        "FAILURE": failure,
        "PYTHON": str(machine / "bin" / "python3"),
        "APT_LOCK_RETRY_SECONDS": "0",
        "APT_LOCK_TIMEOUT": str(timeout),
    }
    return subprocess.run(
        ["bash", str(machine / "scripts" / SCRIPT.name), "site"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def apt_calls(machine: Path) -> list[str]:
    log = machine / "apt.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_waits_while_apt_is_locked_then_installs(machine: Path) -> None:
    result = run(machine, locked_times=3)
    assert result.returncode == 0, result.stderr
    assert "apt is busy" in result.stderr and "waiting up to 300s" in result.stderr
    calls = apt_calls(machine)
    assert [call.split()[-2:] for call in calls[:4]] == [["update", "-qq"]] * 4
    install = calls[4].split()
    assert install[:2] == ["-o", "DPkg::Lock::Timeout=300"]
    assert install[2:6] == ["install", "-y", "-qq", "--no-install-recommends"]
    assert "libpango-1.0-0" in install
    assert install[-1] == "python3.11-venv"  # ensurepip was missing


def test_a_failure_that_is_not_a_lock_ends_at_once(machine: Path) -> None:
    result = run(machine, locked_times=99, failure="E: Failed to fetch http://deb.debian.org/")
    assert result.returncode != 0
    assert "Failed to fetch" in result.stderr
    assert len(apt_calls(machine)) == 1


def test_gives_up_after_the_lock_timeout(machine: Path) -> None:
    result = run(machine, locked_times=99, timeout=0)
    assert result.returncode != 0
    assert "Could not get lock" in result.stderr
    assert len(apt_calls(machine)) == 1


def test_no_venv_package_once_the_virtualenv_exists(machine: Path) -> None:
    (machine / ".venv" / "bin").mkdir(parents=True)
    venv_python = machine / ".venv" / "bin" / "python"
    venv_python.write_text("#!/bin/sh\n", encoding="utf-8")
    venv_python.chmod(0o755)
    result = run(machine, locked_times=0)
    assert result.returncode == 0, result.stderr
    assert not any("venv" in call for call in apt_calls(machine))
