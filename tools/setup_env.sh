#!/usr/bin/env bash
# Creates a stack's virtual environment at the repository root from the
# project's own files, if it is missing. Safe to rerun: it does nothing when
# the environment is complete.
#
#   tools/setup_env.sh [pinned]   .venv: mmpose 1.1.0 on mmcv-lite (requirements/cpu_env.txt)
#   tools/setup_env.sh latest     .venv-latest: mmpose 1.3.2 + mmdet 3.3.0 on the compiled
#                                 mmcv 2.1.0 (requirements/latest_env.txt)
#
# mmcv 2.1.0 (latest) comes from a wheel when MMCV_WHEEL_DIR names a folder
# holding one for this Python and torch (default: ../shared/wheels beside the
# repository, when it exists); otherwise it is built from source here, which
# takes about 47 minutes on 2 cores.
#
# Two variables serve CI's install check (tools/check_wheel.sh):
#   CLASSROOMKD_VENV     the environment's folder (default: .venv / .venv-latest here)
#   CLASSROOMKD_PACKAGE  what to install as classroomkd_mm (default: this checkout,
#                        editable); e.g. a wheel file, installed as a user would
set -euo pipefail
export PIP_DISABLE_PIP_VERSION_CHECK=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="${1:-pinned}"
case "$stack" in
    pinned) venv="${CLASSROOMKD_VENV:-$root/.venv}"; requirements="$root/requirements/cpu_env.txt" ;;
    latest) venv="${CLASSROOMKD_VENV:-$root/.venv-latest}"; requirements="$root/requirements/latest_env.txt" ;;
    *) echo "[setup] unknown stack '$stack': use 'pinned' (default) or 'latest'" >&2; exit 2 ;;
esac
package="${CLASSROOMKD_PACKAGE:-}"
stamp="$venv/.classroomkd_env_ok"
if [ -z "$package" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(md5sum < "$requirements")" ]; then
    exit 0
fi
if [ ! -e "$venv" ]; then
    # torch here is a CUDA build (its wheel lies on this machine's disk): with
    # its nvidia libraries an environment takes about 6.5 GB; pip's own
    # "No space left on device" would come minutes later and name nothing.
    parent="$(dirname "$venv")"
    while [ ! -d "$parent" ]; do parent="$(dirname "$parent")"; done
    free_kb="$(df -Pk "$parent" 2>/dev/null | awk 'NR == 2 {print $4}' || true)"
    if [ -n "$free_kb" ] && [ "$free_kb" -lt $((7 * 1024 * 1024)) ]; then
        echo "[setup] $venv needs about 7 GB of free disk (torch and its CUDA libraries);" \
             "$((free_kb / 1024 / 1024)) GB are free on the disk of $parent. Free some space" \
             "or create it elsewhere (CLASSROOMKD_VENV=FOLDER; CI's install check puts its" \
             "own under TMPDIR)." >&2
        exit 1
    fi
fi
echo "[setup] creating $venv for the $stack stack (first run only; several minutes)" >&2
python3 -m venv "$venv"
pip() {
    # pip warns once per package about this machine's optional local index
    # folders; hide that noise, and pip's note that mmpose (installed with
    # --no-deps) lacks chumpy; keep everything else.
    "$venv/bin/python" -m pip "$@" 2>&1 | sed -e '/is ignored: it is neither a file nor a directory/d' \
        -e "/^ERROR: pip's dependency resolver does not currently/{N;/requires chumpy, which is not installed\.$/d}"
}
pip install -q --upgrade pip 'setuptools>=77,<81' wheel
pip install -q -r "$requirements"

install_mmcv_wheel() {
    # The compiled mmcv 2.1.0 (mmcv.ops), from a wheel folder or built from source.
    local wheel_dir="${MMCV_WHEEL_DIR:-}"
    if [ -z "$wheel_dir" ] && [ -d "$root/../shared/wheels" ]; then
        wheel_dir="$root/../shared/wheels"
    fi
    if [ -n "$wheel_dir" ]; then
        if ! ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
            echo "[setup] MMCV_WHEEL_DIR=$wheel_dir holds no mmcv-2.1.0-*.whl; point it at a" \
                 "folder with one, or set MMCV_WHEEL_DIR= (empty) to build mmcv from source" >&2
            exit 1
        fi
        echo "[setup] mmcv 2.1.0 from $wheel_dir" >&2
        pip install -q --no-deps --no-index --find-links "$wheel_dir" mmcv==2.1.0
        return
    fi
    echo "[setup] no mmcv wheel folder: building mmcv 2.1.0 from source (about 47 min on 2 cores)" >&2
    local build
    build="$(mktemp -d)"
    # torch 2.14's headers need C++20; mmcv passes -std=c++17, so c++20 must come last.
    mkdir -p "$build/cxxwrap"
    printf '#!/bin/sh\nexec g++ "$@" -std=c++20\n' > "$build/cxxwrap/g++"
    printf '#!/bin/sh\nexec gcc "$@" -std=c++20\n' > "$build/cxxwrap/gcc"
    chmod +x "$build/cxxwrap/g++" "$build/cxxwrap/gcc"
    MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="$(nproc)" \
        CXX="$build/cxxwrap/g++" CC="$build/cxxwrap/gcc" \
        pip wheel -q --no-build-isolation --no-deps mmcv==2.1.0 -w "$build/wheels"
    pip install -q --no-deps "$build"/wheels/mmcv-2.1.0-*.whl
    rm -rf "$build"
}

if [ "$stack" = pinned ]; then
    # mmpose 1.1.0 runs on mmcv-lite (>= 1.2 imports the compiled mmcv.ops); its
    # chumpy requirement does not build and nothing here imports it.
    pip install -q --no-deps mmpose==1.1.0
    checks="import classroomkd_mm, mmpose, mmpretrain, xtcocotools.coco"
else
    install_mmcv_wheel
    # chumpy (an mmpose requirement) does not build and nothing here imports it;
    # requirements/latest_env.txt lists mmpose's other runtime needs.
    pip install -q --no-deps mmpose==1.3.2
    # rtmlib runs the exported RTMPose student (tests/test_tools/test_deploy_student_rtmlib.py);
    # its opencv-contrib-python requirement would clash with opencv-python, and it needs
    # nothing the stack lacks.
    pip install -q --no-deps rtmlib==0.0.16
    checks="import classroomkd_mm, mmcv.ops, mmdet, mmpose, mmpretrain, albumentations, xtcocotools.coco, rtmlib"
fi
# `mim train|test|search`; its openxlab dependency pins setuptools 60, so
# without its dependencies (the requirements file lists those it uses).
pip install -q --no-deps openmim==0.3.9
# The registry's xtcocotools wheel targets numpy 1: build it against numpy 2.
pip install -q --no-build-isolation --no-binary xtcocotools xtcocotools==1.14.3
if [ -n "$package" ]; then
    pip install -q "$package"
else
    pip install -q --no-deps -e "$root"
fi
# outside the checkout, so the installed classroomkd_mm is the one imported
(cd / && "$venv/bin/python" -c "$checks; import mim")
md5sum < "$requirements" > "$stamp"
echo "[setup] $stack environment ready" >&2
