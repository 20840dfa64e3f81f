"""Audio files for ``sigconv convolve``: streamed reading, convolution and writing.

WAV files (PCM 8/16/24/32-bit integer, 32/64-bit float, any channel count,
plain or WAVE_FORMAT_EXTENSIBLE) are read through a memory map of their
data chunk and written incrementally (the header's sizes filled in at the
end), so memory stays constant whatever the length of the file. Other
formats (FLAC, OGG/Vorbis, AIFF, ...) go through ``soundfile`` when it is
installed (the ``audio`` extra), also block by block.

The convolution runs through :class:`sigconv.StreamConvolver` in float32,
one block at a time, with a wet/dry mix, a gain and, optionally, peak
normalisation (a first pass measures the peak). Integer output saturates
at full scale and the samples that would have clipped are counted and
reported: nothing ever wraps around.

Example
-------
>>> import os, tempfile
>>> import numpy as np
>>> d = tempfile.mkdtemp()
>>> x = np.zeros((100, 2), np.float32); x[0] = 0.5
>>> write_audio(os.path.join(d, "in.wav"), x, 8000, "PCM_16")
>>> rep = convolve_audio(os.path.join(d, "in.wav"), None, os.path.join(d, "out.wav"),
...                      kernel="box:size=2", tail=True)
>>> rep.frames, rep.samplerate, rep.channels, rep.clipped
(101, 8000, 2, 0)
>>> info = audio_info(os.path.join(d, "out.wav"))
>>> info.frames, info.subtype
(101, 'PCM_16')
"""
import math
import os
import struct
import sys
from dataclasses import dataclass

import numpy as np

#: extensions handled here; WAV natively, the others through soundfile
WAV_EXTENSIONS = (".wav", ".wave")
SOUNDFILE_EXTENSIONS = (".flac", ".ogg", ".oga", ".aiff", ".aif", ".aifc", ".au", ".snd",
                        ".caf", ".w64", ".rf64", ".mp3", ".opus")
AUDIO_EXTENSIONS = WAV_EXTENSIONS + SOUNDFILE_EXTENSIONS

#: WAV sample formats: subtype -> (format tag, bits, numpy dtype of the container)
SUBTYPES = {
    "PCM_U8": (1, 8, np.uint8),
    "PCM_16": (1, 16, np.dtype("<i2")),
    "PCM_24": (1, 24, None),
    "PCM_32": (1, 32, np.dtype("<i4")),
    "FLOAT": (3, 32, np.dtype("<f4")),
    "DOUBLE": (3, 64, np.dtype("<f8")),
}
_FLOAT_SUBTYPES = ("FLOAT", "DOUBLE", "VORBIS", "OPUS", "MPEG_LAYER_III")


class AudioError(ValueError):
    """A file that cannot be read or written as asked (the message says why)."""


@dataclass
class AudioInfo:
    path: str
    samplerate: int
    channels: int
    frames: int
    subtype: str


# -- WAV ------------------------------------------------------------------

def _wav_header(path):
    """Parse a RIFF/WAVE header: (samplerate, channels, subtype, data offset, frames)."""
    with open(path, "rb") as f:
        riff = f.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            kind = "RF64 (over 4 GiB)" if riff[:4] == b"RF64" else "not a RIFF/WAVE file"
            raise AudioError("%s: %s" % (path, kind))
        fmt = None
        size = os.fstat(f.fileno()).st_size
        while True:
            head = f.read(8)
            if len(head) < 8:
                raise AudioError("%s: no data chunk" % path)
            cid, clen = head[:4], struct.unpack("<I", head[4:])[0]
            if cid == b"fmt ":
                body = f.read(clen)
                if len(body) < 16:
                    raise AudioError("%s: truncated fmt chunk" % path)
                tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", body[:16])
                if tag == 0xFFFE and len(body) >= 26:
                    tag = struct.unpack("<H", body[24:26])[0]
                fmt = (tag, channels, rate, align, bits)
            elif cid == b"data":
                if fmt is None:
                    raise AudioError("%s: data before the fmt chunk" % path)
                offset = f.tell()
                clen = min(clen, size - offset)  # a truncated file: what is there
                break
            else:
                f.seek(clen, 1)
            if clen % 2:
                f.seek(1, 1)
    tag, channels, rate, align, bits = fmt
    subtype = None
    for name, (t, b, _) in SUBTYPES.items():
        if t == tag and b == bits:
            subtype = name
    if subtype is None or channels < 1 or align != channels * (bits // 8):
        raise AudioError("%s: unsupported WAV sample format (format tag %d, %d bits)"
                         % (path, tag, bits))
    return rate, channels, subtype, offset, clen // align


class _WavReader:
    def __init__(self, path):
        rate, channels, subtype, offset, frames = _wav_header(path)
        self.info = AudioInfo(path, rate, channels, frames, subtype)
        container = SUBTYPES[subtype][2]
        if frames == 0:
            self._data = np.zeros((0, channels), np.float32)
        elif container is None:  # 24-bit: bytes, decoded per block
            self._data = np.memmap(path, np.uint8, "r", offset, (frames, channels, 3))
        else:
            self._data = np.memmap(path, container, "r", offset, (frames, channels))

    def read(self, start, stop):
        """Frames ``[start, stop)`` as float32 (frames, channels) in [-1, 1)."""
        raw = self._data[start:stop]
        sub = self.info.subtype
        if sub == "PCM_24":
            b = raw.astype(np.int32)
            v = (b[..., 0] | (b[..., 1] << 8) | (b[..., 2] << 16)) << 8  # sign via the top
            return v.astype(np.float32) * np.float32(2.0 ** -31)
        if sub == "PCM_U8":
            return (raw.astype(np.float32) - 128) * np.float32(1 / 128)
        if sub in ("PCM_16", "PCM_32"):
            bits = SUBTYPES[sub][1]
            return raw.astype(np.float32) * np.float32(2.0 ** (1 - bits))
        return np.asarray(raw, np.float32)

    def close(self):
        self._data = None


class _WavWriter:
    def __init__(self, path, samplerate, channels, subtype):
        if subtype not in SUBTYPES:
            raise AudioError("WAV output cannot be %s; choose one of %s"
                             % (subtype, ", ".join(SUBTYPES)))
        self.tag, self.bits, _ = SUBTYPES[subtype]
        self.subtype, self.channels, self.frames = subtype, channels, 0
        self._f = open(path, "wb")
        align = channels * self.bits // 8
        extensible = channels > 2 or self.bits > 16 and self.tag == 1
        if extensible:  # WAVE_FORMAT_EXTENSIBLE: what players expect past stereo/16-bit
            guid = struct.pack("<H", self.tag) + bytes.fromhex("000000001000800000aa00389b71")
            fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, samplerate,
                              samplerate * align, align, self.bits, 22, self.bits, 0) + guid
        else:
            fmt = struct.pack("<HHIIHH", self.tag, channels, samplerate,
                              samplerate * align, align, self.bits)
        self._f.write(b"RIFF" + b"\0\0\0\0" + b"WAVE")
        self._f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
        self._f.write(b"data" + b"\0\0\0\0")
        self._data_at = self._f.tell()
        self._align = align

    def write(self, block):
        """Append (frames, channels) samples already converted by :func:`_encode`."""
        self._f.write(block.tobytes())
        self.frames += block.shape[0]

    def close(self):
        nbytes = self.frames * self._align
        pad = nbytes % 2
        if pad:
            self._f.write(b"\0")
        if self._data_at + nbytes + pad - 8 >= 1 << 32:
            self._f.close()
            raise AudioError("the output exceeds the 4 GiB limit of WAV files")
        self._f.seek(4)
        self._f.write(struct.pack("<I", self._data_at + nbytes + pad - 8))
        self._f.seek(self._data_at - 4)
        self._f.write(struct.pack("<I", nbytes))
        self._f.close()


# -- soundfile --------------------------------------------------------------

def _soundfile(path):
    try:
        import soundfile
    except ImportError:
        raise AudioError("%s: reading and writing %s files needs the optional 'soundfile' "
                         "package (pip install sigconv[audio])"
                         % (path, os.path.splitext(path)[1])) from None
    return soundfile


class _SfReader:
    def __init__(self, path):
        sf = _soundfile(path)
        try:
            self._f = sf.SoundFile(path)
        except Exception as exc:  # soundfile raises its own error types
            raise AudioError("%s: %s" % (path, exc)) from None
        self.info = AudioInfo(path, self._f.samplerate, self._f.channels, self._f.frames,
                              self._f.subtype)

    def read(self, start, stop):
        self._f.seek(start)
        return self._f.read(stop - start, dtype="float32", always_2d=True)

    def close(self):
        self._f.close()


class _SfWriter:
    def __init__(self, path, samplerate, channels, subtype):
        sf = _soundfile(path)
        try:
            self._f = sf.SoundFile(path, "w", samplerate, channels, subtype)
        except Exception as exc:
            raise AudioError("%s: cannot write %s: %s" % (path, subtype, exc)) from None
        self.subtype, self.channels, self.frames = subtype, channels, 0

    def write(self, block):
        self._f.write(block)
        self.frames += block.shape[0]

    def close(self):
        self._f.close()


def _is_wav(path):
    return os.path.splitext(path)[1].lower() in WAV_EXTENSIONS


def open_audio(path):
    """A reader with ``.info`` (:class:`AudioInfo`) and ``read(start, stop)``."""
    if not os.path.exists(path):
        raise AudioError("%s: no such file" % path)
    return _WavReader(path) if _is_wav(path) else _SfReader(path)


def audio_info(path):
    """:class:`AudioInfo` of an audio file (rate, channels, frames, sample format)."""
    r = open_audio(path)
    r.close()
    return r.info


def _writer(path, samplerate, channels, subtype):
    if _is_wav(path):
        return _WavWriter(path, samplerate, channels, subtype)
    return _SfWriter(path, samplerate, channels, subtype)


def _encode(y, subtype, wav):
    """float32 (frames, channels) to the file's samples: (samples, clipped count).

    Integer formats saturate at full scale; the count says how many samples
    did. soundfile takes floats and converts them itself (clipping), so for
    it the values are clipped to [-1, 1] here and counted the same way.
    """
    if subtype in _FLOAT_SUBTYPES or not subtype.startswith("PCM"):
        if subtype in _FLOAT_SUBTYPES:
            return (y.astype(SUBTYPES[subtype][2]) if wav else y), 0
        clipped = int(np.count_nonzero(np.abs(y) > 1))
        return np.clip(y, -1, 1), clipped
    bits = SUBTYPES[subtype][1] if subtype in SUBTYPES else int(subtype.split("_")[1])
    full = 2.0 ** (bits - 1)
    q = np.rint(y.astype(np.float64) * full)
    over = (q > full - 1) | (q < -full)
    clipped = int(np.count_nonzero(over))
    if clipped:
        np.clip(q, -full, full - 1, out=q)
    if not wav:
        return (q / full).astype(np.float32), clipped
    if subtype == "PCM_U8":
        return (q + 128).astype(np.uint8), clipped
    if subtype == "PCM_24":
        v = q.astype(np.int32)
        out = np.empty(v.shape + (3,), np.uint8)
        out[..., 0] = v & 0xFF
        out[..., 1] = (v >> 8) & 0xFF
        out[..., 2] = (v >> 16) & 0xFF
        return out, clipped
    return q.astype(SUBTYPES[subtype][2]), clipped


def write_audio(path, data, samplerate, subtype="FLOAT"):
    """Write ``data`` (frames, channels) or (frames,) floats in [-1, 1] to ``path``."""
    data = np.asarray(data, np.float32)
    if data.ndim == 1:
        data = data[:, None]
    w = _writer(path, int(samplerate), data.shape[1], subtype)
    enc, _ = _encode(data, subtype, _is_wav(path))
    w.write(enc)
    w.close()


def read_audio(path):
    """The whole file as float32 (frames, channels) and its :class:`AudioInfo`."""
    r = open_audio(path)
    try:
        return r.read(0, r.info.frames), r.info
    finally:
        r.close()


# -- the command ----------------------------------------------------------

@dataclass
class Report:
    frames: int
    samplerate: int
    channels: int
    subtype: str
    peak: float
    clipped: int
    scale: float


def _impulse_response(ir_path, kernel, samplerate, n_in, matrix):
    """The response as (m,), (channels, m) or (out, in, m) float32, and its source."""
    from .. import convolve
    from ..kernels import from_spec
    h = None
    if ir_path is not None:
        data, info = read_audio(ir_path)
        if info.samplerate != samplerate:
            raise AudioError("sample rates differ: the input is %d Hz, the impulse response "
                             "%s is %d Hz; resample one of them first"
                             % (samplerate, ir_path, info.samplerate))
        if info.frames == 0:
            raise AudioError("%s: the impulse response is empty" % ir_path)
        h = data.T.astype(np.float64)              # (channels, m)
        c = h.shape[0]
        if matrix:
            if c % n_in:
                raise AudioError("--matrix: the impulse response has %d channels, not a "
                                 "multiple of the input's %d" % (c, n_in))
            h = h.reshape(c // n_in, n_in, -1)
        elif c == 1:
            h = h[0]
        elif c != n_in:
            raise AudioError("the impulse response has %d channels and the input %d: give "
                             "one response, one per channel, or --matrix for out x in "
                             "responses" % (c, n_in))
    if kernel is not None:
        try:
            k = from_spec(kernel, samplerate=samplerate, ndim=1)
        except ValueError as exc:
            raise AudioError("--kernel: %s" % exc) from None
        if k.ndim != 1:
            raise AudioError("--kernel %s is not a 1-D kernel" % kernel)
        h = k if h is None else convolve(h, k.reshape((1,) * (h.ndim - 1) + (-1,)))
    if h is None:
        raise AudioError("give an impulse response file or --kernel")
    return np.ascontiguousarray(h, np.float32)


def convolve_audio(in_path, ir_path, out_path, *, kernel=None, mix=1.0, gain_db=0.0,
                   normalize=None, tail=True, matrix=False, block_size=4096, subtype=None,
                   progress=None):
    """Convolve an audio file with an impulse response (file and/or kernel spec).

    Parameters
    ----------
    in_path, out_path : str
        Input and output files (WAV natively; other formats need soundfile).
    ir_path : str or None
        Impulse response file: one channel (for every input channel), one
        per input channel, or with ``matrix`` ``out x in`` channels.
    kernel : str, optional
        A :func:`sigconv.kernels.from_spec` spec (e.g. ``lowpass:cutoff=4000``),
        used alone or convolved with the response file.
    mix : float
        Wet/dry mix, 0 (input only) to 1 (convolved only).
    gain_db : float
        Gain applied to the mixed output.
    normalize : float or None
        Scale the output so that its peak is this many dBFS (after a first
        pass that measures it); ``gain_db`` is then ignored.
    tail : bool
        Keep the reverb tail (``m - 1`` more frames); else the input's length.
    block_size : int
        Frames per block.
    subtype : str, optional
        Output sample format (``PCM_16``, ``PCM_24``, ``PCM_32``, ``FLOAT``,
        ...); default the input's.
    progress : bool or None
        Draw a progress bar (None: when standard error is a terminal).

    Returns
    -------
    Report
        Frames written, rate, channels, format, the output's peak (before
        saturation), samples clipped and the scale applied.
    """
    from .. import StreamConvolver
    from .._progress import progress as progress_bar
    if not 0.0 <= mix <= 1.0:
        raise AudioError("--mix must be between 0 and 1, not %g" % mix)
    if block_size < 1:
        raise AudioError("--block-size must be positive")
    if os.path.abspath(in_path) == os.path.abspath(out_path) or (
            ir_path is not None and os.path.abspath(ir_path) == os.path.abspath(out_path)):
        raise AudioError("the output would overwrite an input: %s" % out_path)
    reader = open_audio(in_path)
    try:
        info = reader.info
        h = _impulse_response(ir_path, kernel, info.samplerate, info.channels, matrix)
        n_out = h.shape[0] if h.ndim == 3 else info.channels
        if mix < 1 and n_out != info.channels:
            raise AudioError("--mix needs as many output channels as input channels (%d, "
                             "not %d)" % (info.channels, n_out))
        total = info.frames + (h.shape[-1] - 1 if tail else 0)
        subtype = subtype or info.subtype
        wav = _is_wav(out_path)
        if wav and subtype not in SUBTYPES:
            subtype = "FLOAT" if subtype in _FLOAT_SUBTYPES else "PCM_24"
        sc = StreamConvolver(h, block_size, axis=0, channels=info.channels)

        def blocks():
            """The output, mixed, block by block (frames, n_out) float32."""
            pos = 0
            zeros = np.zeros((block_size, info.channels), np.float32)
            while pos < total:
                stop = min(pos + block_size, total)
                if pos < info.frames:
                    x = reader.read(pos, min(stop, info.frames))
                    if x.shape[0] < stop - pos:
                        x = np.concatenate([x, zeros[:stop - pos - x.shape[0]]])
                else:
                    x = zeros[:stop - pos]
                y = sc.process(x)
                if mix < 1:
                    y = np.float32(mix) * y + np.float32(1 - mix) * x
                yield y
                pos = stop
            sc.reset()

        nblocks = -(-total // block_size)
        scale = 10.0 ** (gain_db / 20.0)
        if normalize is not None:
            peak = 0.0
            with progress_bar(nblocks, "measuring the peak", "blocks", enabled=progress) as bar:
                for y in blocks():
                    peak = max(peak, float(np.abs(y).max(initial=0)))
                    bar.update(1)
            target = 10.0 ** (normalize / 20.0)
            if not subtype.startswith("PCM") or subtype not in SUBTYPES and wav:
                full = 1.0
            else:
                bits = SUBTYPES[subtype][1] if subtype in SUBTYPES else 16
                full = (2.0 ** (bits - 1) - 1) / 2.0 ** (bits - 1)
            scale = target * full / peak if peak > 0 else 1.0
        writer = _writer(out_path, info.samplerate, n_out, subtype)
        peak, clipped = 0.0, 0
        try:
            with progress_bar(nblocks, "convolving", "blocks", enabled=progress) as bar:
                for y in blocks():
                    if scale != 1.0:
                        y = y * np.float32(scale)
                    peak = max(peak, float(np.abs(y).max(initial=0)))
                    enc, c = _encode(y, subtype, wav)
                    clipped += c
                    writer.write(enc)
                    bar.update(1)
        finally:
            writer.close()
    finally:
        reader.close()
    return Report(total, info.samplerate, n_out, subtype, peak, clipped, scale)


def describe(report, out_path, stream=None):
    """Print the outcome, and a clear warning when samples clipped."""
    stream = sys.stderr if stream is None else stream
    peak_db = 20 * math.log10(report.peak) if report.peak > 0 else -math.inf
    print("%s: %d frames, %d Hz, %d channel%s, %s, peak %.2f dBFS" % (
        out_path, report.frames, report.samplerate, report.channels,
        "" if report.channels == 1 else "s", report.subtype, peak_db), file=stream)
    if report.clipped:
        print("warning: %d samples clipped (the peak is %.2f dBFS; %s saturates at full "
              "scale). Lower the level with --gain %.1f or use --normalize."
              % (report.clipped, peak_db, report.subtype, -math.ceil(peak_db * 10) / 10),
              file=stream)
    elif report.peak > 1.0:
        print("note: the peak is above full scale (%.2f dBFS); %s keeps it, but a player "
              "or a later conversion to integers will clip" % (peak_db, report.subtype),
              file=stream)
