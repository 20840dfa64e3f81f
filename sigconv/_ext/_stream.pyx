"""Loops of the streaming convolver (sigconv.streaming.StreamConvolver).

The convolver keeps, per input channel, a history ring of ``R`` samples
stored twice (``hist[i, j] == hist[i, j + R]``), so that any window of up
to ``R`` samples ending at the newest one is contiguous; and, per output
channel, an accumulator ring of ``A`` samples into which the partitioned
(frequency-domain) part of the impulse response adds its output ahead of
time.

:class:`Engine` holds that state and runs a block in one call, without the
GIL: the block is cut into chunks that end where a level of partitions is
due; each chunk is appended to the history and produces its output (the
accumulator, then cleared, plus the first ``H`` taps of the impulse
response summed directly: the head); each level due then transforms its
newest window, multiplies and accumulates its frequency-domain delay line
and transforms back, adding its output to the accumulator.

Channel pairs ``(o, i, h)`` say that output channel ``o`` receives input
channel ``i`` through impulse response ``h``: ``(c, c, 0)`` for one response
shared by every channel, ``(c, c, c)`` for one per channel and
``(o, i, o * n_in + i)`` for a full matrix.

A level of ``P``-tap partitions convolves by overlap-save with transforms
of ``2 P`` real samples, each done as one transform of ``P`` complex
numbers (``_stream_fft.pxi``): the window's even samples as real parts, its
odd samples as imaginary parts. With ``Z`` that spectrum and ``W = exp(-i
pi / P)``, the spectra of the even and odd samples are ``E = (Z[k] +
conj(Z[P - k])) / 2`` and ``O = -i (Z[k] - conj(Z[P - k])) / 2``, and the
window's ``X[k] = E + W^k O``, ``X[P - k] = conj(E - W^k O)``; the inverse
goes the other way. Spectra are stored as ``X[k]`` and ``X[P - k]`` for
``k < Q = P // 2 + 1``: four runs of ``Qp >= Q`` numbers (real parts of
``X[k]``, imaginary parts, then those of ``X[P - k]``), so that the
complex products are plain vector arithmetic.
"""

cimport numpy as cnp
from libc.stdlib cimport free, malloc

import time

import numpy as np

cnp.import_array()

ctypedef fused float_t:
    float
    double


cdef enum:
    TILE = 32     # outputs of the head kept in registers while the taps stream by
    KT = 256      # bins of a level handled together (their sums stay in the L1 cache)


cdef struct Stream:
    Py_ssize_t n_in, n_out, nh, npairs, R, A, H, step, time, wstride
    char* hist        # (n_in, 2 R)
    char* acc         # (n_out, A)
    char* head        # (nh, H)
    char* scratch     # (n_out, step)
    char* work        # (n_in + n_out, wstride): transform buffers, 4 P per channel
    const Py_ssize_t* pairs   # (npairs, 3)


cdef struct Lv:
    Py_ssize_t P, n, off, Q, Qp, newest, nsteps
    char* fdl         # (n, n_in, 4 Qp)
    char* spectra     # (n, nh, 4 Qp)
    char* tw          # (2, Q)
    char* fftw        # the transform's twiddles
    const Py_ssize_t* plan    # (nsteps, 4)


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
    cdef float_t* yo
    cdef const float_t* xh
    cdef const float_t* w
    a = (e.time + n0) % A
    j = min(n1, n0 + A - a)       # the samples before the ring's end
    for n in range(n0, j):
        y[n] = acc[a + n - n0]
        acc[a + n - n0] = 0
    for n in range(j, n1):
        y[n] = acc[n - j]
        acc[n - j] = 0
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
    if os1 == sizeof(float_t):
        yo = <float_t*> (out + o * os0)
        for n in range(n0, n1):
            yo[n] = y[n]
    else:
        for n in range(n0, n1):
            (<float_t*> (out + o * os0 + n * os1))[0] = y[n]


cdef void _chunk(Stream* e, float_t* dummy, char* x, Py_ssize_t xs0, Py_ssize_t xs1,
                 Py_ssize_t k, char* out, Py_ssize_t os0, Py_ssize_t os1) noexcept nogil:
    """Append ``k`` samples (not crossing the ring's end) and write their output."""
    cdef Py_ssize_t R = e.R, pos = e.time % e.R, i, j, task
    cdef Py_ssize_t ntasks = e.n_out * ((k + TILE - 1) // TILE)
    cdef float_t* hrow
    cdef const float_t* xrow
    cdef float_t v
    for i in range(e.n_in):
        hrow = (<float_t*> e.hist) + i * 2 * R + pos
        if xs1 == sizeof(float_t):
            xrow = <const float_t*> (x + i * xs0)
            for j in range(k):
                hrow[j] = xrow[j]
                hrow[j + R] = xrow[j]
        else:
            for j in range(k):
                v = (<const float_t*> (x + i * xs0 + j * xs1))[0]
                hrow[j] = v
                hrow[j + R] = v
    for task in range(ntasks):
        _head_task(e, dummy, task, k, pos + R, out, os0, os1)


# ---------------------------------------------------------------------------
# the levels

include "_stream_fft.pxi"


cdef void _level_forward(Stream* e, Lv* lv, Py_ssize_t c, Py_ssize_t start,
                         float_t* dummy) noexcept nogil:
    """Input c: the spectrum of ``hist[c, start:start + 2 P]`` into the delay line's newest slot.

    The window's ``P`` complex numbers ``z[n] = x[2 n] + i x[2 n + 1]`` are
    transformed; then, with ``Z`` their spectrum, ``E = (Z[k] +
    conj(Z[P - k])) / 2`` and ``O = -i (Z[k] - conj(Z[P - k])) / 2`` are the
    spectra of the even and odd samples, and ``X[k] = E + W^k O``, ``X[P - k]
    = conj(E - W^k O)`` (``W = exp(-i pi / P)``).
    """
    cdef Py_ssize_t P = lv.P, Q = lv.Q, Qp = lv.Qp, n, k
    cdef const float_t* x = (<const float_t*> e.hist) + c * 2 * e.R + start
    cdef float_t* ar = (<float_t*> e.work) + c * e.wstride
    cdef float_t* ai = ar + P
    cdef float_t* zr
    cdef float_t* zi
    cdef float_t* X = (<float_t*> lv.fdl) + (lv.newest * e.n_in + c) * 4 * Qp
    cdef const float_t* twr = <const float_t*> lv.tw
    cdef const float_t* twi = twr + Q
    cdef float_t a, b, cc, d, er, ei, o_r, o_i, tr, ti
    for n in range(P):
        ar[n] = x[2 * n]
        ai[n] = x[2 * n + 1]
    zr = _fft(lv.plan, lv.nsteps, <const float_t*> lv.fftw, ar, ai, ar + 2 * P, ar + 3 * P)
    zi = zr + P
    a = zr[0]
    b = zi[0]
    X[0] = a + b
    X[Qp] = 0
    X[2 * Qp] = a - b
    X[3 * Qp] = 0
    for k in range(1, Q):
        a = zr[k]
        b = zi[k]
        cc = zr[P - k]
        d = zi[P - k]
        er = <float_t> 0.5 * (a + cc)
        ei = <float_t> 0.5 * (b - d)
        o_r = <float_t> 0.5 * (b + d)
        o_i = <float_t> 0.5 * (cc - a)
        tr = twr[k] * o_r - twi[k] * o_i
        ti = twr[k] * o_i + twi[k] * o_r
        X[k] = er + tr
        X[Qp + k] = ei + ti
        X[2 * Qp + k] = er - tr
        X[3 * Qp + k] = ti - ei


cdef inline void _cmac(float_t* yr, float_t* yi, const float_t* xr, const float_t* xi,
                       const float_t* hr, const float_t* hi, Py_ssize_t n) noexcept nogil:
    """y += x * h over n complex numbers held as separate real and imaginary parts."""
    cdef Py_ssize_t j
    for j in range(n):
        yr[j] = yr[j] + (xr[j] * hr[j] - xi[j] * hi[j])
        yi[j] = yi[j] + (xr[j] * hi[j] + xi[j] * hr[j])


cdef void _level_tile(Stream* e, Lv* lv, Py_ssize_t k0, Py_ssize_t k1,
                      float_t* dummy) noexcept nogil:
    """Bins ``[k0, k1)`` of the delay line's products, into the inverse transforms' input.

    ``Y[k]`` and ``Y[P - k]`` summed over the pairs and partitions give the
    spectra of the output's even and odd samples, ``E'[k] = Y[k] +
    conj(Y[P - k])``, ``O'[k] = (Y[k] - conj(Y[P - k])) conj(W^k)``, and the
    inverse transform's input ``Z'[k] = E'[k] + i O'[k]``, ``Z'[P - k] =
    conj(E'[k]) + i conj(O'[k])``, stored with its real and imaginary parts
    swapped (so that the forward transform computes the inverse).
    """
    cdef Py_ssize_t nparts = lv.n, Qp = lv.Qp, Q = lv.Q, P = lv.P
    cdef Py_ssize_t L = k1 - k0, newest = lv.newest, i, o, q, h, p, s, k, u
    cdef Py_ssize_t slot = e.n_in * 4 * Qp, hslot = e.nh * 4 * Qp
    cdef float_t wr, wi, ar, ai, br, bi, fr, fi, dr, di, gr, gi
    cdef const float_t* Z
    cdef const float_t* Hs
    cdef const float_t* twr = <const float_t*> lv.tw
    cdef const float_t* twi = twr + Q
    cdef float_t yar[KT]
    cdef float_t yai[KT]
    cdef float_t ybr[KT]
    cdef float_t ybi[KT]
    cdef float_t* Dr
    cdef float_t* Di
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
        Dr = (<float_t*> e.work) + (e.n_in + o) * e.wstride
        Di = Dr + P
        for u in range(L):
            k = k0 + u
            ar = yar[u]
            ai = yai[u]
            br = ybr[u]
            bi = ybi[u]
            wr = twr[k]
            wi = twi[k]
            fr = ar + br                   # E'
            fi = ai - bi
            dr = ar - br
            di = ai + bi
            gr = dr * wr + di * wi         # O'
            gi = di * wr - dr * wi
            Dr[k] = fi + gr                # Im Z'[k]
            Di[k] = fr - gi                # Re Z'[k]
            if k > 0:
                Dr[P - k] = gr - fi        # Im Z'[P - k]
                Di[P - k] = fr + gi


cdef void _level_inverse(Stream* e, Lv* lv, Py_ssize_t o, Py_ssize_t start,
                         float_t* dummy) noexcept nogil:
    """Output o: the inverse transform, and its second half added to the accumulator at ``start``.

    The output's samples are ``y[2 n] = Re z'[n]`` and ``y[2 n + 1] = Im
    z'[n]``; ``y[P + j]``, ``j < P``, is added to ``acc[o, (start + j) % A]``.
    """
    cdef Py_ssize_t P = lv.P, A = e.A, n, j, a0, first, idx
    cdef float_t* buf = (<float_t*> e.work) + (e.n_in + o) * e.wstride
    cdef float_t* res
    cdef float_t* y
    cdef float_t* acc = (<float_t*> e.acc) + o * A
    res = _fft(lv.plan, lv.nsteps, <const float_t*> lv.fftw, buf, buf + P, buf + 2 * P,
               buf + 3 * P)
    # res: imaginary parts of z', res + P: real parts; y goes in the other half
    y = buf + 2 * P if res == buf else buf
    if P % 2 == 0:
        for n in range(P // 2):
            y[2 * n] = res[P + P // 2 + n]
            y[2 * n + 1] = res[P // 2 + n]
    else:
        for j in range(P):
            idx = P + j
            y[j] = res[idx >> 1] if idx & 1 else res[P + (idx >> 1)]
    a0 = start % A
    first = min(A - a0, P)
    for j in range(first):
        acc[a0 + j] = acc[a0 + j] + y[j]
    for j in range(first, P):
        acc[j - first] = acc[j - first] + y[j]


cdef void _level_run(Stream* e, Lv* lv, float_t* dummy) noexcept nogil:
    """Run a level at time ``e.time`` (a multiple of its partition size)."""
    cdef Py_ssize_t P = lv.P, t = e.time, start, c, task, k0
    cdef Py_ssize_t ntiles = (lv.Q + KT - 1) // KT
    start = (t - 2 * P) % e.R
    if start < 0:
        start = start + e.R
    lv.newest = lv.newest + 1 if lv.newest + 1 < lv.n else 0
    for c in range(e.n_in):
        _level_forward(e, lv, c, start, dummy)
    for task in range(ntiles):
        k0 = task * KT
        _level_tile(e, lv, k0, min(k0 + KT, lv.Q), dummy)
    for c in range(e.n_out):
        _level_inverse(e, lv, c, t - P + lv.off, dummy)


cdef void _run(Stream* e, Lv** lvs, Py_ssize_t nlv, char* x, Py_ssize_t xs0,
               Py_ssize_t xs1, Py_ssize_t k, char* out, Py_ssize_t os0, Py_ssize_t os1,
               float_t* dummy) noexcept nogil:
    """Process k samples: chunks ending where levels are due, and the levels."""
    cdef Py_ssize_t pos = 0, n, step = e.step, j
    while pos < k:
        n = min(k - pos, step - e.time % step)
        _chunk(e, dummy, x + pos * xs1, xs0, xs1, n, out + pos * os1, os0, os1)
        e.time = e.time + n
        pos = pos + n
        if e.time % step == 0:
            for j in range(nlv):
                if e.time % lvs[j].P == 0:
                    _level_run(e, lvs[j], dummy)


cdef class Level:
    """The buffers of one level of ``n`` partitions of ``P`` taps starting at tap ``off``.

    ``fdl`` (n, inputs, 4 Qp) the delay line, ``spectra`` (n, responses,
    4 Qp) the partitions' spectra (``Q = P // 2 + 1 <= Qp``; see the module
    docstring), ``tw`` (2, Q) the real and imaginary parts of ``exp(-i pi k
    / P)``, ``plan`` (steps, 4) intp and ``fftw`` the steps and twiddles of
    the transforms of ``P`` points (``_stream_fft.pxi``).
    """
    cdef Lv lv
    cdef readonly object fdl_array
    cdef object keep

    def __init__(self, Py_ssize_t P, Py_ssize_t n, Py_ssize_t off, cnp.ndarray fdl,
                 cnp.ndarray spectra, cnp.ndarray tw, cnp.ndarray plan, cnp.ndarray fftw):
        cdef cnp.ndarray a
        cdef Py_ssize_t Q = P // 2 + 1, Qp, st, nn = P, size = 1
        dt = fdl.dtype
        for a in (fdl, spectra, tw, fftw):
            if a.dtype != dt or not a.flags.c_contiguous:
                raise ValueError("Level: arrays must be C-contiguous and of one dtype")
        if fdl.ndim != 3 or n < 1 or P < 1 or off < P:
            raise ValueError("Level: inconsistent shapes")
        Qp = fdl.shape[2] // 4
        if (fdl.shape[0] != n or fdl.shape[2] != 4 * Qp or Qp < Q or spectra.ndim != 3
                or spectra.shape[0] != n or spectra.shape[2] != 4 * Qp or tw.ndim != 2
                or tw.shape[0] != 2 or tw.shape[1] != Q or plan.dtype != np.intp
                or plan.ndim != 2 or plan.shape[1] != 4 or not plan.flags.c_contiguous):
            raise ValueError("Level: inconsistent shapes")
        for st in range(plan.shape[0]):
            # step st: radix r, length n, stride s, twiddle offset
            if (plan[st, 0] < 2 or plan[st, 1] != nn or nn % plan[st, 0]
                    or plan[st, 2] * nn != P or plan[st, 3] < 0
                    or plan[st, 3] + 2 * nn + 2 * plan[st, 0] > fftw.shape[0]):
                raise ValueError("Level: invalid transform plan")
            nn = nn // plan[st, 0]
        if nn != 1:
            raise ValueError("Level: invalid transform plan")
        self.lv.P, self.lv.n, self.lv.off, self.lv.Q, self.lv.Qp = P, n, off, Q, Qp
        self.lv.fdl = <char*> cnp.PyArray_DATA(fdl)
        self.lv.spectra = <char*> cnp.PyArray_DATA(spectra)
        self.lv.tw = <char*> cnp.PyArray_DATA(tw)
        self.lv.fftw = <char*> cnp.PyArray_DATA(fftw)
        self.lv.plan = <const Py_ssize_t*> cnp.PyArray_DATA(plan)
        self.lv.nsteps = plan.shape[0]
        self.lv.newest = n - 1
        self.fdl_array = fdl
        self.keep = (spectra, tw, plan, fftw)

    @property
    def P(self):
        return self.lv.P

    def reset(self):
        self.fdl_array.fill(0)
        self.lv.newest = self.lv.n - 1

    def __reduce__(self):
        # copies and pickles carry the delay line and its position
        return (Level, (self.lv.P, self.lv.n, self.lv.off, self.fdl_array) + self.keep,
                self.lv.newest)

    def __setstate__(self, Py_ssize_t newest):
        if not 0 <= newest < self.lv.n:
            raise ValueError("Level: invalid state")
        self.lv.newest = newest


cdef class Engine:
    """The state of a stream and the loop over a block's chunks and levels.

    ``hist`` (inputs, 2 R), ``acc`` (outputs, A), ``head`` (responses, H),
    ``pairs`` (pairs, 3) intp, ``scratch`` (outputs, step), ``work``
    (inputs + outputs, 4 Pmax); ``levels`` :class:`Level`. Chunks end at
    multiples of ``step``, the smallest partition, which divides ``R`` and
    every partition size.
    """
    cdef Stream st
    cdef bint dbl
    cdef list levels
    cdef Lv** lvs
    cdef Py_ssize_t nlv
    cdef object keep
    cdef object hist_array, acc_array

    def __cinit__(self):
        self.lvs = NULL

    def __dealloc__(self):
        free(self.lvs)

    def __reduce__(self):
        # copies and pickles carry the history, the accumulator and the time
        return (Engine, (self.hist_array, self.acc_array) + self.keep
                + (self.levels, self.st.step), self.st.time)

    def __setstate__(self, Py_ssize_t time):
        if time < 0:
            raise ValueError("Engine: invalid state")
        self.st.time = time

    def __init__(self, cnp.ndarray hist, cnp.ndarray acc, cnp.ndarray head, cnp.ndarray pairs,
                 cnp.ndarray scratch, cnp.ndarray work, list levels, Py_ssize_t step):
        cdef cnp.ndarray a
        cdef Level lv
        cdef Py_ssize_t q, R, A, j
        dt = hist.dtype
        if dt.type not in (np.float32, np.float64):
            raise TypeError("Engine: float32 or float64 only")
        for a in (hist, acc, head, scratch, work):
            if a.dtype != dt or not a.flags.c_contiguous or a.ndim != 2:
                raise ValueError("Engine: state arrays must be 2-D, C-contiguous, one dtype")
        if (pairs.dtype != np.intp or not pairs.flags.c_contiguous or pairs.ndim != 2
                or pairs.shape[1] != 3):
            raise ValueError("Engine: pairs must be a (pairs, 3) intp array")
        R, A = hist.shape[1] // 2, acc.shape[1]
        if (step < 1 or R % step or hist.shape[1] % 2 or scratch.shape[0] != acc.shape[0]
                or scratch.shape[1] < step or head.shape[1] - 1 + step > R or A < step
                or work.shape[0] != hist.shape[0] + acc.shape[0]):
            raise ValueError("Engine: inconsistent sizes")
        for q in range(pairs.shape[0]):
            if not (0 <= pairs[q, 0] < acc.shape[0] and 0 <= pairs[q, 1] < hist.shape[0]
                    and 0 <= pairs[q, 2] < head.shape[0]):
                raise ValueError("Engine: channel pair out of range")
        for lv in levels:
            if (lv.lv.P % step or lv.fdl_array.dtype != dt
                    or lv.fdl_array.shape[1] != hist.shape[0] or 2 * lv.lv.P > R
                    or lv.lv.off + lv.lv.P > A or lv.keep[0].shape[1] != head.shape[0]
                    or 4 * lv.lv.P > work.shape[1]):
                raise ValueError("Engine: a level does not fit the state")
        self.lvs = <Lv**> malloc(sizeof(Lv*) * max(len(levels), 1))
        if self.lvs == NULL:
            raise MemoryError()
        for j, lv in enumerate(levels):
            self.lvs[j] = &lv.lv
        self.nlv = len(levels)
        self.st.n_in, self.st.n_out = hist.shape[0], acc.shape[0]
        self.st.nh, self.st.H = head.shape[0], head.shape[1]
        self.st.npairs = pairs.shape[0]
        self.st.R, self.st.A, self.st.step, self.st.time = R, A, step, 0
        self.st.hist = <char*> cnp.PyArray_DATA(hist)
        self.st.acc = <char*> cnp.PyArray_DATA(acc)
        self.st.head = <char*> cnp.PyArray_DATA(head)
        self.st.scratch = <char*> cnp.PyArray_DATA(scratch)
        self.st.work = <char*> cnp.PyArray_DATA(work)
        self.st.wstride = work.shape[1]
        self.st.pairs = <const Py_ssize_t*> cnp.PyArray_DATA(pairs)
        self.dbl = dt == np.float64
        self.hist_array, self.acc_array = hist, acc
        self.keep = (head, pairs, scratch, work)
        self.levels = levels

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

    def time_level(self, Py_ssize_t j, Py_ssize_t reps):
        """Seconds per run of level ``j``, the best of ``reps`` (changes the state)."""
        cdef double best = 1e300, t0
        cdef Py_ssize_t r
        if not 0 <= j < self.nlv or reps < 1:
            raise ValueError("time_level: no such level")
        for r in range(reps):
            t0 = time.perf_counter()
            with nogil:
                if self.dbl:
                    _level_run(&self.st, self.lvs[j], <double*> NULL)
                else:
                    _level_run(&self.st, self.lvs[j], <float*> NULL)
            best = min(best, time.perf_counter() - t0)
        return best

    def run(self, cnp.ndarray x, cnp.ndarray out):
        """Process ``x`` (inputs, k) into ``out`` (outputs, k); False if they do not fit.

        Both must be aligned arrays of the stream's dtype in native byte
        order, ``out`` writeable (any strides); nothing is done otherwise.
        """
        cdef Py_ssize_t k, xs0, xs1, os0, os1
        cdef char* xp
        cdef char* op
        cdef int typenum = cnp.NPY_DOUBLE if self.dbl else cnp.NPY_FLOAT
        if (cnp.PyArray_NDIM(x) != 2 or cnp.PyArray_NDIM(out) != 2
                or cnp.PyArray_TYPE(x) != typenum or cnp.PyArray_TYPE(out) != typenum
                or x.shape[0] != self.st.n_in or out.shape[0] != self.st.n_out
                or x.shape[1] != out.shape[1] or not cnp.PyArray_ISNOTSWAPPED(x)
                or not cnp.PyArray_ISNOTSWAPPED(out) or not cnp.PyArray_ISALIGNED(x)
                or not cnp.PyArray_ISALIGNED(out) or not cnp.PyArray_ISWRITEABLE(out)):
            return False
        k = x.shape[1]
        xp = <char*> cnp.PyArray_DATA(x)
        op = <char*> cnp.PyArray_DATA(out)
        xs0, xs1 = x.strides[0], x.strides[1]
        os0, os1 = out.strides[0], out.strides[1]
        with nogil:
            if self.dbl:
                _run(&self.st, self.lvs, self.nlv, xp, xs0, xs1, k, op, os0, os1,
                     <double*> NULL)
            else:
                _run(&self.st, self.lvs, self.nlv, xp, xs0, xs1, k, op, os0, os1,
                     <float*> NULL)
        return True
