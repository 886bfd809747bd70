#!/usr/bin/env bash
# Creates .venv at the repository root from the project's own files, if it is missing.
# Safe to rerun: it does nothing when .venv is complete.
set -euo pipefail
export PIP_DISABLE_PIP_VERSION_CHECK=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.classroomkd_env_ok"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(cat "$root/requirements/cpu_env.txt" | md5sum)" ]; then
    exit 0
fi
echo "[setup] creating $venv (first run only; several minutes)" >&2
python3 -m venv "$venv"
pip() {
    # pip warns once per package about this machine's optional local index
    # folders; hide that noise, keep everything else.
    "$venv/bin/python" -m pip "$@" 2>&1 | sed '/is ignored: it is neither a file nor a directory/d'
}
pip install -q --upgrade pip 'setuptools>=77,<81' wheel
pip install -q -r "$root/requirements/cpu_env.txt"
# mmpose 1.1.0 runs on mmcv-lite (>= 1.2 imports the compiled mmcv.ops); its
# chumpy requirement does not build and nothing here imports it.
pip install -q --no-deps mmpose==1.1.0
# The registry's xtcocotools wheel targets numpy 1: build it against numpy 2.
pip install -q --no-build-isolation --no-binary xtcocotools xtcocotools==1.14.3
pip install -q --no-deps -e "$root"
"$venv/bin/python" -c "import classroomkd_mm, mmpose, mmpretrain, xtcocotools.coco"
cat "$root/requirements/cpu_env.txt" | md5sum > "$stamp"
echo "[setup] environment ready" >&2
