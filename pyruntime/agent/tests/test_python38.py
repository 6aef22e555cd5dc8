"""The agent runs on every Python from 3.8: nothing newer outside a guard."""

import os
import subprocess
import sys

import pytest

AGENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# The matrix (make test-pythons) runs the agent's tests under 3.8, but only
# the code they reach; this reads all of it. A guarded use of something
# newer (`try: import annotationlib`) says so with a `# novm` comment.
def test_the_agent_needs_nothing_newer_than_python_3_8():
    pytest.importorskip("vermin", reason="vermin comes with .ci/requirements-test.txt (make venv)")
    paths = [os.path.join(AGENT, "_hotload_agent"), os.path.join(AGENT, "loader.py")]
    result = subprocess.run(
        [sys.executable, "-c", "import sys, vermin; sys.argv[0] = 'vermin'; sys.exit(vermin.main())",
         "--target=3.8-", "--violations", "--eval-annotations", "--no-tips"] + paths,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert result.returncode == 0, result.stdout
