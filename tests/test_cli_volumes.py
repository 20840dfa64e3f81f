"""``sigconv convolve`` on volume files (.npy, NIfTI, Zarr), against in-memory calls."""
import numpy as np
import pytest

import sigconv
from sigconv import kernels
from sigconv.cli import main


@pytest.fixture
def volume(tmp_path):
    v = np.random.default_rng(0).standard_normal((24, 18, 12)).astype(np.float32)
    path = tmp_path / "v.npy"
    np.save(path, v)
    return v, path


@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm", "reflect", "edge"])
@pytest.mark.parametrize("mode", ["same", "full", "valid"])
def test_kernel_spec_by_slabs_equals_in_memory(volume, tmp_path, mode, boundary):
    v, src = volume
    out = tmp_path / "o.npy"
    assert main(["convolve", str(src), "-o", str(out), "--kernel", "gaussian:sigma=1",
                 "--mode", mode, "--boundary", boundary, "--memory-limit", "0.5"]) == 0
    k = kernels.from_spec("gaussian:sigma=1", ndim=3).astype(np.float32)
    expect = sigconv.convolve(v.astype(np.float64), k.astype(np.float64), mode=mode,
                              boundary=boundary)
    got = np.load(out)
    assert got.dtype == np.float32 and got.shape == expect.shape
    np.testing.assert_allclose(got, expect, rtol=0, atol=2e-5 * np.abs(expect).max())


def test_kernel_file(volume, tmp_path):
    v, src = volume
    k = np.random.default_rng(1).standard_normal((3, 4, 5)).astype(np.float32)
    np.save(tmp_path / "k.npy", k)
    out = tmp_path / "o.npy"
    assert main(["convolve", str(src), str(tmp_path / "k.npy"), "-o", str(out)]) == 0
    expect = sigconv.convolve(v.astype(np.float64), k.astype(np.float64), mode="same")
    np.testing.assert_allclose(np.load(out), expect, rtol=0, atol=1e-5 * np.abs(expect).max())


def test_nifti_round_trip_keeps_the_affine(tmp_path):
    nib = pytest.importorskip("nibabel")
    v = np.random.default_rng(2).standard_normal((16, 14, 10)).astype(np.float32)
    affine = np.diag([2.0, 2.0, 3.0, 1.0])
    affine[:3, 3] = [10, -4, 7]
    nib.save(nib.Nifti1Image(v, affine), tmp_path / "v.nii.gz")
    assert main(["convolve", str(tmp_path / "v.nii.gz"), "-o", str(tmp_path / "o.nii.gz"),
                 "--kernel", "box:size=3"]) == 0
    img = nib.load(tmp_path / "o.nii.gz")
    np.testing.assert_array_equal(img.affine, affine)
    expect = sigconv.convolve(v, kernels.from_spec("box:size=3", ndim=3).astype(np.float32),
                              mode="same")
    np.testing.assert_allclose(np.asarray(img.dataobj), expect, atol=1e-5)


@pytest.mark.parametrize("argv, message", [
    (["--mix", "0.5", "--kernel", "box:size=3"], "audio files only"),
    ([], "give a kernel"),
    (["--kernel", "nonsense"], "unknown kernel"),
    (["--kernel", "box:size=3", "--memory-limit", "0.001"], "too small"),
    (["--kernel", "gaussian:sigma=1,ndim=2"], "axes"),
])
def test_bad_requests_exit_2_with_a_message(volume, tmp_path, capsys, argv, message):
    _, src = volume
    assert main(["convolve", str(src), "-o", str(tmp_path / "o.npy")] + argv) == 2
    assert message in capsys.readouterr().err


def test_unknown_extension(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("x")
    assert main(["convolve", str(tmp_path / "a.txt"), "-o", str(tmp_path / "b.txt"),
                 "--kernel", "box:size=3"]) == 2
    assert "not supported" in capsys.readouterr().err
