"""``sigconv convolve`` on audio files, checked with scipy.io.wavfile, soundfile and scipy.signal."""
import numpy as np
import pytest
import scipy.io.wavfile as wavfile
import scipy.signal as ss

from sigconv import cli
from sigconv._apps import audio


def _run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.err


def _noise(frames, channels, level, seed=0):
    return np.random.default_rng(seed).uniform(-level, level, (frames, channels))


def _delta_ir(path, rate=48000):
    wavfile.write(path, rate, np.array([1.0], np.float32))


@pytest.mark.parametrize("dtype,bits", [(np.int16, 16), (np.int32, 32), (np.uint8, 8),
                                        (np.float32, 32), (np.float64, 64)])
@pytest.mark.parametrize("channels", [1, 2, 5])
def test_identity_round_trip_scipy_formats(tmp_path, capsys, dtype, bits, channels):
    if np.dtype(dtype).kind == "f":
        x = _noise(1000, channels, 0.9).astype(dtype)
    elif dtype == np.uint8:
        x = np.random.default_rng(1).integers(0, 256, (1000, channels)).astype(np.uint8)
    else:
        info = np.iinfo(dtype)
        x = np.random.default_rng(1).integers(info.min, info.max, (1000, channels),
                                              endpoint=True).astype(dtype)
    wavfile.write(tmp_path / "in.wav", 48000, x if channels > 1 else x[:, 0])
    _delta_ir(tmp_path / "ir.wav")
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "out.wav")
    assert code == 0, err
    rate, y = wavfile.read(tmp_path / "out.wav")
    assert rate == 48000
    y = y.reshape(1000, channels)
    assert y.dtype == x.dtype
    if np.dtype(dtype).kind == "f":
        # float32 computation: within float32 rounding of the input
        np.testing.assert_allclose(y, x, rtol=0, atol=2e-7 * np.abs(x).max())
    elif bits == 32:
        # float32 holds 24 bits of the 32-bit integers
        np.testing.assert_allclose(y.astype(np.int64), x, atol=2 ** 8)
    else:
        np.testing.assert_array_equal(y, x)


def test_24_bit_round_trip(tmp_path, capsys):
    sf = pytest.importorskip("soundfile")
    x = np.random.default_rng(2).integers(-2 ** 23, 2 ** 23, (3000, 2)).astype(np.int32)
    sf.write(tmp_path / "in.wav", x << 8, 44100, subtype="PCM_24")
    _delta_ir(tmp_path / "ir.wav", 44100)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "out.wav")
    assert code == 0, err
    assert audio.audio_info(str(tmp_path / "out.wav")).subtype == "PCM_24"
    rate, y = wavfile.read(tmp_path / "out.wav")   # scipy: 24-bit left-justified in int32
    np.testing.assert_array_equal(y >> 8, x)
    assert sf.info(str(tmp_path / "out.wav")).subtype == "PCM_24"


def test_our_24_bit_writer_read_by_scipy(tmp_path):
    x = _noise(500, 3, 0.99, seed=3).astype(np.float32)
    audio.write_audio(str(tmp_path / "o.wav"), x, 22050, "PCM_24")
    rate, y = wavfile.read(tmp_path / "o.wav")
    assert rate == 22050 and y.shape == (500, 3)
    np.testing.assert_array_equal(y >> 8, np.rint(x.astype(np.float64) * 2 ** 23))


def test_reverb_equals_offline_convolution(tmp_path, capsys):
    x = _noise(20000, 2, 0.5, seed=4).astype(np.float32)
    h = (_noise(3000, 2, 0.05, seed=5) * np.exp(-np.arange(3000) / 600)[:, None])
    h = h.astype(np.float32)
    wavfile.write(tmp_path / "in.wav", 16000, x)
    wavfile.write(tmp_path / "ir.wav", 16000, h)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "out.wav", "--block-size", 1000)
    assert code == 0, err
    _, y = wavfile.read(tmp_path / "out.wav")
    ref = np.stack([ss.convolve(x[:, c].astype(np.float64), h[:, c].astype(np.float64))
                    for c in range(2)], axis=1)
    assert y.dtype == np.float32 and y.shape == ref.shape
    assert np.abs(y - ref).max() < 1e-5 * np.abs(ref).max()
    # --no-tail keeps the input's length
    _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav", "-o",
         tmp_path / "short.wav", "--no-tail")
    assert wavfile.read(tmp_path / "short.wav")[1].shape == x.shape


def test_mismatched_sample_rates_refused(tmp_path, capsys):
    wavfile.write(tmp_path / "in.wav", 48000, np.zeros((100, 2), np.int16))
    _delta_ir(tmp_path / "ir.wav", 44100)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "out.wav")
    assert code == 2
    assert "sample rates differ" in err and "48000" in err and "44100" in err
    assert not (tmp_path / "out.wav").exists()


def test_clipping_is_reported_and_saturates(tmp_path, capsys):
    x = np.array([[20000], [-20000], [100]] * 50, np.int16)
    wavfile.write(tmp_path / "in.wav", 8000, x[:, 0])
    _delta_ir(tmp_path / "ir.wav", 8000)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "out.wav", "--gain", 6)
    assert code == 0
    assert "100 samples clipped" in err and "--normalize" in err
    _, y = wavfile.read(tmp_path / "out.wav")
    # saturated at full scale with the right signs, never wrapped around
    np.testing.assert_array_equal(y[0::3], 32767)
    np.testing.assert_array_equal(y[1::3], -32768)
    np.testing.assert_array_equal(y[2::3], 200)


def test_normalize_gain_and_mix(tmp_path, capsys):
    x = (_noise(4000, 2, 0.1, seed=6)).astype(np.float32)
    wavfile.write(tmp_path / "in.wav", 8000, x)
    _delta_ir(tmp_path / "ir.wav", 8000)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "n.wav", "--normalize", -6)
    assert code == 0, err
    y = wavfile.read(tmp_path / "n.wav")[1]
    assert np.isclose(np.abs(y).max(), 10 ** (-6 / 20), rtol=1e-6)
    _run(capsys, "convolve", tmp_path / "in.wav", "--kernel", "box:size=2", "-o",
         tmp_path / "m.wav", "--mix", 0.25, "--gain", -20)
    y = wavfile.read(tmp_path / "m.wav")[1]
    wet = np.stack([np.convolve(x[:, c], [0.5, 0.5]) for c in range(2)], axis=1)
    dry = np.concatenate([x, np.zeros((1, 2))])
    np.testing.assert_allclose(y, 0.1 * (0.25 * wet + 0.75 * dry), atol=1e-7)


def test_kernel_spec_lowpass_is_firwin(tmp_path, capsys):
    x = _noise(5000, 1, 0.5, seed=7).astype(np.float32)
    wavfile.write(tmp_path / "in.wav", 48000, x)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", "--kernel",
                     "lowpass:cutoff=4000,numtaps=101", "-o", tmp_path / "out.wav")
    assert code == 0, err
    y = wavfile.read(tmp_path / "out.wav")[1]
    ref = np.convolve(x[:, 0].astype(np.float64), ss.firwin(101, 4000, fs=48000))
    np.testing.assert_allclose(y, ref, atol=1e-6)


def test_true_stereo_matrix(tmp_path, capsys):
    x = _noise(3000, 2, 0.5, seed=8).astype(np.float32)
    h = _noise(200, 4, 0.1, seed=9).astype(np.float32)   # LL, LR, RL, RR
    wavfile.write(tmp_path / "in.wav", 8000, x)
    wavfile.write(tmp_path / "ir.wav", 8000, h)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav", "--matrix",
                     "-o", tmp_path / "out.wav")
    assert code == 0, err
    y = wavfile.read(tmp_path / "out.wav")[1]
    hm = h.T.reshape(2, 2, -1)
    ref = np.stack([sum(np.convolve(x[:, i], hm[o, i]) for i in range(2)) for o in range(2)], 1)
    np.testing.assert_allclose(y, ref, atol=1e-5)
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", tmp_path / "ir.wav",
                     "-o", tmp_path / "bad.wav")
    assert code == 2 and "--matrix" in err


def test_flac_through_soundfile(tmp_path, capsys):
    sf = pytest.importorskip("soundfile")
    x = np.random.default_rng(10).integers(-30000, 30000, (2000, 2)).astype(np.int16)
    sf.write(tmp_path / "in.flac", x, 44100, subtype="PCM_16")
    _delta_ir(tmp_path / "ir.wav", 44100)
    code, err = _run(capsys, "convolve", tmp_path / "in.flac", tmp_path / "ir.wav",
                     "-o", tmp_path / "out.flac")
    assert code == 0, err
    y, rate = sf.read(tmp_path / "out.flac", dtype="int16")
    assert rate == 44100
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize("name,match", [("table.csv", "not supported yet"),
                                        ("notes.txt", "not supported yet"),
                                        ("noext", "not supported yet")])
def test_unsupported_inputs(tmp_path, capsys, name, match):
    (tmp_path / name).write_bytes(b"")
    code, err = _run(capsys, "convolve", tmp_path / name, "-o", tmp_path / "o.wav",
                     "--kernel", "box:size=2")
    assert code == 2 and match in err


@pytest.mark.parametrize("extra,match", [
    ([], "impulse response file or --kernel"),
    (["--mix", "1.5"], "--mix"),
    (["--kernel", "nope:x=1"], "unknown kernel"),
])
def test_bad_options(tmp_path, capsys, extra, match):
    wavfile.write(tmp_path / "in.wav", 8000, np.zeros(10, np.int16))
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", "-o", tmp_path / "o.wav", *extra)
    assert code == 2 and match in err


def test_missing_and_corrupt_files(tmp_path, capsys):
    code, err = _run(capsys, "convolve", tmp_path / "none.wav", "--kernel", "box:size=2",
                     "-o", tmp_path / "o.wav")
    assert code == 2 and "no such file" in err
    (tmp_path / "bad.wav").write_bytes(b"not a wav file at all")
    code, err = _run(capsys, "convolve", tmp_path / "bad.wav", "--kernel", "box:size=2",
                     "-o", tmp_path / "o.wav")
    assert code == 2 and "RIFF" in err


def test_no_progress_bar_in_a_pipe(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SIGCONV_PROGRESS", raising=False)
    wavfile.write(tmp_path / "in.wav", 8000, np.zeros(20000, np.int16))
    code, err = _run(capsys, "convolve", tmp_path / "in.wav", "--kernel", "box:size=3",
                     "-o", tmp_path / "o.wav", "--block-size", 256)
    assert code == 0
    assert err.count("\n") == 1 and "\r" not in err
