"""Differential fuzzing: a fixed-seed sample of the cases of tests/_fuzz.py.

Every public function is fuzzed (random shapes with 0- and 1-sized axes and
kernels larger than the input, every dtype pair including non-native byte
order, modes, boundaries, strides, axes, methods and memory layouts) against
slow references written from the definitions. ``scripts/fuzz.py`` runs the
same cases by the hundred thousand.
"""
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import _fuzz
import sigconv

#: cases per function in this sample (over 2,000 in total)
SAMPLE = _fuzz.share(2300)


def test_sample_size():
    assert sum(SAMPLE.values()) >= 2000
    assert set(SAMPLE) == set(_fuzz.FUNCTIONS)


def test_every_public_function_is_fuzzed():
    # StreamConvolver: block cuts, IR layouts and dtypes are drawn by the
    # hypothesis tests of tests/test_streaming.py against the offline call
    covered = set(_fuzz.FUNCTIONS) | {"show_config", "__version__", "StreamConvolver"}
    assert set(sigconv.__all__) <= covered, set(sigconv.__all__) - covered


@pytest.mark.parametrize("fn", list(SAMPLE))
def test_fuzz(fn):
    @settings(max_examples=SAMPLE[fn], derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(_fuzz.cases(fn))
    def run(case):
        verdict = _fuzz.run_case(case)
        assert verdict.status != "mismatch", "%s\n%s" % (verdict.message,
                                                         _fuzz.reproducer(case))
    run()


# --------------------------------------------------------------------------
# The fuzzer's own parts: the tolerance helper, the arrays, the verdicts
# --------------------------------------------------------------------------

def test_tolerance_scales_with_precision_and_norms():
    t64 = _fuzz.tolerance(np.float64, 1.0, 100)
    t32 = _fuzz.tolerance(np.float32, 1.0, 100)
    assert 0 < t64 < 1e-12
    # float32 is about 2**29 times looser, float16 computed in float32 too
    assert 2**28 < t32 / t64 < 2**30
    assert _fuzz.tolerance(np.float16, 1.0, 100) == t32
    assert _fuzz.tolerance(np.complex64, 1.0, 100) == t32
    # linear in the scale, growing (slowly) with the terms, 0 for integers
    assert _fuzz.tolerance(np.float64, 1e6, 100) == pytest.approx(1e6 * t64)
    assert t64 < _fuzz.tolerance(np.float64, 1.0, 10_000) < 20 * t64
    assert _fuzz.tolerance(np.int32, 1e6, 100) == 0
    # the final rounding to the result dtype, relative to each value
    t16 = _fuzz.tolerance(np.float16, 1.0, 100, ref=np.array([0.0, 1000.0]))
    assert t16[0] == t32 and t16[1] > 1000 * np.finfo(np.float16).eps


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_compare_accepts_rounding_and_rejects_errors(dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(50)
    h = rng.standard_normal(7)
    ref = np.convolve(x, h)
    tol = _fuzz.tolerance(dtype, np.linalg.norm(x) * np.linalg.norm(h), x.size + h.size, ref)
    got = np.convolve(x.astype(dtype), h.astype(dtype))
    assert _fuzz.compare(got, ref, dtype, tol) is None
    # an error of a thousand times the unit roundoff of the scale is caught ...
    bad = got.copy()
    bad[3] += 1000 * _fuzz.compute_eps(dtype) * np.linalg.norm(x) * np.linalg.norm(h)
    assert "values differ at (3,)" in _fuzz.compare(bad, ref, dtype, tol)
    # ... and so are a shift, a wrong dtype and a wrong shape
    assert _fuzz.compare(np.roll(got, 1), ref, dtype, tol) is not None
    assert "dtype" in _fuzz.compare(got.astype(np.clongdouble), ref, dtype, tol)
    assert "shape" in _fuzz.compare(got[:-1], ref, dtype, tol)


def test_compare_integers_exactly_with_wraparound():
    exact = np.array([200 * 200, -5, 127], dtype=object)
    assert _fuzz.compare(np.array([64, -5, 127], np.int8), exact, np.int8, 0) is None
    assert _fuzz.compare(np.array([64, -5, 126], np.int8), exact, np.int8, 0) is not None
    assert _fuzz.wrap([2**64 + 3], np.uint64)[0] == 3
    assert _fuzz.wrap([3, 0], bool).tolist() == [True, False]


@pytest.mark.parametrize("layout", _fuzz.LAYOUTS)
@pytest.mark.parametrize("dtype", ["i2", "d", "D", np.dtype("f").newbyteorder("S").str])
def test_make_array_layouts(layout, dtype):
    spec = {"shape": [3, 4], "dtype": dtype, "layout": layout, "values": "normal", "seed": 3}
    a = _fuzz.make_array(spec)
    c = _fuzz.make_array(dict(spec, layout="C"))
    assert a.shape == (3, 4) and a.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a, c)
    flags = {"C": a.flags.c_contiguous, "F": a.flags.f_contiguous and not a.flags.c_contiguous,
             "strided": not a.flags.c_contiguous and not a.flags.f_contiguous,
             "negative": all(s < 0 for s in a.strides),
             "readonly": not a.flags.writeable,
             "unaligned": not a.flags.aligned and not a.flags.writeable}
    assert flags[layout]


@pytest.mark.parametrize("defect", ["shift", "precision", "dtype", "mutate", "exception"])
def test_fuzzer_catches_injected_defects(monkeypatch, defect):
    real = sigconv.convolve

    def broken(in1, in2, *args, **kwargs):
        out = real(in1, in2, *args, **kwargs)
        if defect == "shift" and out.size > 1:
            out = np.roll(out, 1)
        elif defect == "precision" and out.dtype.kind in "fc":
            out = out * (1 + 1e-4 if out.dtype.itemsize >= 8 else 1 + 1e-2) + 1e-3
        elif defect == "dtype":
            out = out.astype(np.complex128)
        elif defect == "mutate":
            in1.view(np.uint8)[...] = 0  # the fuzzer hands writeable arrays over too
        elif defect == "exception":
            raise RuntimeError("boom")
        return out

    monkeypatch.setattr(sigconv, "convolve", broken)
    case = {"fn": "convolve", "mode": "full", "method": "direct",
            "a": {"shape": [9], "dtype": "d", "layout": "C", "values": "normal", "seed": 1},
            "b": {"shape": [3], "dtype": "d", "layout": "C", "values": "normal", "seed": 2}}
    verdict = _fuzz.run_case(json.loads(json.dumps(case)))
    assert verdict.status == "mismatch", verdict
    monkeypatch.setattr(sigconv, "convolve", real)
    assert _fuzz.run_case(case).status == "ok"


def test_invalid_call_must_raise_value_or_type_error(monkeypatch):
    case = {"fn": "convolve", "mode": "valid", "method": "direct",
            "a": {"shape": [4, 2], "dtype": "d", "layout": "C", "values": "normal", "seed": 1},
            "b": {"shape": [2, 4], "dtype": "d", "layout": "C", "values": "normal", "seed": 2}}
    assert _fuzz.run_case(case).status == "ok"  # neither fits: ValueError, as it should
    monkeypatch.setattr(sigconv, "convolve",
                        lambda *a, **k: (_ for _ in ()).throw(IndexError("oops")))
    assert _fuzz.run_case(case).status == "mismatch"
    monkeypatch.setattr(sigconv, "convolve", lambda *a, **k: np.zeros(3))
    assert _fuzz.run_case(case).status == "mismatch"


# --------------------------------------------------------------------------
# Defects of issue 10 the fuzzer found while their fixes were under way:
# integer wrap-around outside the scipy twins, byte-swapped float16 in the
# transforms, and the reference's own flat-template threshold. Fixed; kept as
# regression cases.
# --------------------------------------------------------------------------

KNOWN_CASES = {
    "autocorrelate-uint8-wraps": {
        "fn": "autocorrelate", "mode": "full",
        "a": {"shape": [6], "dtype": "u1", "layout": "C", "values": "full", "seed": 1}},
    "convolution_matrix-int8-wraps": {
        "fn": "convolution_matrix", "shape": [3], "mode": "same", "boundary": "edge",
        "a": {"shape": [4], "dtype": "i1", "layout": "C", "values": "full", "seed": 1}},
    "swapped-float16-oaconvolve-dtype": {
        "fn": "oaconvolve", "mode": "full",
        "a": {"shape": [5, 2], "dtype": np.dtype("e").newbyteorder("S").str, "layout": "C",
              "values": "normal", "seed": 1},
        "b": {"shape": [5, 2], "dtype": np.dtype("e").newbyteorder("S").str, "layout": "C",
              "values": "normal", "seed": 2}},
    "flat-window-ncc": {
        "fn": "normalized_correlate", "mode": "full", "axes": [0],
        "a": {"shape": [1, 36], "dtype": ">i8", "layout": "readonly", "values": "normal",
              "seed": 256},
        "b": {"shape": [2, 36], "dtype": "f", "layout": "negative", "values": "normal",
              "seed": 2304}},
}


def _spec(shape, dtype, values="normal", layout="C", seed=1):
    return {"shape": list(shape), "dtype": np.dtype(dtype).str, "layout": layout,
            "values": values, "seed": seed}


SWAPPED_HALF = np.dtype("e").newbyteorder("S").str

#: defects the fuzzer found and that are fixed: regression cases
FOUND_CASES = {
    # fixed on main before this branch: the first cases of issue 10
    "mixed-dtype-fft": {"fn": "convolve", "mode": "same", "method": "fft",
                        "a": _spec((40, 30), "u1", "full"), "b": _spec((5, 5), "f", seed=2)},
    "mixed-dtype-Convolver": {"fn": "Convolver", "mode": "same", "method": "fft",
                              "a": _spec((40, 30), "u1", "full"),
                              "b": _spec((5, 5), "f", seed=2)},
    # pooling of byte-swapped float16 raised TypeError (no matching signature)
    "pool-swapped-float16": {"fn": "min_pool", "size": [3], "a": _spec((6, 3), SWAPPED_HALF)},
    # lp pooling of longdouble took 1/p in double precision
    "lp-pool-longdouble": {"fn": "lp_pool", "size": [4], "p": 3, "stride": 3, "padding": 1,
                           "dilation": 2, "ceil_mode": True,
                           "a": _spec((6, 12), "g", "small", "F", seed=488)},
    # circulant_eigenvalues: byte-swapped kernels raised TypeError, float16
    # kernels were folded in float16
    "eigenvalues-swapped": {"fn": "circulant_eigenvalues", "shape": [3],
                            "a": _spec((4,), ">f4", "full", "readonly")},
    "eigenvalues-float16": {"fn": "circulant_eigenvalues", "shape": 8,
                            "a": _spec((14,), "e", layout="strided", seed=316)},
    # a sparse float16 matrix with a folding boundary raised ValueError (scipy.sparse)
    "sparse-float16": {"fn": "convolution_matrix", "shape": [8, 1, 2], "mode": "circular",
                       "boundary": "wrap", "sparse": True,
                       "a": _spec((1, 1, 2), "e", "const", "negative")},
    # normalized_correlate subtracted the mean of float16 data in float16
    "ncc-float16": {"fn": "normalized_correlate", "mode": "same",
                    "a": _spec((3,), "e", "full", "unaligned", seed=1216),
                    "b": _spec((3,), "u8", "full", "F", seed=41229)},
    # convolve2d / correlate2d of an empty input with a non-zero fill value
    # returned zeros (scipy: fillvalue * sum(kernel))
    "2d-empty-fill": {"fn": "correlate2d", "mode": "full", "boundary": "fill",
                      "fillvalue": 2.5, "a": _spec((9, 0), "d"), "b": _spec((4, 9), "D")},
    # the spectral product wrote into a C-ordered copy of a spectrum that a
    # transform had left in another layout, and returned the unmultiplied one
    # (wrong values), or failed to view it as (re, im) pairs
    "fft-spectrum-layout-values": {
        "fn": "correlate", "mode": "valid", "method": "fft",
        "a": _spec((7, 8), ">c16", "small", "F", seed=1609804),
        "b": _spec((6, 7), ">f4", "small", seed=8186888)},
    "fft-spectrum-layout-view": {
        "fn": "convolve", "mode": "valid", "method": "fft", "axes": [0],
        "a": _spec((8, 3), "F", "full", "unaligned", seed=94059),
        "b": _spec((3, 3), "F", seed=30)},
    # a full-mode length of -1 (two inputs empty along an axis) became 0 with a stride
    "2d-negative-length-stride": {
        "fn": "convolve2d", "mode": "full", "stride": [3, 3],
        "a": _spec((0, 8), "i4", "const"), "b": _spec((0, 1), "f", "const")},
}


@pytest.mark.parametrize("name", list(FOUND_CASES))
def test_found_defects_stay_fixed(name):
    verdict = _fuzz.run_case(FOUND_CASES[name])
    assert verdict.status == "ok", verdict.message


@pytest.mark.parametrize("name", list(KNOWN_CASES))
def test_known_defects(name):
    case = KNOWN_CASES[name]
    verdict = _fuzz.run_case(case)
    assert verdict.status == "ok", verdict.message


def test_no_defect_is_excused():
    # every mismatch counts: the list of excused (known, open) defects is empty
    assert _fuzz.KNOWN == []


def test_case_is_json_and_replayable():
    case = KNOWN_CASES["autocorrelate-uint8-wraps"]
    assert json.loads(json.dumps(case)) == case
    assert "scripts/fuzz.py --replay" in _fuzz.reproducer(case)
    assert math.isfinite(_fuzz.tolerance(np.float32, 1.0, 1))
