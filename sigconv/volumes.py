"""Convolve volume files larger than memory, slab by slab, without Dask.

:func:`convolve_file` reads a volume from a file, convolves it with an
in-memory kernel and writes the result to another file, never holding more
than one *slab* -- a range of planes along the file's slowest axis, plus
the halo the kernel needs -- so its memory stays under a budget whatever the
size of the volume. Supported files:

``.npy``
    numpy's format, C or Fortran order (the header through
    :func:`numpy.lib.format.open_memmap`, the data through memory maps of
    one slab at a time).
``.zarr``
    a Zarr array (needs ``zarr``); the output keeps the input's chunks
    where the shapes agree.
``.nii`` / ``.nii.gz``
    NIfTI-1/2 images (needs ``nibabel``); the output keeps the input's
    header -- affine, units, description, extensions -- with the data type
    of the result (scaling slope 1, intercept 0), and for ``full`` or
    ``valid`` output an affine shifted to the new first voxel. Slabs run
    along the last axis, the slowest in NIfTI's Fortran order, so a
    ``.nii.gz`` is read and written as one stream.

The input and output formats may differ. The result equals
``sigconv.convolve(volume, kernel, mode, boundary=...)`` computed in
memory: each slab is the ``valid`` convolution of its planes extended by
the boundary rule (the planes a halo needs beyond the ends of the volume
are read from wherever ``wrap``, ``symm``, ``reflect`` or ``edge`` put
them).

>>> import os, tempfile
>>> import numpy as np
>>> from sigconv.volumes import convolve_file
>>> d = tempfile.mkdtemp()
>>> vol = np.arange(60.0).reshape(5, 4, 3)
>>> np.save(os.path.join(d, "in.npy"), vol)
>>> report = convolve_file(os.path.join(d, "in.npy"), os.path.join(d, "out.npy"),
...                        np.ones((3, 1, 1)) / 3, boundary="edge",
...                        memory_limit=2000, progress=False)
>>> report.slabs, report.planes_per_slab
(3, 2)
>>> out = np.load(os.path.join(d, "out.npy"))
>>> bool(np.allclose(out[:, 0, 0], [4, 12, 24, 36, 44]))
True
"""
import functools
import os
from collections import namedtuple

import numpy as np

from . import _halo
from ._boundary import FILL
from ._optional import require
from ._problem import MEMORY_LIMIT, make_problem
from ._progress import progress as _progress_bar

__all__ = ["convolve_file", "volume_format", "volume_info", "SlabReport"]

#: what :func:`convolve_file` returns
SlabReport = namedtuple("SlabReport", ["shape", "dtype", "slabs", "planes_per_slab",
                                       "axis", "method", "memory_limit"])
SlabReport.__doc__ = """What :func:`convolve_file` did.

Attributes
----------
shape, dtype
    Of the result written.
slabs : int
    Number of slabs.
planes_per_slab : int
    Output planes per slab (the last may have fewer).
axis : int
    The axis cut into slabs.
method : str
    The convolution method used on every slab.
memory_limit : int
    The budget, in bytes, the slabs were sized for.
"""


def volume_format(path):
    """``'npy'``, ``'zarr'`` or ``'nifti'`` from a path's extension.

    Examples
    --------
    >>> volume_format("brain.nii.gz"), volume_format("cells.zarr"), volume_format("a.npy")
    ('nifti', 'zarr', 'npy')
    """
    name = os.fspath(path).rstrip("/").lower()
    if name.endswith(".npy"):
        return "npy"
    if name.endswith(".zarr"):
        return "zarr"
    if name.endswith(".nii") or name.endswith(".nii.gz"):
        return "nifti"
    raise ValueError("cannot tell the format of %r: expected .npy, .zarr, .nii or .nii.gz"
                     % (os.fspath(path),))


# --------------------------------------------------------------------------
# Readers and writers: shape, dtype, the slab axis, planes in and out

class _NpyReader:
    def __init__(self, path):
        from numpy.lib.format import open_memmap
        m = open_memmap(path, mode="r")
        self.path, self.shape, self.dtype = path, m.shape, m.dtype
        self.fortran = m.ndim > 1 and m.flags.f_contiguous and not m.flags.c_contiguous
        self.offset = m.offset
        del m
        self.axis = self.shape and (len(self.shape) - 1 if self.fortran else 0)
        self.header = None

    def read(self, r0, r1):
        shape = list(self.shape)
        shape[self.axis] = r1 - r0
        plane = self.dtype.itemsize
        for i, n in enumerate(self.shape):
            if i != self.axis:
                plane *= n
        window = np.memmap(self.path, dtype=self.dtype, mode="r",
                           offset=self.offset + r0 * plane, shape=tuple(shape),
                           order="F" if self.fortran else "C")
        data = np.array(window)
        del window   # unmapped: the planes leave this process's memory
        return data


class _NpyWriter:
    def __init__(self, path, shape, dtype, like):
        from numpy.lib.format import open_memmap
        # planes along the reader's slab axis: Fortran order when it is the last
        self.fortran = len(shape) > 1 and like.axis == len(shape) - 1
        m = open_memmap(path, mode="w+", dtype=dtype, shape=shape, fortran_order=self.fortran)
        self.path, self.shape, self.dtype, self.offset = path, shape, m.dtype, m.offset
        del m
        self.plane = self.dtype.itemsize
        self.axis = len(shape) - 1 if self.fortran else 0
        for i, n in enumerate(shape):
            if i != self.axis:
                self.plane *= n

    def write(self, o0, data):
        window = np.memmap(self.path, dtype=self.dtype, mode="r+",
                           offset=self.offset + o0 * self.plane, shape=data.shape,
                           order="F" if self.fortran else "C")
        window[...] = data
        window.flush()
        del window

    def close(self):
        pass


# the optional packages of two of the formats, imported when first needed
_ZARR = functools.partial(require, "zarr", "Zarr files", "volumes")
_NIBABEL = functools.partial(require, "nibabel", "NIfTI files", "volumes")


class _ZarrReader:
    def __init__(self, path):
        self.z = _ZARR().open_array(os.fspath(path), mode="r")
        self.shape, self.dtype, self.axis = self.z.shape, np.dtype(self.z.dtype), 0
        self.chunks = self.z.chunks
        self.header = None

    def read(self, r0, r1):
        return np.asarray(self.z[r0:r1])


class _ZarrWriter:
    def __init__(self, path, shape, dtype, like):
        chunks = getattr(like, "chunks", None)
        if chunks is None or len(chunks) != len(shape):
            chunks = "auto"
        else:
            chunks = tuple(min(c, max(n, 1)) for c, n in zip(chunks, shape))
        self.z = _ZARR().create_array(store=os.fspath(path), shape=shape, dtype=dtype,
                                      chunks=chunks, overwrite=True)
        self.axis = 0

    def write(self, o0, data):
        self.z[o0:o0 + data.shape[0]] = data

    def close(self):
        pass


class _NiftiReader:
    def __init__(self, path):
        nib = _NIBABEL()
        self.img = nib.load(os.fspath(path))
        self.shape = self.img.shape
        self.axis = len(self.shape) - 1
        self.header = self.img.header
        self.affine = self.img.affine
        self.dtype = self.read(0, 1).dtype   # the scaled data's dtype

    def read(self, r0, r1):
        return np.asarray(self.img.dataobj[(Ellipsis, slice(r0, r1))])


class _NiftiWriter:
    def __init__(self, path, shape, dtype, like, shift=None):
        nib = _NIBABEL()
        header = getattr(like, "header", None)
        if header is None or not isinstance(header, nib.nifti1.Nifti1Header):
            header = nib.Nifti1Header()
            affine = np.eye(4)
            codes = (1, 1)
        else:
            header = header.copy()
            affine = like.affine
            codes = (int(header["sform_code"]), int(header["qform_code"]))
        header.set_data_shape(shape)
        header.set_data_dtype(dtype)
        header.set_slope_inter(1.0, 0.0)
        if shift is not None and any(shift):
            # the first output voxel is the centre of the kernel at input
            # voxel ``shift``: move the origin there
            affine = affine.copy()
            affine[:3, 3] += affine[:3, :3] @ np.asarray((tuple(shift) + (0, 0, 0))[:3], float)
        header.set_sform(affine, code=codes[0] or 1)
        header.set_qform(affine, code=codes[1] or 1)
        header["vox_offset"] = 0
        self.dtype = header.get_data_dtype()
        self.file = nib.openers.ImageOpener(os.fspath(path), "wb")
        header.write_to(self.file)
        offset = header.get_data_offset()
        written = self.file.tell()
        if written < offset:
            self.file.write(b"\x00" * (offset - written))
        self.axis = len(shape) - 1
        self.next = 0

    def write(self, o0, data):
        assert o0 == self.next, "NIfTI slabs are written in order"
        self.file.write(np.asarray(data, dtype=self.dtype).tobytes(order="F"))
        self.next += data.shape[-1]

    def close(self):
        self.file.close()


_READERS = {"npy": _NpyReader, "zarr": _ZarrReader, "nifti": _NiftiReader}


def volume_info(path):
    """Shape and dtype of the volume stored at ``path`` (from its header only).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "v.npy")
    >>> np.save(path, np.zeros((4, 5, 6), np.float32))
    >>> volume_info(path)
    ((4, 5, 6), dtype('float32'))
    """
    reader = _READERS[volume_format(path)](path)
    return tuple(reader.shape), np.dtype(reader.dtype)
_WRITERS = {"npy": _NpyWriter, "zarr": _ZarrWriter, "nifti": _NiftiWriter}


# --------------------------------------------------------------------------
# Slabs

def _shaped(shape, dtype):
    return np.lib.stride_tricks.as_strided(np.zeros(1, dtype=dtype), shape=tuple(shape),
                                           strides=(0,) * len(shape))


def _extend(block, axis, start, stop, n, boundary, fill):
    """``block`` (all of an axis of length ``n``) extended to positions ``start .. stop - 1``."""
    if start == 0 and stop == n:
        return block
    idx = np.array([_halo.source(j, n, boundary) for j in range(start, stop)], dtype=np.intp)
    if (idx >= 0).all() and (np.diff(idx) == 1).all():
        sel = [slice(None)] * block.ndim
        sel[axis] = slice(int(idx[0]), int(idx[-1]) + 1)
        return block[tuple(sel)]
    out = np.take(block, np.maximum(idx, 0), axis=axis)
    if (idx < 0).any():
        sel = [slice(None)] * block.ndim
        sel[axis] = idx < 0
        out[tuple(sel)] = fill
    return out


def _gather(reader, start, stop, boundary, fill, dtype):
    """Planes ``start .. stop - 1`` of the slab axis, extended by the boundary rule."""
    ax, n = reader.axis, reader.shape[reader.axis]
    shape = list(reader.shape)
    shape[ax] = stop - start
    runs = _halo.axis_runs(start, stop, n, boundary)
    if len(runs) == 1 and runs[0][1] >= 0 and runs[0][3] == 1:
        data = reader.read(runs[0][1], runs[0][1] + runs[0][2])
        return data if data.dtype == dtype else data.astype(dtype)
    buf = np.empty(shape, dtype=dtype)
    for dst, first, length, step in runs:
        sel = [slice(None)] * len(shape)
        sel[ax] = slice(dst, dst + length)
        if first < 0:
            buf[tuple(sel)] = fill
            continue
        lo = first if step > 0 else first - length + 1
        data = reader.read(lo, lo + length)
        if step < 0:
            data = np.flip(data, axis=ax)
        buf[tuple(sel)] = data
    return buf


def _planes_per_slab(limit, plane_in, plane_ext, plane_out, halo, workspace):
    """Output planes per slab so that a slab's buffers fit in ``limit`` bytes."""
    # per input plane: the raw planes, two extended copies (one per extended
    # axis at most, the previous freed) and the method's workspace; per
    # output plane: the result and the copy written out
    per_in = plane_in + 2 * plane_ext + workspace
    per_out = 2 * plane_out
    room = limit - halo * per_in
    return room // (per_in + per_out)


def convolve_file(src, dst, kernel, *, mode="same", boundary="fill", method="auto",
                  memory_limit=None, progress=None, fillvalue=0, workers=None):
    """Convolve a volume file with a kernel into another file, slab by slab.

    Parameters
    ----------
    src : str or path
        Input volume: ``.npy``, ``.zarr`` (needs zarr), ``.nii`` or
        ``.nii.gz`` (needs nibabel).
    dst : str or path
        Output file, any of the same formats (its extension decides);
        overwritten.
    kernel : array_like
        The kernel, with as many dimensions as the volume, in memory.
    mode : {'same', 'full', 'valid', 'circular'}, optional
        As in :func:`sigconv.convolve` (default ``same``: the output has the
        volume's shape, and a NIfTI output its affine).
    boundary : str, optional
        As in :func:`sigconv.convolve`: ``fill``/``constant``, ``wrap``,
        ``symm``/``symmetric``, ``reflect``, ``edge``.
    method : {'auto', 'direct', 'fft', 'oa', 'toeplitz'}, optional
        Method of every slab's convolution; ``auto`` chooses once, for a
        full-size slab.
    memory_limit : int, optional
        Bytes the call may allocate for its slabs (input planes, halo,
        boundary extension, the method's workspace, the result): the peak
        memory of the process grows by at most about this much over what
        the interpreter and its libraries already hold. Default: a quarter
        of the machine's memory.
    progress : bool, optional
        Show a progress bar (through ``tqdm`` or ``rich`` when installed);
        default: when standard error is a terminal.
    fillvalue : scalar, optional
        The value beyond the edges for ``boundary='fill'``.
    workers : int, optional
        Threads of each slab's convolution.

    Returns
    -------
    report : SlabReport
        Shape and dtype written, number of slabs, planes per slab, the slab
        axis, the method and the budget.

    Raises
    ------
    ValueError
        An unknown format, mode, boundary or method; a kernel of another
        dimensionality; ``valid`` with a kernel larger than the volume; a
        budget too small for one output plane and its halo.
    ImportError
        zarr or nibabel missing for such a file.

    See Also
    --------
    sigconv.convolve : the same in memory.
    sigconv.dask.convolve : the same on a Dask array (and a cluster).

    Notes
    -----
    Output planes ``o0 .. o1 - 1`` along the slab axis (the first axis; the
    last for NIfTI and Fortran-ordered ``.npy``) need input planes
    ``o0 + lo .. o1 - 1 + lo + K - 1``, ``lo`` the mode's offset and ``K``
    the kernel's length along that axis: ``K - 1`` planes of halo per slab,
    re-read from the file, so the extra reading is ``(K - 1) /
    planes_per_slab`` of the volume. The slab's planes are extended along
    the other axes by the boundary rule and convolved in ``valid`` mode.
    Peak memory is about ``memory_limit``; time is that of the in-memory
    convolution plus reading and writing the file once.

    Examples
    --------
    A 3-D smoothing of a ``.npy`` volume with a budget of 200 kB, which
    takes four slabs (``.zarr`` and ``.nii.gz`` files work the same way):

    >>> import os, tempfile
    >>> import numpy as np
    >>> d = tempfile.mkdtemp()
    >>> vol = np.random.default_rng(0).standard_normal((40, 30, 20)).astype(np.float32)
    >>> np.save(os.path.join(d, "vol.npy"), vol)
    >>> g = np.exp(-0.5 * np.arange(-2, 3) ** 2)
    >>> k = (g[:, None, None] * g[None, :, None] * g[None, None, :]).astype(np.float32)
    >>> k /= k.sum()
    >>> report = convolve_file(os.path.join(d, "vol.npy"), os.path.join(d, "smooth.npy"), k,
    ...                        boundary="symm", memory_limit=200_000, progress=False)
    >>> report.slabs, report.planes_per_slab, report.dtype
    (4, 11, dtype('float32'))
    >>> import sigconv
    >>> expected = sigconv.convolve(vol, k, "same", boundary="symm")
    >>> bool(np.allclose(np.load(os.path.join(d, "smooth.npy")), expected, atol=1e-6))
    True
    """
    from . import convolution
    from .plan import auto_method
    from ._backends import METHODS

    src_format, dst_format = volume_format(src), volume_format(dst)
    if os.path.abspath(os.fspath(src)) == os.path.abspath(os.fspath(dst)):
        raise ValueError("src and dst are the same file; write the result elsewhere")
    if not isinstance(method, str) or (method != "auto" and method not in METHODS):
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(m) for m in METHODS), method))
    kernel = np.asarray(kernel)
    reader = _READERS[src_format](src)
    shape, dtype, ax = tuple(reader.shape), np.dtype(reader.dtype), reader.axis
    if len(shape) == 0:
        raise ValueError("the volume in %r is 0-dimensional" % (os.fspath(src),))
    problem, _, _ = make_problem(_shaped(shape, dtype), kernel, op="convolve", mode=mode,
                                 boundary=boundary, fillvalue=fillvalue, check_memory=False)
    if problem.swapped:
        raise ValueError("'valid' mode with a kernel larger than the volume: the result is "
                         "smaller than the kernel; use sigconv.convolve in memory")
    fill = problem.fillvalue
    gdtype = dtype
    if problem.boundary == FILL and np.asarray(fill).astype(dtype) != fill:
        gdtype = problem.out_dtype
    limit = int(MEMORY_LIMIT // 4 if memory_limit is None else memory_limit)
    if limit <= 0:
        raise ValueError("memory_limit must be positive, got %r" % (memory_limit,))

    lo = dict(zip(problem.axes, problem.lo))
    ks = dict(zip(problem.axes, problem.k_shape))
    out_shape = problem.out_shape
    ext = [out_shape[a] + ks[a] - 1 for a in range(len(shape))]
    plane_in = plane_ext = plane_out = 1
    for a in range(len(shape)):
        if a != ax:
            plane_in *= shape[a]
            plane_ext *= ext[a]
            plane_out *= out_shape[a]
    halo = ks[ax] - 1

    # the method, chosen once for a slab of the size the budget allows
    # without a workspace
    rows = _planes_per_slab(limit, plane_in * gdtype.itemsize, plane_ext * gdtype.itemsize,
                            plane_out * problem.out_dtype.itemsize, halo, 0)
    rows = int(max(1, min(rows, out_shape[ax])))
    if method == "auto":
        slab = list(ext)
        slab[ax] = rows + halo
        probe, signal, kern = make_problem(_shaped(slab, gdtype), kernel, op="convolve",
                                           mode="valid", check_memory=False)
        method = auto_method(probe, signal, kern, workers)
    workspace = 0
    if method in ("fft", "oa"):
        # spectra of the padded slab and kernel, complex, plus the transform
        itemsize = 2 * problem.compute_dtype.itemsize
        workspace = (3 if method == "fft" else 2) * plane_ext * itemsize
    rows = _planes_per_slab(limit, plane_in * gdtype.itemsize, plane_ext * gdtype.itemsize,
                            plane_out * problem.out_dtype.itemsize, halo,
                            workspace)
    if rows < 1:
        per_in = plane_in * gdtype.itemsize + 2 * plane_ext * gdtype.itemsize + workspace
        need = (halo + 1) * per_in + 2 * plane_out * problem.out_dtype.itemsize
        raise ValueError("memory_limit=%d bytes is too small for one output plane of %s and "
                         "its halo of %d planes (method %r); give at least %d"
                         % (limit, out_shape, halo, method, need))
    rows = int(min(rows, out_shape[ax]))
    if src_format == "zarr" and dst_format == "zarr" and rows > reader.chunks[0]:
        rows -= rows % reader.chunks[0]       # whole chunks of the output
    nslabs = -(-out_shape[ax] // rows)

    dst_axis = {"nifti": len(shape) - 1, "zarr": 0}.get(dst_format, ax)
    if dst_axis != ax:
        raise ValueError("%s files are cut into slabs along axis %d, %s files along axis %d: "
                         "convert one of them first" % (src_format, ax, dst_format, dst_axis))
    shift = None
    if dst_format == "nifti":
        shift = tuple(lo[a] + ks[a] // 2 for a in range(len(shape)))
        writer = _NiftiWriter(dst, out_shape, problem.out_dtype, reader, shift)
    else:
        writer = _WRITERS[dst_format](dst, out_shape, problem.out_dtype, reader)
    try:
        with _progress_bar(nslabs, "convolve %s" % os.path.basename(os.fspath(src)),
                           unit="slab", enabled=progress) as bar:
            for s in range(nslabs):
                o0 = s * rows
                o1 = min(out_shape[ax], o0 + rows)
                block = _gather(reader, o0 + lo[ax], o1 - 1 + lo[ax] + ks[ax],
                                problem.boundary, fill, gdtype)
                for a in range(len(shape)):
                    if a != ax:
                        block = _extend(block, a, lo[a], out_shape[a] - 1 + lo[a] + ks[a],
                                        shape[a], problem.boundary, fill)
                out = convolution.convolve(block, kernel, "valid", method, workers=workers)
                del block
                writer.write(o0, out)
                del out
                bar.update(1, item="planes %d-%d" % (o0, o1 - 1))
    finally:
        writer.close()
    return SlabReport(shape=out_shape, dtype=problem.out_dtype, slabs=nslabs,
                      planes_per_slab=rows, axis=ax, method=method, memory_limit=limit)
