#!/usr/bin/env bash
# test-pythons.sh - the tests that start Python, under every CPython found
# (`make test-pythons`): the Go packages that run a runtime, and the agent's
# pytest suite. Every interpreter runs, even after a failure; the summary
# has a line per interpreter, and the exit status is 1 if any failed.
#
#   .ci/test-pythons.sh                               # every interpreter found
#   PYTHONS="/opt/py/bin/python3.14" .ci/test-pythons.sh   # just these
#
# Found: pyenv's 3.8 to 3.13 ($PYENV_ROOT/versions, default ~/.pyenv),
# /usr/bin/python3, and $PYTHONS_DIR/bin/python3.* (default /opt/py, where
# .ci/get-pythons.sh puts Debian's prebuilt 3.14 and 3.15). The same
# interpreter found twice (a symlink) runs once. REQUIRE="3.8 3.9 ..." fails
# the run if no interpreter of one of those versions was found (CI sets it,
# so that a missing Python cannot shrink the matrix unnoticed).
#
# The Go tests get the interpreter through HOTLOAD_TEST_PYTHON (see
# pyruntime/pyruntimetest). pytest comes from .ci/requirements-pytest.txt,
# installed per version into .pythons/<version> (put on PYTHONPATH), so the
# interpreters themselves are left as they are. Logs: $LOGDIR (default a new
# temporary folder), one file per interpreter and suite.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
# The packages whose tests start Python.
PACKAGES=${PACKAGES:-./pyruntime/... ./reload ./lsp ./cmd/hotload}
LOGDIR=${LOGDIR:-$(mktemp -d -t hotload-pythons.XXXXXX)}
PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}
PYTHONS_DIR=${PYTHONS_DIR:-/opt/py}
mkdir -p "$LOGDIR"

found() {
  local p
  for p in "$PYENV_ROOT"/versions/3.{8,9,10,11,12,13}*/bin/python3 /usr/bin/python3 "$PYTHONS_DIR"/bin/python3.*; do
    [ -x "$p" ] && echo "$p"
  done
}

# pytest_dir PY VERSION: prints the folder with pytest for PY (installing it
# there first if needed), or says why not: status 2 if pytest cannot be had
# for PY, 1 if installing it failed.
pytest_dir() {
  local py=$1 version=$2 dir=.pythons/$2 host
  if [ -e "$dir/.installed" ] && [ "$dir/.installed" -nt .ci/requirements-pytest.txt ]; then
    echo "$dir"
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  local pip_opts=(install -q --disable-pip-version-check --no-warn-script-location --target "$dir" -r .ci/requirements-pytest.txt)
  if "$py" -m pip --version >/dev/null 2>&1; then
    "$py" -m pip "${pip_opts[@]}" >"$LOGDIR/pip-$version.log" 2>&1 ||
      { echo "pip install failed (see $LOGDIR/pip-$version.log)"; return 1; }
  else
    # No pip (Debian's python3.X without python3-pip): the host's pip
    # fetches wheels for this version; its markers are read with the
    # host's version, which is right when both are 3.11 or later.
    host=$(command -v python3)
    if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
       ! "$host" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
       ! "$host" -m pip --version >/dev/null 2>&1; then
      echo "no pip for Python $version, and the host's pip cannot stand in (both need 3.11 or later)"
      return 2
    fi
    "$host" -m pip "${pip_opts[@]}" --python-version "$version" --implementation cp --only-binary=:all: \
      >"$LOGDIR/pip-$version.log" 2>&1 ||
      { echo "pip install failed (see $LOGDIR/pip-$version.log)"; return 1; }
  fi
  touch "$dir/.installed"
  echo "$dir"
}

# counts LOG: "N passed, N failed, N skipped" from go test -v output.
counts() {
  local pass fail skip
  pass=$(grep -cE '^\s*--- PASS' "$1")
  fail=$(grep -cE '^\s*--- FAIL' "$1")
  skip=$(grep -cE '^\s*--- SKIP' "$1")
  echo "$pass passed, $fail failed, $skip skipped"
}

pythons=${PYTHONS:-$(found)}
declare -A seen tested
summary=()
failed=()
began=$(date +%s)
for py in $pythons; do
  real=$(readlink -f "$(command -v "$py" || echo "$py")")
  [ -n "${seen[$real]:-}" ] && continue
  seen[$real]=1
  if ! version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
    summary+=("?        $py: does not run")
    failed+=("$py")
    continue
  fi
  full=$("$py" -c 'import sys; print(sys.version.split()[0])')
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
    summary+=("$(printf '%-9s %s: skipped (hotload needs Python 3.8 or later)' "$full" "$py")")
    continue
  fi
  echo "=== Python $full ($py)"
  tested[$version]=1
  t=$(date +%s)
  status=ok
  golog=$LOGDIR/go-$full.log
  if HOTLOAD_TEST_PYTHON=$py $GO test -count=1 -v $PACKAGES >"$golog" 2>&1; then
    gores="go ok ($(counts "$golog"))"
  else
    gores="go FAILED ($(counts "$golog"); $golog)"
    status=failed
    grep -E -- '^\s*--- FAIL|_test\.go:[0-9]+:|^FAIL|panic:' "$golog" | head -40
  fi
  agentlog=$LOGDIR/agent-$full.log
  dir=$(pytest_dir "$py" "$version")
  case $? in
  0)
    if PYTHONPATH=$dir "$py" -m pytest -q -p no:cacheprovider pyruntime/agent/tests >"$agentlog" 2>&1; then
      agentres="agent ok ($(tail -1 "$agentlog" | sed -E 's/^=* *//; s/ in [0-9.]+s.*//'))"
    else
      agentres="agent FAILED ($(tail -1 "$agentlog" | sed -E 's/^=* *//; s/ in [0-9.]+s.*//'); $agentlog)"
      status=failed
      tail -30 "$agentlog"
    fi ;;
  2) agentres="agent not run: $dir" ;;
  *) agentres="agent FAILED: $dir"; status=failed ;;
  esac
  line=$(printf '%-9s %s: %s; %s; %ds' "$full" "$py" "$gores" "$agentres" $(( $(date +%s) - t )))
  echo "$line"
  summary+=("$line")
  [ "$status" = ok ] || failed+=("$full")
done

echo
echo "make test-pythons: ${#summary[@]} interpreters in $(( $(date +%s) - began ))s (logs in $LOGDIR)"
printf '  %s\n' "${summary[@]}"
if [ ${#summary[@]} -eq 0 ]; then
  echo "make test-pythons: no Python found" >&2
  exit 1
fi
for v in ${REQUIRE:-}; do
  [ -n "${tested[$v]:-}" ] || { echo "  (no Python $v found)"; failed+=("$v (not found)"); }
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "make test-pythons: failed: ${failed[*]}" >&2
  exit 1
fi
echo "make test-pythons: every interpreter passed"
