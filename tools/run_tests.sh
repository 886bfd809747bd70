#!/usr/bin/env bash
# The test suite on a fresh machine, on both OpenMMLab stacks: creates each
# stack's virtual environment when missing (tools/setup_env.sh), then runs
# every test on the CPU.
#
#   tools/run_tests.sh [pinned|latest|both] [pytest arguments]
#
# Without a stack it runs both, the pinned one (.venv: mmpose 1.1.0,
# mmcv-lite) and the latest (.venv-latest: mmpose 1.3.2, mmdet 3.3.0, mmcv
# 2.1.0), each to its end, and fails if either fails. The tests use one torch
# thread (tests/conftest.py), so the two stacks' suites run side by side, each
# in its own temporary folder; the pinned one prints as it goes, the latest
# one's output follows it. Extra arguments go to pytest, e.g.
# `tools/run_tests.sh pinned -m "not slow"` for the quick loop.
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
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

run_suite() {
    # run_suite STACK: the suite on STACK; its exit code and seconds go to
    # $scratch/STACK.result.
    local stack="$1" start=$SECONDS rc
    mkdir -p "$scratch/$stack-tmp"
    PYTEST_DEBUG_TEMPROOT="$scratch/$stack-tmp" \
        "${venvs[$stack]}/bin/python" -m pytest tests -q -p no:cacheprovider "${pytest_args[@]}"
    rc=$?
    echo "$rc $((SECONDS - start))" > "$scratch/$stack.result"
}

pytest_args=("$@")
ready=()
summary=()
status=0
for stack in "${stacks[@]}"; do
    if tools/setup_env.sh "$stack"; then
        ready+=("$stack")
    else
        summary+=("$stack: environment setup failed")
        status=1
    fi
done
background=()
for stack in "${ready[@]:1}"; do
    run_suite "$stack" > "$scratch/$stack.log" 2>&1 &
    background+=($!)
done
if [ "${#ready[@]}" -gt 0 ]; then
    echo "=== tests on the ${ready[0]} stack (${venvs[${ready[0]}]}) ==="
    run_suite "${ready[0]}"
fi
for pid in "${background[@]}"; do wait "$pid"; done
for stack in "${ready[@]}"; do
    if [ "$stack" != "${ready[0]}" ]; then
        echo "=== tests on the $stack stack (${venvs[$stack]}), run beside the ${ready[0]} one ==="
        cat "$scratch/$stack.log"
    fi
    read -r rc seconds < "$scratch/$stack.result" || { rc=1; seconds=?; }
    summary+=("$stack: pytest exit code $rc, $seconds s")
    [ "$rc" -eq 0 ] || status=1
done
printf '=== %s\n' "${summary[@]}"
exit "$status"
