"""Loops of the streaming convolver (sigconv.streaming.StreamConvolver).

The convolver keeps, per input channel, a history ring of ``R`` samples
stored twice (``hist[i, j] == hist[i, j + R]``), so that any window of up
to ``R`` samples ending at the newest one is contiguous; and, per output
channel, an accumulator ring of ``A`` samples into which the partitioned
(frequency-domain) part of the impulse response adds its output ahead of
time.

:class:`Engine` holds that state and runs a block in one call: the block is
cut into chunks that end where a level of partitions is due; each chunk is
appended to the history and produces its output (the accumulator, then
cleared, plus the first ``H`` taps of the impulse response summed directly:
the head); each level due then runs its forward transforms, the
multiply-accumulate of its frequency-domain delay line (:func:`_level_tile`)
and its inverse transforms, and adds its output to the accumulator. The
transforms are calls of the Python functions the engine was given (they
release the GIL); every loop here runs without the GIL.

Channel pairs ``(o, i, h)`` say that output channel ``o`` receives input
channel ``i`` through impulse response ``h``: ``(c, c, 0)`` for one response
shared by every channel, ``(c, c, c)`` for one per channel and
``(o, i, o * n_in + i)`` for a full matrix.

A level of ``P``-tap partitions transforms windows of ``2 P`` samples as two
transforms of ``P`` points, of the window's even and of its odd samples
(with ``W = exp(-i pi / P)``, ``X[k] = E[k] + W^k O[k]`` and ``X[P - k] =
conj(E[k] - W^k O[k])``), and its inverse transforms likewise (``E'[k] =
Y[k] + conj(Y[P - k])``, ``O'[k] = (Y[k] - conj(Y[P - k])) conj(W^k)``): the
transform library runs the short transforms of several channels side by
side in vector registers. Spectra are stored as ``X[k]`` and ``X[P - k]``
for ``k < Q = P // 2 + 1``: four runs of ``Qp >= Q`` numbers (real parts
of ``X[k]``, imaginary parts, then those of ``X[P - k]``), so that the
complex products are plain vector arithmetic.
"""

cimport numpy as cnp
from cython.parallel cimport prange

import numpy as np

cnp.import_array()

ctypedef fused float_t:
    float
    double


cdef enum:
    TILE = 32     # outputs of the head kept in registers while the taps stream by
    KT = 256      # bins of a level handled together (their sums stay in the L1 cache)


cdef struct Stream:
    Py_ssize_t n_in, n_out, nh, npairs, R, A, H, step, time
    char* hist        # (n_in, 2 R)
    char* acc         # (n_out, A)
    char* head        # (nh, H)
    char* scratch     # (n_out, step)
    const Py_ssize_t* pairs   # (npairs, 3)


cdef struct Lv:
    Py_ssize_t P, n, off, Q, Qp, newest
    int nthreads
    char* fdl         # (n, n_in, 4 Qp)
    char* spectra     # (n, nh, 4 Qp)
    char* tw          # (2, Q)
    char* spec        # (n_in, 2, Q) complex
    char* ispec       # (n_out, 2, Q) complex
    char* out         # (n_out, 2 P)


# ---------------------------------------------------------------------------
# the head


cdef inline void _axpy(float_t* y, const float_t* x, float_t a,
                       Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        y[j] = y[j] + a * x[j]


cdef inline void _head_tile(float_t* y, const float_t* x, const float_t* w,
                            Py_ssize_t H) noexcept nogil:
    """y[u] += sum_j w[j] * x[u - j] for u < TILE (a block of outputs in registers).

    Four partial sums, one per tap modulo 4, so that consecutive
    multiply-adds do not wait for each other (their latency, not the
    arithmetic, would bound the loop with one).
    """
    cdef float_t a0[TILE]
    cdef float_t a1[TILE]
    cdef float_t a2[TILE]
    cdef float_t a3[TILE]
    cdef Py_ssize_t u, j
    cdef float_t w0, w1, w2, w3
    cdef const float_t* xs
    for u in range(TILE):
        a0[u] = 0
        a1[u] = 0
        a2[u] = 0
        a3[u] = 0
    j = 0
    while j + 4 <= H:
        w0 = w[j]
        w1 = w[j + 1]
        w2 = w[j + 2]
        w3 = w[j + 3]
        xs = x - j
        for u in range(TILE):
            a0[u] = a0[u] + w0 * xs[u]
            a1[u] = a1[u] + w1 * xs[u - 1]
            a2[u] = a2[u] + w2 * xs[u - 2]
            a3[u] = a3[u] + w3 * xs[u - 3]
        j = j + 4
    while j < H:
        w0 = w[j]
        xs = x - j
        for u in range(TILE):
            a0[u] = a0[u] + w0 * xs[u]
        j = j + 1
    for u in range(TILE):
        y[u] = y[u] + ((a0[u] + a1[u]) + (a2[u] + a3[u]))


cdef void _head_task(Stream* e, float_t* dummy, Py_ssize_t task, Py_ssize_t k,
                     Py_ssize_t first, char* out, Py_ssize_t os0,
                     Py_ssize_t os1) noexcept nogil:
    """Task ``task`` of a chunk of ``k`` samples: output ``o``, samples ``[n0, n1)``.

    The samples are the accumulator's (cleared after reading) plus the head
    of every pair into ``o``; ``first`` is the position of the chunk's first
    sample in the (doubled) history.
    """
    cdef Py_ssize_t ntiles = (k + TILE - 1) // TILE
    cdef Py_ssize_t o = task // ntiles, n0 = (task % ntiles) * TILE
    cdef Py_ssize_t n1 = min(n0 + TILE, k), A = e.A, H = e.H, R2 = 2 * e.R
    cdef Py_ssize_t q, i, h, n, j, a
    cdef float_t* y = (<float_t*> e.scratch) + o * e.step
    cdef float_t* acc = (<float_t*> e.acc) + o * A
    cdef const float_t* xh
    cdef const float_t* w
    a = (e.time + n0) % A
    for n in range(n0, n1):
        y[n] = acc[a]
        acc[a] = 0
        a = a + 1
        if a == A:
            a = 0
    if H > 0:
        for q in range(e.npairs):
            if e.pairs[3 * q] != o:
                continue
            i = e.pairs[3 * q + 1]
            h = e.pairs[3 * q + 2]
            # x_i[t + n - j] sits at hist[i, first + n - j]
            xh = (<const float_t*> e.hist) + i * R2 + first
            w = (<const float_t*> e.head) + h * H
            if n1 - n0 == TILE:
                _head_tile(y + n0, xh + n0, w, H)
            else:
                for j in range(H):
                    _axpy(y + n0, xh + n0 - j, w[j], n1 - n0)
    for n in range(n0, n1):
        (<float_t*> (out + o * os0 + n * os1))[0] = y[n]


cdef void _chunk(Stream* e, float_t* dummy, char* x, Py_ssize_t xs0, Py_ssize_t xs1,
                 Py_ssize_t k, char* out, Py_ssize_t os0, Py_ssize_t os1,
                 int nthreads) noexcept nogil:
    """Append ``k`` samples (not crossing the ring's end) and write their output."""
    cdef Py_ssize_t R = e.R, pos = e.time % e.R, i, j, task
    cdef Py_ssize_t ntasks = e.n_out * ((k + TILE - 1) // TILE)
    cdef float_t* hrow
    cdef float_t v
    for i in range(e.n_in):
        hrow = (<float_t*> e.hist) + i * 2 * R + pos
        for j in range(k):
            v = (<const float_t*> (x + i * xs0 + j * xs1))[0]
            hrow[j] = v
            hrow[j + R] = v
    if nthreads > 1:
        for task in prange(ntasks, schedule='static', num_threads=nthreads):
            _head_task(e, dummy, task, k, pos + R, out, os0, os1)
    else:
        for task in range(ntasks):
            _head_task(e, dummy, task, k, pos + R, out, os0, os1)


# ---------------------------------------------------------------------------
# the levels


cdef inline void _cmac(float_t* yr, float_t* yi, const float_t* xr, const float_t* xi,
                       const float_t* hr, const float_t* hi, Py_ssize_t n) noexcept nogil:
    """y += x * h over n complex numbers held as separate real and imaginary parts."""
    cdef Py_ssize_t j
    for j in range(n):
        yr[j] = yr[j] + (xr[j] * hr[j] - xi[j] * hi[j])
        yi[j] = yi[j] + (xr[j] * hi[j] + xi[j] * hr[j])


cdef void _level_tile(Stream* e, Lv* lv, float_t* dummy, Py_ssize_t k0,
                      Py_ssize_t k1) noexcept nogil:
    """Bins ``[k0, k1)`` of a run of a level, between its two transforms."""
    cdef Py_ssize_t nparts = lv.n, n_in = e.n_in, Qp = lv.Qp, Q = lv.Q
    cdef Py_ssize_t L = k1 - k0, newest = lv.newest, i, o, q, h, p, s, k, u
    cdef Py_ssize_t slot = n_in * 4 * Qp, hslot = e.nh * 4 * Qp
    cdef float_t er, ei, o_r, o_i, wr, wi, tr, ti, ar, ai, br, bi
    cdef float_t* X
    cdef const float_t* Z
    cdef const float_t* Hs
    cdef const float_t* E
    cdef const float_t* O
    cdef const float_t* twr = (<const float_t*> lv.tw)
    cdef const float_t* twi = twr + Q
    cdef float_t yar[KT]
    cdef float_t yai[KT]
    cdef float_t ybr[KT]
    cdef float_t ybi[KT]
    cdef float_t* D0
    cdef float_t* D1
    for i in range(n_in):
        X = (<float_t*> lv.fdl) + newest * slot + i * 4 * Qp
        E = (<const float_t*> lv.spec) + i * 4 * Q
        O = E + 2 * Q
        for k in range(k0, k1):
            er = E[2 * k]
            ei = E[2 * k + 1]
            o_r = O[2 * k]
            o_i = O[2 * k + 1]
            wr = twr[k]
            wi = twi[k]
            tr = wr * o_r - wi * o_i
            ti = wr * o_i + wi * o_r
            X[k] = er + tr
            X[Qp + k] = ei + ti
            X[2 * Qp + k] = er - tr
            X[3 * Qp + k] = ti - ei
    for o in range(e.n_out):
        for u in range(L):
            yar[u] = 0
            yai[u] = 0
            ybr[u] = 0
            ybi[u] = 0
        for q in range(e.npairs):
            if e.pairs[3 * q] != o:
                continue
            i = e.pairs[3 * q + 1]
            h = e.pairs[3 * q + 2]
            for p in range(nparts):
                s = newest - p
                if s < 0:
                    s = s + nparts
                Z = (<const float_t*> lv.fdl) + s * slot + i * 4 * Qp + k0
                Hs = (<const float_t*> lv.spectra) + p * hslot + h * 4 * Qp + k0
                _cmac(yar, yai, Z, Z + Qp, Hs, Hs + Qp, L)
                _cmac(ybr, ybi, Z + 2 * Qp, Z + 3 * Qp, Hs + 2 * Qp, Hs + 3 * Qp, L)
        D0 = (<float_t*> lv.ispec) + o * 4 * Q
        D1 = D0 + 2 * Q
        for u in range(L):
            k = k0 + u
            ar = yar[u]
            ai = yai[u]
            br = ybr[u]
            bi = ybi[u]
            D0[2 * k] = ar + br
            D0[2 * k + 1] = ai - bi
            tr = ar - br
            ti = ai + bi
            wr = twr[k]
            wi = twi[k]
            D1[2 * k] = tr * wr + ti * wi
            D1[2 * k + 1] = ti * wr - tr * wi


cdef void _level_mac(Stream* e, Lv* lv, float_t* dummy) noexcept nogil:
    cdef Py_ssize_t ntiles = (lv.Q + KT - 1) // KT, task, k0
    if lv.nthreads > 1:
        for task in prange(ntiles, schedule='static', num_threads=lv.nthreads):
            k0 = task * KT
            _level_tile(e, lv, dummy, k0, min(k0 + KT, lv.Q))
    else:
        for task in range(ntiles):
            k0 = task * KT
            _level_tile(e, lv, dummy, k0, min(k0 + KT, lv.Q))


cdef void _ring_add(Stream* e, Lv* lv, float_t* dummy, Py_ssize_t start) noexcept nogil:
    """``acc[o, (start + j) % A] += out[o, P + j]`` for ``j < P``."""
    cdef Py_ssize_t A = e.A, P = lv.P, o, j, a0, first
    cdef float_t* acc
    cdef const float_t* src
    a0 = start % A
    first = min(A - a0, P)
    for o in range(e.n_out):
        acc = (<float_t*> e.acc) + o * A
        src = (<const float_t*> lv.out) + o * 2 * P + P
        for j in range(first):
            acc[a0 + j] = acc[a0 + j] + src[j]
        for j in range(first, P):
            acc[j - first] = acc[j - first] + src[j]


cdef class Level:
    """The buffers of one level of ``n`` partitions of ``P`` taps starting at tap ``off``.

    ``fdl`` (n, inputs, 4 Qp), ``spectra`` (n, responses, 4 Qp), ``tw``
    (2, Q) (real then imaginary parts of ``exp(-i pi k / P)``), ``spec``
    (inputs, 2, Q) complex (the forward transforms' output), ``ispec``
    (outputs, 2, Q) complex (the inverse transforms' input), ``out``
    (outputs, 2 P) and ``out_eo``, ``out`` seen as (outputs, 2, P) (its
    even and odd samples).
    """
    cdef Lv lv
    cdef readonly object fdl_array, spec_array, ispec_array, out_eo
    cdef object keep
    cdef list windows

    def __init__(self, Py_ssize_t P, Py_ssize_t n, Py_ssize_t off, cnp.ndarray fdl,
                 cnp.ndarray spectra, cnp.ndarray tw, cnp.ndarray spec, cnp.ndarray ispec,
                 cnp.ndarray out, object out_eo):
        cdef cnp.ndarray a
        cdef Py_ssize_t Q = P // 2 + 1, Qp
        dt = out.dtype
        for a in (fdl, spectra, tw, out):
            if a.dtype != dt or not a.flags.c_contiguous:
                raise ValueError("Level: arrays must be C-contiguous and of one dtype")
        for a in (spec, ispec):
            if a.dtype.itemsize != 2 * dt.itemsize or not a.flags.c_contiguous:
                raise ValueError("Level: spectra must be C-contiguous complex arrays")
        if fdl.ndim != 3 or n < 1 or P < 1:
            raise ValueError("Level: inconsistent shapes")
        Qp = fdl.shape[2] // 4
        if (fdl.shape[0] != n or fdl.shape[2] != 4 * Qp or Qp < Q or spectra.ndim != 3
                or spectra.shape[0] != n or spectra.shape[2] != 4 * Qp or tw.ndim != 2
                or tw.shape[0] != 2 or tw.shape[1] != Q or spec.ndim != 3
                or spec.shape[0] != fdl.shape[1] or spec.shape[1] != 2 or spec.shape[2] != Q
                or ispec.ndim != 3 or ispec.shape[1] != 2 or ispec.shape[2] != Q
                or out.ndim != 2 or out.shape[0] != ispec.shape[0] or out.shape[1] != 2 * P
                or out_eo.shape != (out.shape[0], 2, P) or out_eo.dtype != dt):
            raise ValueError("Level: inconsistent shapes")
        self.lv.P, self.lv.n, self.lv.off, self.lv.Q, self.lv.Qp = P, n, off, Q, Qp
        self.lv.fdl = <char*> cnp.PyArray_DATA(fdl)
        self.lv.spectra = <char*> cnp.PyArray_DATA(spectra)
        self.lv.tw = <char*> cnp.PyArray_DATA(tw)
        self.lv.spec = <char*> cnp.PyArray_DATA(spec)
        self.lv.ispec = <char*> cnp.PyArray_DATA(ispec)
        self.lv.out = <char*> cnp.PyArray_DATA(out)
        self.lv.newest = n - 1
        self.lv.nthreads = 1
        self.fdl_array, self.spec_array, self.ispec_array = fdl, spec, ispec
        self.out_eo = out_eo
        self.keep = (spectra, tw, out)
        self.windows = []

    @property
    def P(self):
        return self.lv.P

    @property
    def nthreads(self):
        return self.lv.nthreads

    @nthreads.setter
    def nthreads(self, int value):
        self.lv.nthreads = max(value, 1)

    def reset(self):
        self.fdl_array.fill(0)
        self.lv.newest = self.lv.n - 1


cdef class Engine:
    """The state of a stream and the loop over a block's chunks and levels.

    ``hist`` (inputs, 2 R), ``acc`` (outputs, A), ``head`` (responses, H),
    ``pairs`` (pairs, 3) intp, ``scratch`` (outputs, step); ``levels``
    :class:`Level`; ``rfft_into(x, out)`` and ``irfft_into(y, n, out)``
    transform along the last axis (the inverse unscaled). Chunks end at
    multiples of ``step``, the smallest partition, which divides ``R`` and
    every partition size.
    """
    cdef Stream st
    cdef bint dbl
    cdef public int head_threads
    cdef list levels
    cdef object rfft_into, irfft_into, keep
    cdef object hist_array, acc_array

    def __init__(self, cnp.ndarray hist, cnp.ndarray acc, cnp.ndarray head, cnp.ndarray pairs,
                 cnp.ndarray scratch, list levels, Py_ssize_t step, object rfft_into,
                 object irfft_into):
        cdef cnp.ndarray a
        cdef Level lv
        cdef Py_ssize_t q, R, A
        dt = hist.dtype
        if dt.type not in (np.float32, np.float64):
            raise TypeError("Engine: float32 or float64 only")
        for a in (hist, acc, head, scratch):
            if a.dtype != dt or not a.flags.c_contiguous or a.ndim != 2:
                raise ValueError("Engine: state arrays must be 2-D, C-contiguous, one dtype")
        if (pairs.dtype != np.intp or not pairs.flags.c_contiguous or pairs.ndim != 2
                or pairs.shape[1] != 3):
            raise ValueError("Engine: pairs must be a (pairs, 3) intp array")
        R, A = hist.shape[1] // 2, acc.shape[1]
        if (step < 1 or R % step or hist.shape[1] % 2 or scratch.shape[0] != acc.shape[0]
                or scratch.shape[1] < step or head.shape[1] - 1 + step > R or A < step):
            raise ValueError("Engine: inconsistent sizes")
        for q in range(pairs.shape[0]):
            if not (0 <= pairs[q, 0] < acc.shape[0] and 0 <= pairs[q, 1] < hist.shape[0]
                    and 0 <= pairs[q, 2] < head.shape[0]):
                raise ValueError("Engine: channel pair out of range")
        for lv in levels:
            if (lv.lv.P % step or lv.fdl_array.shape[1] != hist.shape[0]
                    or lv.ispec_array.shape[0] != acc.shape[0] or 2 * lv.lv.P > R
                    or lv.lv.off < lv.lv.P or lv.lv.off + lv.lv.P > A
                    or lv.out_eo.dtype != dt or lv.keep[0].shape[1] != head.shape[0]):
                raise ValueError("Engine: a level does not fit the state")
            lv.windows = [None] * (R // step)
        self.st.n_in, self.st.n_out = hist.shape[0], acc.shape[0]
        self.st.nh, self.st.H = head.shape[0], head.shape[1]
        self.st.npairs = pairs.shape[0]
        self.st.R, self.st.A, self.st.step, self.st.time = R, A, step, 0
        self.st.hist = <char*> cnp.PyArray_DATA(hist)
        self.st.acc = <char*> cnp.PyArray_DATA(acc)
        self.st.head = <char*> cnp.PyArray_DATA(head)
        self.st.scratch = <char*> cnp.PyArray_DATA(scratch)
        self.st.pairs = <const Py_ssize_t*> cnp.PyArray_DATA(pairs)
        self.dbl = dt == np.float64
        self.hist_array, self.acc_array = hist, acc
        self.keep = (head, pairs, scratch)
        self.levels = levels
        self.rfft_into, self.irfft_into = rfft_into, irfft_into
        self.head_threads = 1

    @property
    def time(self):
        return self.st.time

    def reset(self):
        cdef Level lv
        self.hist_array.fill(0)
        self.acc_array.fill(0)
        for lv in self.levels:
            lv.reset()
        self.st.time = 0

    cdef object _window(self, Level lv, Py_ssize_t s):
        """The even and odd samples of ``hist[:, s:s + 2 P]``, as (inputs, 2, P)."""
        cdef Py_ssize_t j = s // self.st.step, item
        w = lv.windows[j]
        if w is None:
            item = self.hist_array.itemsize
            w = np.ndarray((self.st.n_in, 2, lv.lv.P), self.hist_array.dtype,
                           buffer=self.hist_array, offset=s * item,
                           strides=(2 * self.st.R * item, item, 2 * item))
            lv.windows[j] = w
        return w

    cdef int _run_level(self, Level level) except -1:
        cdef Lv* lv = &level.lv
        cdef Py_ssize_t P = lv.P, t = self.st.time, s
        s = (t - 2 * P) % self.st.R
        if s < 0:
            s = s + self.st.R
        lv.newest = lv.newest + 1 if lv.newest + 1 < lv.n else 0
        self.rfft_into(self._window(level, s), level.spec_array)
        with nogil:
            if self.dbl:
                _level_mac(&self.st, lv, <double*> NULL)
            else:
                _level_mac(&self.st, lv, <float*> NULL)
        self.irfft_into(level.ispec_array, P, level.out_eo)
        with nogil:
            if self.dbl:
                _ring_add(&self.st, lv, <double*> NULL, t - P + lv.off)
            else:
                _ring_add(&self.st, lv, <float*> NULL, t - P + lv.off)
        return 0

    def run(self, cnp.ndarray x, cnp.ndarray out):
        """Process ``x`` (inputs, k) into ``out`` (outputs, k), both of the stream's dtype."""
        cdef Py_ssize_t k, pos = 0, n, step = self.st.step, xs0, xs1, os0, os1
        cdef char* xp
        cdef char* op
        cdef Level lv
        dt = self.hist_array.dtype
        if (x.ndim != 2 or out.ndim != 2 or x.shape[0] != self.st.n_in
                or out.shape[0] != self.st.n_out or x.shape[1] != out.shape[1]
                or x.dtype != dt or out.dtype != dt):
            raise ValueError("Engine.run: the block and out do not fit the stream")
        if not out.flags.writeable:
            raise ValueError("Engine.run: out is read-only")
        k = x.shape[1]
        xp = <char*> cnp.PyArray_DATA(x)
        op = <char*> cnp.PyArray_DATA(out)
        xs0, xs1 = x.strides[0], x.strides[1]
        os0, os1 = out.strides[0], out.strides[1]
        while pos < k:
            n = min(k - pos, step - self.st.time % step)
            with nogil:
                if self.dbl:
                    _chunk(&self.st, <double*> NULL, xp + pos * xs1, xs0, xs1, n,
                           op + pos * os1, os0, os1, self.head_threads)
                else:
                    _chunk(&self.st, <float*> NULL, xp + pos * xs1, xs0, xs1, n,
                           op + pos * os1, os0, os1, self.head_threads)
            self.st.time = self.st.time + n
            pos = pos + n
            if self.st.time % step == 0:
                for lv in self.levels:
                    if self.st.time % lv.lv.P == 0:
                        self._run_level(lv)
