#!/usr/bin/env bash
# Build sigconv's kernels with AddressSanitizer + UndefinedBehaviorSanitizer
# (SIGCONV_SANITIZE=1, see setup.py) in a temporary copy of this tree, then
# run pytest there with the ASan runtime preloaded. Any sanitizer report stops
# the run with a non-zero status.
#
#   scripts/sanitize.sh                      # the default subset (below)
#   scripts/sanitize.sh tests                # the whole suite
#   scripts/sanitize.sh tests/test_pooling.py -k max
#
# Environment:
#   SIGCONV_ONLY    sanitize only these kernel modules (e.g. _direct,_toeplitz);
#                   the others are copied unsanitized from this tree's build
#                   (or, without one, from the installed sigconv)
#   SANITIZE_DIR    build here instead of a fresh temporary directory (kept;
#                   with SANITIZE_REUSE=1 a later run refreshes the sources
#                   and tests there but keeps the sanitized kernels: after
#                   a .pyx change, run without it)
#   PYTHON          interpreter (default python3)
#
# The default subset covers every kernel module (direct, spectral, Toeplitz,
# correlation, pooling) through the tests that drive them over dtypes,
# boundaries, strides, axes and layouts, plus the fixed-seed fuzz sample.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
PY=${PYTHON:-python3}
CC_FOR_RUNTIME=${CC:-gcc}
asan_rt="$("$CC_FOR_RUNTIME" -print-file-name=libasan.so)"
if [ ! -e "$asan_rt" ]; then
    echo "sanitize.sh: no ASan runtime found ($CC_FOR_RUNTIME -print-file-name=libasan.so)" >&2
    exit 2
fi

if [ -n "${SANITIZE_DIR:-}" ]; then
    work="$SANITIZE_DIR"
    mkdir -p "$work"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/sigconv-sanitize.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi

# the tracked and new (not ignored) files, and the C that Cython generated
# from the .pyx files (with their times: a .c older than its sources is made
# again, a newer one saves Cython's run); no compiled objects come along
(cd "$here" && { git ls-files -z --cached --others --exclude-standard
                 find sigconv/_ext -maxdepth 1 -name '*.c' -print0; }) \
    | (cd "$here" && xargs -0 tar -cf - --no-recursion 2>/dev/null) \
    | (cd "$work" && tar -xf -)
if [ "${SANITIZE_REUSE:-0}" != 1 ] || ! ls "$work"/sigconv/_ext/*.so >/dev/null 2>&1; then
    rm -f "$work"/sigconv/_ext/*.so
    start=$(date +%s)
    (cd "$work" && SIGCONV_SANITIZE=1 "$PY" setup.py -q build_ext --inplace >build.log 2>&1) || {
        tail -50 "$work/build.log" >&2; exit 1; }
    echo "sanitize.sh: sanitized build in $(( $(date +%s) - start )) s ($work)"
    if [ -n "${SIGCONV_ONLY:-}" ]; then
        # the modules not sanitized: an ordinary build of them
        from="$here/sigconv/_ext"
        ls "$from"/*.so >/dev/null 2>&1 || from="$(cd / && "$PY" -c \
            "import os, sigconv._ext as e; print(os.path.dirname(e.__file__))")"
        for pyx in "$work"/sigconv/_ext/*.pyx; do
            name="$(basename "$pyx" .pyx)"
            ls "$work"/sigconv/_ext/"$name".*.so >/dev/null 2>&1 || \
                cp "$from"/"$name".*.so "$work"/sigconv/_ext/
        done
    fi
fi

if [ $# -eq 0 ]; then
    set -- tests/test_fuzz.py tests/test_axes_stride.py tests/test_boundaries.py \
        tests/test_dtypes.py tests/test_inputs.py tests/test_errors.py \
        tests/test_toeplitz.py tests/test_autocorrelate.py \
        tests/test_normalized_correlate.py tests/test_pooling_reference.py \
        tests/test_pooling_errors.py tests/test_operator.py tests/test_matrices.py
fi

cd "$work"
export LD_PRELOAD="$asan_rt${LD_PRELOAD:+:$LD_PRELOAD}"
# Python leaks by design: leak reports are noise here
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
config="$("$PY" -c "import sigconv; sigconv.show_config()")"
# the flags shown are those _buildinfo was built with: checked when it was sanitized
if [ -z "${SIGCONV_ONLY:-}" ] || [[ ",${SIGCONV_ONLY// /}," == *,_buildinfo,* ]]; then
    case "$config" in
        *-fsanitize=address*) ;;
        *) echo "sanitize.sh: the copy did not import a sanitized build:" >&2
           echo "$config" >&2; exit 1 ;;
    esac
fi
start=$(date +%s)
# --capture=sys: the sanitizers write to file descriptor 2, which pytest's
# default capture would swallow when a report halts the process
"$PY" -m pytest -q -p no:cacheprovider --capture=sys "$@"
echo "sanitize.sh: tests passed under ASan+UBSan in $(( $(date +%s) - start )) s, no reports"
