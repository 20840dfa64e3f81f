"""Loops of the streaming convolver (sigconv.streaming.StreamConvolver).

The convolver keeps, per input channel, a history ring of ``R`` samples
stored twice (``hist[i, j] == hist[i, j + R]``), so that any window of up
to ``R`` samples ending at the newest one is contiguous; and, per output
channel, an accumulator ring of ``A`` samples into which the partitioned
(frequency-domain) part of the impulse response adds its output ahead of
time. Three kernels do the work between the transforms:

* :func:`chunk`: append a chunk of input to the history, and produce the
  chunk's output: the accumulator (then cleared) plus the first ``H`` taps
  of the impulse response summed directly (the head);
* :func:`spectral_mac`: the multiply-accumulate of a frequency-domain delay
  line, ``Y[o] = sum_p X[slot - p, i] * H[p, h]`` over the channel pairs
  ``(o, i, h)``;
* :func:`ring_add`: add the valid half of an inverse transform into the
  accumulator.

Channel pairs ``(o, i, h)`` say that output channel ``o`` receives input
channel ``i`` through impulse response ``h``: ``(c, c, 0)`` for one response
shared by every channel, ``(c, c, c)`` for one per channel and
``(o, i, o * n_in + i)`` for a full matrix. Spectra are held as interleaved
(real, imaginary) pairs so that the complex products compile to vector
arithmetic. Everything runs without the GIL.
"""

ctypedef fused float_t:
    float
    double


cdef inline void _axpy(float_t* y, const float_t* x, float_t a,
                       Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        y[j] = y[j] + a * x[j]


cdef enum:
    TILE = 32     # outputs of the head kept in registers while the taps stream by


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


def chunk(const float_t[:, :] x, float_t[:, ::1] hist, Py_ssize_t t,
          const float_t[:, ::1] head, const Py_ssize_t[:, ::1] pairs,
          float_t[:, ::1] acc, float_t[:, ::1] scratch, float_t[:, :] out):
    """Append ``x`` (channels, k) at time ``t`` and write the output ``out``.

    ``out[o, n] = acc[o, (t + n) % A] + sum_pairs sum_j head[h, j] *
    x_i[t + n - j]`` for ``n < k``; the accumulator entries read are cleared.
    ``head`` holds the first ``H`` taps of each response. The chunk must not
    cross a multiple of the ring length ``R = hist.shape[1] // 2``, and
    ``H - 1 + k <= R``. ``scratch`` is (outputs, k) or longer.
    """
    cdef Py_ssize_t n_in = x.shape[0], k = x.shape[1]
    cdef Py_ssize_t R = hist.shape[1] // 2, A = acc.shape[1]
    cdef Py_ssize_t n_out = acc.shape[0], H = head.shape[1]
    cdef Py_ssize_t npairs = pairs.shape[0]
    cdef Py_ssize_t i, j, n, o, q, h, pos, a0, first
    cdef float_t* y
    cdef const float_t* xs
    if hist.shape[0] != n_in or out.shape[0] != n_out or out.shape[1] != k:
        raise ValueError("chunk: inconsistent channel counts or lengths")
    if scratch.shape[0] < n_out or scratch.shape[1] < k:
        raise ValueError("chunk: scratch too small")
    pos = t % R
    if pos + k > R or H - 1 + k > R:
        raise ValueError("chunk: the chunk crosses the history ring")
    if k == 0:
        return
    with nogil:
        for i in range(n_in):
            for j in range(k):
                hist[i, pos + j] = x[i, j]
                hist[i, pos + R + j] = x[i, j]
        a0 = t % A
        for o in range(n_out):
            y = &scratch[o, 0]
            for n in range(k):
                q = a0 + n
                if q >= A:
                    q = q - A
                y[n] = acc[o, q]
                acc[o, q] = 0
        if H > 0:
            for q in range(npairs):
                o = pairs[q, 0]
                i = pairs[q, 1]
                h = pairs[q, 2]
                y = &scratch[o, 0]
                # x_i[t + n - j] sits at hist[i, pos + R + n - j]
                first = pos + R
                n = 0
                while n + TILE <= k:
                    _head_tile(y + n, &hist[i, first + n], &head[h, 0], H)
                    n = n + TILE
                for j in range(H):
                    _axpy(y + n, &hist[i, first + n - j], head[h, j], k - n)
        for o in range(n_out):
            for n in range(k):
                out[o, n] = scratch[o, n]


def spectral_mac(const float_t[:, :, ::1] fdl, const float_t[:, :, ::1] spectra,
                 Py_ssize_t newest, const Py_ssize_t[:, ::1] pairs,
                 float_t[:, ::1] y):
    """``y[o] = sum over pairs (o, i, h), partitions p of fdl[newest - p, i] * spectra[p, h]``.

    ``fdl`` (partitions, inputs, 2 * bins) is a ring of input spectra whose
    newest entry is ``newest``; ``spectra`` (partitions, responses,
    2 * bins) holds the partitions of the impulse responses; ``y`` (outputs,
    2 * bins) is overwritten. All hold interleaved complex numbers.
    """
    cdef Py_ssize_t nparts = fdl.shape[0], width = y.shape[1]
    cdef Py_ssize_t nb = width // 2, npairs = pairs.shape[0], n_out = y.shape[0]
    cdef Py_ssize_t q, p, o, i, h, s, f
    cdef float_t* yo
    cdef const float_t* xa
    cdef const float_t* hb
    cdef float_t xr, xi, hr, hi
    if (spectra.shape[0] != nparts or fdl.shape[2] != width or spectra.shape[2] != width
            or width % 2 or not 0 <= newest < nparts):
        raise ValueError("spectral_mac: inconsistent shapes")
    with nogil:
        for o in range(n_out):
            for f in range(width):
                y[o, f] = 0
        for q in range(npairs):
            o = pairs[q, 0]
            i = pairs[q, 1]
            h = pairs[q, 2]
            yo = &y[o, 0]
            for p in range(nparts):
                s = newest - p
                if s < 0:
                    s = s + nparts
                xa = &fdl[s, i, 0]
                hb = &spectra[p, h, 0]
                for f in range(nb):
                    xr = xa[2 * f]
                    xi = xa[2 * f + 1]
                    hr = hb[2 * f]
                    hi = hb[2 * f + 1]
                    yo[2 * f] = yo[2 * f] + (xr * hr - xi * hi)
                    yo[2 * f + 1] = yo[2 * f + 1] + (xr * hi + xi * hr)


def ring_add(float_t[:, ::1] acc, Py_ssize_t start, const float_t[:, ::1] src,
             Py_ssize_t skip):
    """``acc[o, (start + j) % A] += src[o, skip + j]`` for ``j < src.shape[1] - skip``."""
    cdef Py_ssize_t A = acc.shape[1], n_out = acc.shape[0]
    cdef Py_ssize_t L = src.shape[1] - skip
    cdef Py_ssize_t o, j, a0, first
    if src.shape[0] != n_out or L < 0 or L > A:
        raise ValueError("ring_add: inconsistent shapes")
    a0 = start % A
    if a0 < 0:
        a0 = a0 + A
    first = A - a0
    if first > L:
        first = L
    with nogil:
        for o in range(n_out):
            for j in range(first):
                acc[o, a0 + j] = acc[o, a0 + j] + src[o, skip + j]
            for j in range(first, L):
                acc[o, j - first] = acc[o, j - first] + src[o, skip + j]
