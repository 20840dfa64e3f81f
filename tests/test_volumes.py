"""sigconv.volumes: files convolved slab by slab equal the in-memory result.

The reference is sigconv.convolve on the whole volume (itself tested
against scipy); scipy.ndimage checks one smoothing per file format. The
memory test runs in a fresh interpreter and measures its peak resident
memory (VmHWM) against the budget given.
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.ndimage as ndi

import sigconv
from conftest import assert_close, fft_tolerance, random_array
from sigconv.volumes import SlabReport, convolve_file, volume_format



def _gaussian(sigma, radius, dtype=np.float64, ndim=3):
    """A normalised, separable Gaussian kernel (test helper)."""
    g = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k = g
    for _ in range(ndim - 1):
        k = np.multiply.outer(k, g)
    return (k / k.sum()).astype(dtype)


def _cases():
    for mode in ("full", "same", "valid", "circular"):
        for boundary in ("fill", "wrap", "symm", "reflect", "edge"):
            if mode == "circular" and boundary not in ("fill", "wrap"):
                continue
            yield pytest.param(mode, boundary, id="%s-%s" % (mode, boundary))


@pytest.mark.parametrize("mode, boundary", list(_cases()))
@pytest.mark.parametrize("order", ["C", "F"])
def test_npy_equals_in_memory(rng, tmp_path, mode, boundary, order):
    vol = random_array(rng, (13, 9, 7))
    vol = np.asfortranarray(vol) if order == "F" else vol
    k = random_array(rng, (4, 3, 5))
    np.save(tmp_path / "in.npy", vol)
    for limit in (10_000, 20_000, 30_000, 40_000):   # the smallest that holds a plane
        try:
            report = convolve_file(tmp_path / "in.npy", tmp_path / "out.npy", k, mode=mode,
                                   boundary=boundary, fillvalue=0.25, memory_limit=limit,
                                   method="direct", progress=False)
            break
        except ValueError as e:
            assert "too small" in str(e)
    expected = sigconv.convolve(vol, k, mode, "direct", boundary=boundary, fillvalue=0.25)
    got = np.load(tmp_path / "out.npy")
    assert report.slabs > 1 and report.shape == expected.shape
    assert report.axis == (2 if order == "F" else 0)
    assert got.flags.f_contiguous == (order == "F")
    assert_close(got, expected, inputs=(vol, k), fillvalue=0.25)


def test_npy_wide_halo_and_dtypes(rng, tmp_path):
    # a kernel longer than the volume along the slab axis: the wrap halo
    # reads the volume several times over
    vol = random_array(rng, (5, 6, 4), np.int16)
    k = random_array(rng, (11, 3, 2), np.int16)
    np.save(tmp_path / "in.npy", vol)
    convolve_file(tmp_path / "in.npy", tmp_path / "out.npy", k, mode="circular",
                  memory_limit=3_000, progress=False)
    expected = sigconv.convolve(vol, k, "circular")
    got = np.load(tmp_path / "out.npy")
    assert got.dtype == expected.dtype == np.int16
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("method", ["auto", "fft", "oa"])
def test_smoothing_equals_scipy_ndimage(rng, tmp_path, method):
    vol = random_array(rng, (30, 20, 16), np.float32)
    k = _gaussian(1.0, 2, np.float32)
    np.save(tmp_path / "in.npy", vol)
    report = convolve_file(tmp_path / "in.npy", tmp_path / "out.npy", k, boundary="symm",
                           method=method, memory_limit=200_000, progress=False)
    assert report.method == (report.method if method == "auto" else method)
    expected = ndi.convolve(vol.astype(np.float64), k.astype(np.float64), mode="reflect")
    assert_close(np.load(tmp_path / "out.npy"), expected, inputs=(vol, k),
                 dtype=np.float32, atol=fft_tolerance(np.float32, vol, k))


def test_zarr(rng, tmp_path):
    zarr = pytest.importorskip("zarr")
    vol = random_array(rng, (21, 10, 9), np.float32)
    z = zarr.create_array(store=str(tmp_path / "in.zarr"), shape=vol.shape, dtype=vol.dtype,
                          chunks=(4, 5, 9))
    z[...] = vol
    k = _gaussian(1.0, 1, np.float32)
    report = convolve_file(tmp_path / "in.zarr", tmp_path / "out.zarr", k, boundary="reflect",
                           memory_limit=30_000, method="direct", progress=False)
    out = zarr.open_array(str(tmp_path / "out.zarr"), mode="r")
    assert out.chunks == (4, 5, 9)
    assert report.slabs > 1 and report.planes_per_slab % 4 == 0
    assert_close(np.asarray(out[...]),
                 sigconv.convolve(vol, k, "same", "direct", boundary="reflect"),
                 inputs=(vol, k))
    # and to .npy
    convolve_file(tmp_path / "in.zarr", tmp_path / "out.npy", k, mode="full",
                  memory_limit=30_000, method="direct", progress=False)
    assert_close(np.load(tmp_path / "out.npy"), sigconv.convolve(vol, k, "full", "direct"),
                 inputs=(vol, k))


@pytest.mark.parametrize("suffix", [".nii", ".nii.gz"])
def test_nifti_keeps_header_and_affine(rng, tmp_path, suffix):
    nib = pytest.importorskip("nibabel")
    vol = (100 * rng.random((9, 8, 12))).astype(np.int16)
    affine = np.array([[0.9, 0, 0, -40], [0, 1.1, 0.1, -50], [0, 0, 2.5, 12], [0, 0, 0, 1]])
    img = nib.Nifti1Image(vol, affine)
    img.header.set_xyzt_units("mm", "sec")
    img.header["descrip"] = b"phantom"
    img.header.set_slope_inter(0.5, 3.0)      # stored ints, scaled on reading
    src = tmp_path / ("in" + suffix)
    nib.save(img, src)
    scaled = np.asanyarray(nib.load(src).dataobj)
    k = _gaussian(1.2, 2)
    dst = tmp_path / ("out" + suffix)
    report = convolve_file(src, dst, k, boundary="edge", memory_limit=60_000,
                           method="direct", progress=False)
    assert report.axis == 2 and report.slabs > 1
    out = nib.load(dst)
    assert np.allclose(out.affine, nib.load(src).affine)
    assert out.header.get_xyzt_units() == ("mm", "sec")
    assert out.header["descrip"] == b"phantom"
    assert out.get_data_dtype() == np.float64
    assert_close(np.asanyarray(out.dataobj),
                 sigconv.convolve(scaled, k, "same", "direct", boundary="edge"),
                 inputs=(scaled, k))


def test_nifti_full_mode_moves_the_origin(rng, tmp_path):
    nib = pytest.importorskip("nibabel")
    vol = random_array(rng, (6, 7, 8), np.float32)
    affine = np.diag([2.0, 3.0, 4.0, 1.0])
    nib.save(nib.Nifti1Image(vol, affine), tmp_path / "in.nii")
    k = np.ones((3, 5, 1), np.float32)
    convolve_file(tmp_path / "in.nii", tmp_path / "out.nii.gz", k, mode="full",
                  method="direct", progress=False)
    out = nib.load(tmp_path / "out.nii.gz")
    assert out.shape == (8, 11, 8)
    # output voxel 0 is the kernel's centre on input voxel (-1, -2, 0)
    np.testing.assert_allclose(out.affine[:3, 3], [-2.0, -6.0, 0.0])
    assert_close(np.asanyarray(out.dataobj), sigconv.convolve(vol, k, "full", "direct"),
                 inputs=(vol, k))


def test_npy_to_nifti_and_back(rng, tmp_path):
    nib = pytest.importorskip("nibabel")
    vol = random_array(rng, (5, 6, 7))
    np.save(tmp_path / "in.npy", np.asfortranarray(vol))
    k = _gaussian(1.0, 1)
    convolve_file(tmp_path / "in.npy", tmp_path / "out.nii", k, method="direct",
                  progress=False)
    expected = sigconv.convolve(vol, k, "same", "direct")
    assert_close(np.asanyarray(nib.load(tmp_path / "out.nii").dataobj), expected,
                 inputs=(vol, k))
    convolve_file(tmp_path / "out.nii", tmp_path / "back.npy", np.ones((1, 1, 1)),
                  method="direct", progress=False)
    assert_close(np.load(tmp_path / "back.npy"), expected, inputs=(vol, k))


def test_progress_bar_draws_and_counts(rng, tmp_path, capsys):
    pytest.importorskip("tqdm")
    vol = random_array(rng, (12, 4, 4))
    np.save(tmp_path / "in.npy", vol)
    report = convolve_file(tmp_path / "in.npy", tmp_path / "out.npy", np.ones((3, 1, 1)),
                           memory_limit=1_500, method="direct", progress=True)
    err = capsys.readouterr().err
    assert report.slabs > 1
    assert "slab" in err


def test_silent_without_a_terminal(rng, tmp_path, capsys):
    np.save(tmp_path / "in.npy", random_array(rng, (6, 4)))
    convolve_file(tmp_path / "in.npy", tmp_path / "out.npy", np.ones((3, 3)),
                  memory_limit=500, progress=None)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_input_unchanged_and_report(rng, tmp_path):
    vol = random_array(rng, (8, 5))
    np.save(tmp_path / "in.npy", vol)
    before = (tmp_path / "in.npy").read_bytes()
    report = convolve_file(tmp_path / "in.npy", tmp_path / "out.npy", np.ones((2, 2)),
                           mode="valid", progress=False)
    assert (tmp_path / "in.npy").read_bytes() == before
    assert isinstance(report, SlabReport) and report.shape == (7, 4) and report.slabs == 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(dst="out.txt"), "format"),
    (dict(dst="in.npy"), "same file"),
    (dict(memory_limit=100), "too small"),
    (dict(memory_limit=-1), "positive"),
    (dict(mode="nope"), "mode"),
    (dict(boundary="nope"), "boundary"),
    (dict(method="nope"), "method"),
    (dict(kernel=np.ones((30, 30))), "larger than the volume"),
    (dict(kernel=np.ones(3)), "dimensionality"),
])
def test_bad_input(rng, tmp_path, kwargs, match):
    np.save(tmp_path / "in.npy", random_array(rng, (20, 10)))
    kernel = kwargs.pop("kernel", np.ones((3, 3)))
    dst = tmp_path / kwargs.pop("dst", "out.npy")
    kwargs.setdefault("mode", "valid" if kernel.shape == (30, 30) else "same")
    with pytest.raises(ValueError, match=match):
        convolve_file(tmp_path / "in.npy", dst, kernel, progress=False, **kwargs)


def test_volume_format():
    assert volume_format("a/b.NII.GZ") == "nifti"
    assert volume_format("store.zarr/") == "zarr"
    with pytest.raises(ValueError, match="format"):
        volume_format("a.h5")


_MEASURE = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    import sigconv, sigconv.volumes
    src, dst, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
    g = np.exp(-0.5 * np.arange(-1, 2) ** 2)
    k = np.multiply.outer(np.multiply.outer(g, g), g).astype(np.float32)
    k /= k.sum()
    def status(field):
        # this process's own figures: ru_maxrss would also count the parent's
        # memory at fork time (Linux keeps it across exec)
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    base = status("VmRSS")
    report = sigconv.volumes.convolve_file(src, dst, k, boundary="symm", memory_limit=budget,
                                           progress=False)
    peak = status("VmHWM")
    print(json.dumps({"base": base, "peak": peak, "slabs": report.slabs,
                      "method": report.method}))
""")


@pytest.mark.slow
def test_peak_memory_stays_under_the_budget(tmp_path):
    # a 256 MiB float32 volume through a 64 MiB budget, in a fresh interpreter
    from numpy.lib.format import open_memmap
    shape = (256, 512, 512)
    budget = 64 << 20
    src = open_memmap(tmp_path / "vol.npy", mode="w+", dtype=np.float32, shape=shape)
    rng = np.random.default_rng(1)
    for i in range(0, shape[0], 32):
        src[i:i + 32] = rng.standard_normal((32,) + shape[1:], dtype=np.float32)
    src.flush()
    probe = np.array(src[100:103, 200:203, 300:303], dtype=np.float64)
    del src
    assert os.path.getsize(tmp_path / "vol.npy") >= 4 * budget
    # the sigconv under test (installed, or built in place), not the sources
    # of the working directory
    here = os.path.dirname(os.path.dirname(os.path.abspath(sigconv.__file__)))
    env = dict(os.environ, PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run = subprocess.run([sys.executable, "-c", _MEASURE, str(tmp_path / "vol.npy"),
                          str(tmp_path / "out.npy"), str(budget)],
                         capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    m = json.loads(run.stdout)
    assert m["slabs"] >= 4
    assert m["peak"] - m["base"] <= budget, m
    out = np.load(tmp_path / "out.npy", mmap_mode="r")
    g = np.exp(-0.5 * np.arange(-1, 2) ** 2)
    k = np.multiply.outer(np.multiply.outer(g, g), g)
    assert abs(float(out[101, 201, 301]) - float((probe * (k / k.sum())).sum())) < 1e-5
    del out
    for name in ("vol.npy", "out.npy"):      # 512 MiB of temporary files
        os.remove(tmp_path / name)
