#!/usr/bin/env bash
# The test suite on a fresh machine, on both OpenMMLab stacks: creates each
# stack's virtual environment when missing (tools/setup_env.sh), then runs
# every test on the CPU.
#
#   tools/run_tests.sh [pinned|latest|both] [pytest arguments]
#
# Without a stack it runs both, the pinned one (.venv: mmpose 1.1.0,
# mmcv-lite) then the latest (.venv-latest: mmpose 1.3.2, mmdet 3.3.0, mmcv
# 2.1.0), each to its end, and fails if either fails. Extra arguments go to
# pytest, e.g. `tools/run_tests.sh pinned -m "not slow"` for the quick loop.
set -uo pipefail
# albumentations 1.4 (latest stack) looks for a newer release online at import
export NO_ALBUMENTATIONS_UPDATE=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
case "${1:-}" in
    pinned|latest) stacks=("$1"); shift ;;
    both) stacks=(pinned latest); shift ;;
    *) stacks=(pinned latest) ;;
esac
declare -A venvs=([pinned]=.venv [latest]=.venv-latest)
status=0
summary=()
for stack in "${stacks[@]}"; do
    echo "=== tests on the $stack stack (${venvs[$stack]}) ==="
    if ! tools/setup_env.sh "$stack"; then
        summary+=("$stack: environment setup failed")
        status=1
        continue
    fi
    SECONDS=0
    "${venvs[$stack]}/bin/python" -m pytest tests -q -p no:cacheprovider "$@"
    rc=$?
    summary+=("$stack: pytest exit code $rc, ${SECONDS} s")
    [ "$rc" -eq 0 ] || status=1
done
printf '=== %s\n' "${summary[@]}"
exit "$status"
