#!/usr/bin/env bash
# The test suite on a fresh machine: creates .venv when missing, then runs
# every test on the CPU. Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/setup_env.sh
exec .venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
