"""Build script for sigconv's compiled kernels.

Environment switches
--------------------
SIGCONV_PORTABLE=1   build for the baseline ISA of the platform instead of the
                     host's vector extensions (``-march=native`` is dropped).
SIGCONV_DEBUG=1      turn Cython's boundscheck, wraparound and
                     initializedcheck back on and compile with ``-O0 -g``.
SIGCONV_NO_OPENMP=1  build serial kernels even when the compiler has OpenMP.
SIGCONV_SANITIZE=1   (GCC/Clang) instrument the kernels with AddressSanitizer and
                     UndefinedBehaviorSanitizer: ``-fsanitize=address,undefined
                     -fno-omit-frame-pointer -O1 -g1``, the sanitizer runtimes
                     linked in. Python itself is not instrumented, so the ASan
                     runtime must be loaded first: scripts/sanitize.sh builds a
                     copy of the tree this way and runs the tests under
                     ``LD_PRELOAD=$(gcc -print-file-name=libasan.so)``.
SIGCONV_ONLY=a,b     (development) build only the named kernel modules, e.g.
                     ``SIGCONV_ONLY=_pool_float python setup.py build_ext --inplace``.

Each module is translated by Cython and compiled on its own worker (one per
core), so translation and compilation overlap; a ``.c`` file newer than its
``.pyx`` and the files that it includes is reused.
"""
import os
import subprocess
import sysconfig
import tempfile
import threading

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _flag(name):
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


DEBUG = _flag("SIGCONV_DEBUG")
PORTABLE = _flag("SIGCONV_PORTABLE")
NO_OPENMP = _flag("SIGCONV_NO_OPENMP")
SANITIZE = _flag("SIGCONV_SANITIZE")
SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]


def _compiler_accepts(cc, args, source="int main(void){return 0;}\n", run=False):
    """Compile (and optionally run) a tiny program with ``args``."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        exe = os.path.join(tmp, "probe")
        with open(src, "w") as f:
            f.write(source)
        try:
            subprocess.run(cc + [src, "-o", exe] + args, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if run:
                subprocess.run([exe], check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError):
            return False
    return True


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_OPENMP_PROBE = """
#include <omp.h>
int main(void) {
    int n = 0;
    #pragma omp parallel reduction(+:n)
    n += 1;
    return n > 0 ? 0 : 1;
}
"""


class BuildExt(build_ext):
    """Choose optimisation, ISA and OpenMP flags from what the compiler accepts."""

    def build_extensions(self):
        # The switches change the compiled code, not the sources: never reuse
        # objects left in build/ by a build with other switches.
        self.force = True
        cc = list(self.compiler.compiler_so[:1]) or [sysconfig.get_config_var("CC") or "cc"]
        is_msvc = self.compiler.compiler_type == "msvc"
        if SANITIZE and is_msvc:
            raise RuntimeError("SIGCONV_SANITIZE=1 needs GCC or Clang")
        compile_args, link_args = [], []
        if is_msvc:
            compile_args += ["/Od"] if DEBUG else ["/O2"]
            openmp = (not NO_OPENMP, ["/openmp"], [])
        else:
            # No debug information in an ordinary build: it took a third of the
            # compile time of the kernel modules and nothing reads it. A
            # sanitized build keeps the line tables (-g1), all that the
            # sanitizers' reports need, at half the compile time of -g.
            compile_args += ["-O0", "-g"] if DEBUG else ["-O1", "-g1"] if SANITIZE else ["-O3", "-g0"]
            if SANITIZE:
                compile_args += SANITIZE_FLAGS
                link_args += SANITIZE_FLAGS
            if not DEBUG and not PORTABLE and _compiler_accepts(cc, ["-march=native"]):
                compile_args.append("-march=native")
            if _compiler_accepts(cc, ["-fno-math-errno"]):
                compile_args.append("-fno-math-errno")
            openmp = (not NO_OPENMP and _compiler_accepts(
                cc, ["-fopenmp"], _OPENMP_PROBE, run=True), ["-fopenmp"], ["-fopenmp"])
        use_openmp, omp_c, omp_l = openmp
        if use_openmp:
            compile_args += omp_c
            link_args += omp_l
        # the extensions compile in parallel, one per core, unless -j says otherwise
        if not self.parallel:
            self.parallel = _cores()
        info = " ".join(compile_args) + (" (debug: bounds checks on)" if DEBUG else "")
        for ext in self.extensions:
            ext.extra_compile_args = list(ext.extra_compile_args) + compile_args
            ext.extra_link_args = list(ext.extra_link_args) + link_args
            ext.define_macros = list(ext.define_macros) + [
                ("SIGCONV_BUILD_FLAGS", '"%s"' % info.replace('"', "")),
                ("SIGCONV_COMPILER", '"%s"' % os.path.basename(cc[0])),
            ]
        super().build_extensions()

    def build_extension(self, ext):
        # Cython runs here, on the worker that then compiles the module, so one
        # module is translated while another compiles. Translation holds the
        # GIL anyway: one at a time costs nothing and keeps Cython's state safe.
        with _CYTHON_LOCK:
            ext.sources = cythonize([ext], compiler_directives=DIRECTIVES, quiet=True,
                                    build_dir=CYTHON_DIR, annotate=_flag("SIGCONV_ANNOTATE"),
                                    force=False)[0].sources
        super().build_extension(ext)


_CYTHON_LOCK = threading.Lock()
# C generated with the debug directives stays out of the tree, so that an
# ordinary build never reuses it (nor the other way round)
CYTHON_DIR = os.path.join("build", "cython-debug") if DEBUG else None

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}

# The kernel modules (sigconv/_ext/NAME.pyx), the longest to build first: the
# workers take them in this order, and a long one started last would finish alone.
MODULES = ["_pool_int64", "_pool_int16", "_pool_float", "_direct", "_toeplitz", "_correlation",
           "_separable", "_tilefft", "_tiles", "_stream", "_spectral", "_buildinfo"]
if os.environ.get("SIGCONV_ONLY", "").strip():
    MODULES = [m for m in MODULES if m in os.environ["SIGCONV_ONLY"].replace(" ", "").split(",")]

extensions = [
    Extension(
        "sigconv._ext." + name,
        [os.path.join("sigconv", "_ext", name + ".pyx")],
        include_dirs=[np.get_include(), os.path.join("sigconv", "_ext")],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
    )
    for name in MODULES
]

setup(ext_modules=extensions, cmdclass={"build_ext": BuildExt})
