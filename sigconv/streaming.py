"""Block-by-block convolution of an unbounded signal: :class:`StreamConvolver`.

The impulse response ``h`` (``m`` taps) is cut into a *head* and a list of
*partitions*:

* the head, taps ``[0, H)``, is summed directly, sample by sample, from a
  history of the input (a compiled loop); it makes every output sample
  available as soon as its input sample is, whatever the block length;
* the rest is cut into levels of equal partitions: level ``l`` holds
  ``n_l`` partitions of ``P_l`` taps starting at tap ``off_l``, computed by
  overlap-save with transforms of ``2 P_l`` points and a frequency-domain
  delay line (the spectra of the last ``n_l`` input blocks, multiplied by
  the partitions' spectra and summed). A level runs each time ``P_l`` new
  input samples are in and adds ``P_l`` samples to an accumulator of future
  output, starting ``off_l - P_l >= 0`` samples after the newest input, so
  its work is always done before its output is due.

A block is one call of compiled code (``sigconv/_ext/_stream.pyx``) that runs
on one thread without the GIL, its transforms included (the module's own,
for transforms of ``P_l`` complex points built from the ``2 P_l`` real ones).

With ``H = P`` and one level of partitions of ``P`` taps this is the
uniformly partitioned convolution with a one-partition direct head (its
load the same at every block of ``P`` samples); with levels of growing
sizes (``P, 2P, 4P, ...``) it is a non-uniformly partitioned one, which
needs far less work per sample for long responses at small blocks, at the
price of an uneven load (a level of ``P_l`` taps does its transforms once
every ``P_l`` samples). ``partition="auto"`` picks the schedule with the
least modelled work per sample (see :func:`plan_partition`).

The output is exactly the offline convolution ``convolve(x, h)[:len(x)]``
(to the dtype's rounding) however the signal is cut into blocks: there is
no delay, and the latency of a real-time system using it is the length of
its blocks.
"""
import operator

import numpy as np

from ._ext import _stream

__all__ = ["StreamConvolver", "plan_partition"]


#: Modelled nanoseconds (one core, float32; ratios are what matter), fitted
#: on an AMD EPYC (Zen 4): per multiply-add of the direct head; per run of a
#: level (its fixed work); per ``P log2 P`` of one transform of ``P`` complex
#: points (a level runs one per input and one per output channel); per
#: complex multiply-add of a delay line whose spectra fit in the cache (the
#: products stream their operands from memory: ``MAC_NS * (1 + bytes /
#: CACHE_BYTES)`` for a delay line and spectra of ``bytes``); and per chunk
#: of input (a block is cut at every multiple of the smallest partition).
#: ``scripts/fit_stream_cost.py`` measures them.
HEAD_NS = 0.033
LEVEL_NS = 380.0
FFT_NS = 0.28
MAC_NS = 0.27
CACHE_BYTES = 16 << 20
CHUNK_NS = 200.0

#: the partition sizes "auto" considers (powers of two), and the factors by
#: which consecutive levels' partitions may grow
MIN_PARTITION = 32
MAX_PARTITION = 1 << 16
GROWTH = (2, 4, 8, 16)


def _counts(sizes, head, m):
    """Levels ``[(P, n, off)]`` for partition sizes ``sizes`` after a head of ``head`` taps."""
    levels = []
    off = head
    for idx, P in enumerate(sizes):
        if off >= m:
            break
        if idx + 1 < len(sizes):
            nxt = sizes[idx + 1]
            n = max(1, -(-(nxt - off) // P))
        else:
            n = -(-(m - off) // P)
        n = min(n, -(-(m - off) // P))
        levels.append((P, n, off))
        off += n * P
    return levels


def _transform_units(P):
    """The work of a transform of ``P`` points in units of ``P``: ``log2 P`` for a
    power of two; a step of odd radix ``r`` (scalar, ``O(r)`` per point) counts 4 r."""
    return sum({4: 2, 2: 1}.get(r, 4 * r) for r in _factors(P)) or 1


def _level_cost(P, n, npairs, n_in, n_out):
    """Modelled nanoseconds per sample of a level of ``n`` partitions of ``P`` taps."""
    footprint = n * (n_in + npairs) * (2 * P + 64) * 4
    mac = MAC_NS * (1.0 + footprint / CACHE_BYTES)
    per_run = (LEVEL_NS + FFT_NS * P * _transform_units(P) * (n_in + n_out)
               + mac * n * npairs * (P + 2))
    return per_run / P


def _cost(head, levels, npairs, n_in, n_out, block_size):
    """Modelled nanoseconds per sample of a schedule."""
    ns = HEAD_NS * head * npairs
    for P, n, off in levels:
        ns += _level_cost(P, n, npairs, n_in, n_out)
    step = levels[0][0] if levels else max(min(block_size, 4096), 1)
    return ns + CHUNK_NS / min(step, block_size)


def _best_chain(P1, m, cap, channels):
    """The cheapest sizes ``[P1, P2, ...]`` (each ``P1`` times a power of two, growing
    by a factor in ``GROWTH``, at most ``cap``) for the taps ``[P1, m)``.

    A level of ``P`` taps followed by one of ``P'`` spans the taps ``[P, P')``,
    so the cost of a chain is a sum over its consecutive pairs: the best one
    is found from the largest sizes down.
    """
    sizes = [P1]
    while sizes[-1] * 2 <= cap and sizes[-1] * 2 < m:
        sizes.append(sizes[-1] * 2)
    best = {}
    for P in reversed(sizes):
        # the last level: P-tap partitions to the end
        n = -(-(m - P) // P)
        options = [(_level_cost(P, n, *channels), [P])]
        for g in GROWTH:
            nxt = P * g
            if nxt in best:
                options.append((_level_cost(P, nxt // P - 1, *channels) + best[nxt][0],
                                [P] + best[nxt][1]))
        best[P] = min(options, key=lambda o: o[0])
    return best[P1][1]


def _check_schedule(head, levels, m):
    off = head
    for P, n, o in levels:
        if o != off or P < 1 or n < 1 or off < P:
            raise ValueError("invalid partition schedule: a level of %d-tap partitions "
                             "must start at a tap >= %d, after the head and the levels "
                             "before it (head %d)" % (P, P, head))
        off += n * P
    if off < m:
        raise ValueError("the partition schedule covers %d of %d taps" % (off, m))


def plan_partition(m, block_size, *, partition="auto", channels=(1, 1, 1),
                   max_partition=None):
    """The schedule of a :class:`StreamConvolver`: the head and the levels.

    Parameters
    ----------
    m : int
        Length of the impulse response.
    block_size : int
        The expected block length (the partition of the uniform schedule).
    partition : {"auto", "uniform"} or sequence of int
        ``"uniform"``: a head of ``block_size`` taps and partitions of
        ``block_size`` taps. ``"auto"``: the schedule of least modelled work
        per sample among the uniform one and those whose partition sizes
        grow by 2, 4, 8 or 16 from a power of two (``MIN_PARTITION`` to
        ``MAX_PARTITION``). A sequence ``(H, P1, P2, ...)``: a head of ``H``
        taps, then levels of partitions of ``P1``, ``P2``, ... taps, as few
        of each as the next level allows (a level of ``P`` taps starts at a
        tap ``>= P``), the last taking the rest; each ``P`` must be a
        multiple of ``P1``, and ``H >= P1``.
    channels : tuple of int
        ``(pairs, inputs, outputs)``: channel pairs, input and output
        channels (they weigh the terms of the cost model).
    max_partition : int, optional
        The largest partition ``"auto"`` may use, bounding the work done at
        any one block (real-time use).

    Returns
    -------
    head : int
        Taps summed directly.
    levels : list of (P, n, off)
        Partition size, count and first tap of each level.

    Examples
    --------
    >>> plan_partition(1000, 128, partition="uniform")
    (128, [(128, 7, 128)])
    >>> plan_partition(5000, 64, partition=(256, 256, 1024))
    (256, [(256, 3, 256), (1024, 4, 1024)])
    >>> plan_partition(40, 64)       # short responses are summed directly
    (40, [])
    """
    m = operator.index(m)
    block_size = operator.index(block_size)
    if m < 1 or block_size < 1:
        raise ValueError("the impulse response and the blocks need at least one sample")
    npairs, n_in, n_out = channels
    if isinstance(partition, str):
        if partition == "uniform":
            head = min(block_size, m)
            return head, _counts([block_size], head, m)
        if partition != "auto":
            raise ValueError("partition must be 'auto', 'uniform' or a sequence of sizes, "
                             "not %r" % (partition,))
        cap = MAX_PARTITION if max_partition is None else operator.index(max_partition)
        candidates = [(m, [])]  # all direct
        if block_size < m and block_size <= cap:
            candidates.append((block_size, _counts([block_size], block_size, m)))
        P1 = MIN_PARTITION
        while P1 <= cap and P1 < m:
            sizes = _best_chain(P1, m, cap, (npairs, n_in, n_out))
            candidates.append((P1, _counts(sizes, P1, m)))
            P1 *= 2
        head, levels = min(candidates, key=lambda c: _cost(c[0], c[1], npairs, n_in, n_out,
                                                             block_size))
        return head, levels
    sizes = [operator.index(s) for s in partition]
    if len(sizes) < 1 or min(sizes) < 1:
        raise ValueError("a partition schedule is (head, P1, P2, ...) with positive sizes")
    head, sizes = min(sizes[0], m), sizes[1:]
    if sizes and any(P % sizes[0] for P in sizes):
        raise ValueError("every partition size must be a multiple of the first, %d"
                         % sizes[0])
    if head < m and not sizes:
        raise ValueError("a head of %d taps leaves %d taps and no partitions for them"
                         % (head, m - head))
    levels = _counts(sizes, head, m)
    _check_schedule(head, levels, m)
    return head, levels


def _factors(P):
    """The radices of the transforms of ``P`` points: 4s, then 2s, then odd primes."""
    out = []
    while P % 4 == 0:
        out.append(4)
        P //= 4
    while P % 2 == 0:
        out.append(2)
        P //= 2
    f = 3
    while P > 1:
        while P % f == 0:
            out.append(f)
            P //= f
        f += 2
        if f * f > P > 1:
            out.append(P)
            break
    return out


def _fft_plan(P, dtype):
    """Steps ``(radix, n, s, offset)`` and twiddles of the transforms of ``P`` points.

    See ``sigconv/_ext/_stream_fft.pxi`` for the layout of the twiddles.
    """
    steps, tables = [], []
    n, s, off = P, 1, 0
    for r in _factors(P):
        m = n // r
        p = np.arange(m)
        if r in (2, 4):
            w = [np.exp(-2j * np.pi * ((k * p) % n) / n) for k in range(1, r)]
            t = np.concatenate([part for wk in w for part in (wk.real, wk.imag)])
        else:
            w = np.array([np.exp(-2j * np.pi * ((k * p) % n) / n) for k in range(1, r)])
            roots = np.exp(-2j * np.pi * np.arange(r) / r)
            t = np.concatenate([w.real.ravel(), w.imag.ravel(), roots.real, roots.imag])
        steps.append((r, n, s, off))
        tables.append(t)
        off += t.size
        n //= r
        s *= r
    # slack past the last table, so that every step's reads stay in the array
    tables.append(np.zeros(2 * P + 8))
    return (np.array(steps, dtype=np.intp).reshape(-1, 4),
            np.ascontiguousarray(np.concatenate(tables), dtype=dtype))


def _level(P, n, off, taps, dtype, n_in):
    """The compiled state of a level of ``n`` partitions of ``P`` taps from tap ``off``.

    A transform of ``2 P`` real samples is done as one of ``P`` complex
    numbers (even samples as real parts, odd ones as imaginary parts); the
    spectra are stored as ``X[k]`` and ``X[P - k]``, ``k <= P // 2``, real
    and imaginary parts apart (see ``sigconv/_ext/_stream.pyx``).
    """
    N = 2 * P
    Q = P // 2 + 1
    Qp = -(-Q // 16) * 16
    nh = taps.shape[0]
    part = np.zeros((n, nh, N))
    seg = taps[:, off:off + n * P]
    for p in range(n):
        chunk = seg[:, p * P:(p + 1) * P]
        part[p, :, :chunk.shape[1]] = chunk
    # the inverse transforms are unscaled: the spectra carry the 1 / N
    full = np.fft.rfft(part, axis=-1) / N                  # (n, nh, P + 1)
    k = np.arange(Q)
    spectra = np.zeros((n, nh, 4, Qp), dtype)
    spectra[:, :, 0, :Q] = full[..., k].real
    spectra[:, :, 1, :Q] = full[..., k].imag
    spectra[:, :, 2, :Q] = full[..., P - k].real
    spectra[:, :, 3, :Q] = full[..., P - k].imag
    w = np.exp(-1j * np.pi * k / P)
    plan, fftw = _fft_plan(P, dtype)
    return _stream.Level(P, n, off, np.zeros((n, n_in, 4 * Qp), dtype),
                         spectra.reshape(n, nh, 4 * Qp), np.array([w.real, w.imag], dtype),
                         plan, fftw)


class StreamConvolver:
    """Convolution of an unbounded signal with an impulse response, block by block.

    Parameters
    ----------
    ir : array_like
        The impulse response, time along the last axis: shape ``(m,)`` (one
        response for every channel), ``(channels, m)`` (one per channel) or
        ``(out_channels, in_channels, m)`` (a full matrix: output channel
        ``o`` sums every input channel ``i`` convolved with ``ir[o, i]``, as
        a true-stereo reverb does).
    block_size : int
        The expected length of the blocks. Blocks of any other length are
        accepted too (the output is the same); this length only steers the
        partition schedule.
    axis : int, optional
        The time axis of the blocks (default the last: channels first, as
        ``(channels, samples)``). A block has one axis (one channel) or two.
    partition : {"auto", "uniform"} or sequence of int, optional
        The partition schedule (see :func:`plan_partition`): ``"auto"``
        (default) picks the least modelled work per sample, ``"uniform"``
        partitions of ``block_size`` taps with an even load at every block.
    max_partition : int, optional
        For ``"auto"``: the largest partition, bounding the work done at any
        one block.
    dtype : {None, numpy.float32, numpy.float64}, optional
        The precision of the computation and of the output; blocks are cast
        to it. Default: float32 for a float32 response, float64 otherwise.
    channels : int, optional
        The number of channels, for a response of shape ``(m,)``; by default
        the first block's.

    Attributes
    ----------
    head : int
        Taps summed directly.
    levels : list of (P, n, off)
        Levels of the partitioned part: partition size, count, first tap.
    n_inputs, n_outputs : int or None
        Channel counts (None until known).
    time : int
        Samples processed since the start or the last :meth:`reset`.

    Notes
    -----
    ``process(x[a:b])`` for consecutive pieces of a signal ``x`` returns the
    consecutive pieces of ``convolve(x, ir)[:len(x)]`` (per channel, or
    summed over the input channels of a matrix); :meth:`flush` returns the
    remaining ``m - 1`` samples, so the concatenation is the full
    convolution. Nothing is allocated per block after the first one except
    the returned array (pass ``out=`` to avoid that too). A block is computed
    by one call of compiled code, transforms included, on one thread and
    without the GIL, so a block computed in one thread does not stall the
    others (separate streams can run in parallel threads).

    Examples
    --------
    >>> import numpy as np
    >>> from sigconv import StreamConvolver
    >>> sc = StreamConvolver([1.0, 0.5, 0.25], block_size=2)
    >>> sc.process([1.0, 0.0])
    array([1. , 0.5])
    >>> sc.process([0.0, 2.0, 0.0])
    array([0.25, 2.  , 1.  ])
    >>> sc.flush()
    array([0.5, 0. ])

    Two channels, one response each, with blocks of varying length:

    >>> x = np.random.default_rng(0).standard_normal((2, 1000))
    >>> ir = np.random.default_rng(1).standard_normal((2, 300))
    >>> sc = StreamConvolver(ir, block_size=64)
    >>> y = np.concatenate([sc.process(x[:, a:b])
    ...                     for a, b in [(0, 10), (10, 500), (500, 1000)]], axis=1)
    >>> ref = np.stack([np.convolve(x[c], ir[c])[:1000] for c in range(2)])
    >>> bool(np.allclose(y, ref))
    True
    """

    def __init__(self, ir, block_size, *, axis=-1, partition="auto", max_partition=None,
                 dtype=None, channels=None):
        h = np.asarray(ir)
        if h.dtype.kind not in "biuf":
            raise TypeError("the impulse response must be real (got dtype %s)" % h.dtype)
        if h.ndim not in (1, 2, 3):
            raise ValueError("the impulse response must have shape (m,), (channels, m) or "
                             "(out_channels, in_channels, m), not %r" % (h.shape,))
        if h.shape[-1] < 1 or h.size == 0:
            raise ValueError("the impulse response is empty")
        if not np.all(np.isfinite(h)):
            raise ValueError("the impulse response contains NaN or infinity")
        try:
            block_size = operator.index(block_size)
        except TypeError:
            raise TypeError("block_size must be an integer, not %r" % (block_size,)) from None
        if block_size < 1:
            raise ValueError("block_size must be at least 1, not %d" % block_size)
        try:
            axis = operator.index(axis)
        except TypeError:
            raise TypeError("axis must be an integer, not %r" % (axis,)) from None
        if axis not in (-2, -1, 0, 1):
            raise ValueError("axis must be 0, 1, -1 or -2 (a block has one or two axes)")
        if dtype is None:
            dtype = np.float32 if h.dtype == np.float32 else np.float64
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError("dtype must be float32 or float64, not %s" % dtype)
        self.dtype = dtype
        self.axis = axis
        self._channels_last_axis = axis in (-1, 1)
        self.block_size = block_size
        self.m = h.shape[-1]
        self._partition = partition
        self._max_partition = max_partition
        self._taps = h.reshape(-1, self.m).astype(np.float64)
        self._layout = ("mono", "per-channel", "matrix")[h.ndim - 1]
        if h.ndim == 1:
            self.n_inputs = self.n_outputs = None
            # the schedule is planned with the first block; check it now
            self.head, self.levels = plan_partition(self.m, block_size, partition=partition,
                                                    max_partition=max_partition)
            if channels is not None:
                channels = operator.index(channels)
                if channels < 1:
                    raise ValueError("channels must be at least 1")
                self._setup(channels)
        else:
            if h.ndim == 2:
                n_in = n_out = h.shape[0]
            else:
                n_out, n_in = h.shape[0], h.shape[1]
            if channels is not None and operator.index(channels) != n_in:
                raise ValueError("channels=%d but the impulse response has %d input channels"
                                 % (channels, n_in))
            self._setup(n_in, n_out)

    # -- setup ---------------------------------------------------------------
    def _setup(self, n_in, n_out=None):
        n_out = n_in if n_out is None else n_out
        self.n_inputs, self.n_outputs = n_in, n_out
        if self._layout == "mono":
            pairs = [(c, c, 0) for c in range(n_in)]
        elif self._layout == "per-channel":
            pairs = [(c, c, c) for c in range(n_in)]
        else:
            pairs = [(o, i, o * n_in + i) for o in range(n_out) for i in range(n_in)]
        self._pairs = np.array(pairs, dtype=np.intp).reshape(-1, 3)
        head, levels = plan_partition(self.m, self.block_size, partition=self._partition,
                                      channels=(len(pairs), n_in, n_out),
                                      max_partition=self._max_partition)
        self.head, self.levels = head, levels
        dt = self.dtype
        taps = self._taps
        # chunks end at multiples of the smallest partition, where levels run
        step = levels[0][0] if levels else max(min(self.block_size, 4096), 1)
        Pmax = max([P for P, _, _ in levels], default=1)
        R = max(2 * Pmax, head + step)
        R = -(-R // step) * step
        A = max([off + P for P, _, off in levels], default=1) + step
        self._engine_levels = [_level(P, n, off, taps, dt, n_in) for P, n, off in levels]
        self._engine = _stream.Engine(
            np.zeros((n_in, 2 * R), dt), np.zeros((n_out, A), dt),
            np.ascontiguousarray(taps[:, :head], dtype=dt), self._pairs,
            np.zeros((n_out, step), dt), np.zeros((n_in + n_out, 4 * Pmax), dt),
            self._engine_levels, step)
        self._zeros = np.zeros((n_in, step), dt)
        self._last_ndim = 2

    def reset(self):
        """Forget the signal: the next block starts a new one (keeps the plan)."""
        if self.n_inputs is not None:
            self._engine.reset()

    @property
    def time(self):
        """Samples processed since the start or the last :meth:`reset`."""
        return self._engine.time if self.n_inputs is not None else 0

    # -- processing ----------------------------------------------------------
    def _as_channels(self, block, name="block"):
        """The block as a (channels, samples) view in the stream dtype."""
        x = np.asarray(block)
        if x.dtype.kind not in "biuf":
            raise TypeError("%s must be real, not of dtype %s" % (name, x.dtype))
        if x.ndim == 1:
            x2 = x[np.newaxis]
        elif x.ndim == 2:
            x2 = x if self.axis in (-1, 1) else x.T
        else:
            raise ValueError("%s must have one or two axes, not shape %r" % (name, x.shape))
        if self.n_inputs is None:
            self._setup(x2.shape[0])
        if x2.shape[0] != self.n_inputs:
            raise ValueError("%s has %d channels, the stream has %d" % (
                name, x2.shape[0], self.n_inputs))
        if x2.dtype != self.dtype:
            x2 = x2.astype(self.dtype)
        return x, x2

    def _shape_out(self, x, k):
        n_out = self.n_outputs
        if x.ndim == 1 and n_out == 1:
            return (k,)
        return (n_out, k) if self.axis in (-1, 1) else (k, n_out)

    def process(self, block, out=None):
        """Convolve the next block of the signal.

        Parameters
        ----------
        block : array_like
            ``(samples,)`` for one channel or two axes with time along
            ``axis``. Any number of samples, including none.
        out : ndarray, optional
            Where to write the result (its shape and the stream's dtype).

        Returns
        -------
        ndarray
            The same number of samples as ``block``: the convolution's
            samples at the block's times, with the block's layout (output
            channels in place of input channels).
        """
        if (out is not None and self._channels_last_axis and type(block) is np.ndarray
                and type(out) is np.ndarray and self.n_inputs is not None
                and self._engine.run(block, out)):
            # the steady state of a real-time loop: (channels, samples) of the
            # stream's dtype in and out (the engine checks them)
            self._last_ndim = 2
            return out
        x, x2 = self._as_channels(block)
        self._last_ndim = x.ndim
        k = x2.shape[1]
        shape = self._shape_out(x, k)
        if out is None:
            out = np.empty(shape, self.dtype)
        elif not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != self.dtype:
            raise ValueError("out must be an array of shape %r and dtype %s" % (
                shape, self.dtype))
        elif not out.flags.writeable:
            raise ValueError("out is read-only")
        out2 = out.reshape(1, k) if out.ndim == 1 else (
            out if self.axis in (-1, 1) else out.T)
        if not self._engine.run(x2, out2):
            # unaligned or byte-swapped arrays: through aligned copies
            tmp = np.empty((self.n_outputs, k), self.dtype)
            self._engine.run(np.array(x2, dtype=self.dtype), tmp)
            out2[...] = tmp
        return out

    def flush(self):
        """The tail: the last ``m - 1`` samples of the convolution, then :meth:`reset`.

        Returns
        -------
        ndarray
            ``m - 1`` samples in the layout of the blocks (two axes unless
            the blocks had one and the stream has one output channel).
        """
        if self.n_inputs is None:
            raise ValueError("flush() before any block: the channel count is unknown")
        k = self.m - 1
        zeros = self._zeros
        one = self._last_ndim == 1
        out = np.empty((self.n_outputs, k), self.dtype)
        pos = 0
        while pos < k:
            n = min(k - pos, zeros.shape[1])
            self._engine.run(zeros[:, :n], out[:, pos:pos + n])  # aligned, writeable
            pos += n
        self.reset()
        if one and self.n_outputs == 1:
            return out[0]
        return out if self.axis in (-1, 1) else out.T

    def __repr__(self):
        return "StreamConvolver(m=%d, block_size=%d, head=%d, levels=%r, dtype=%s)" % (
            self.m, self.block_size, getattr(self, "head", 0), getattr(self, "levels", None),
            self.dtype.name)
