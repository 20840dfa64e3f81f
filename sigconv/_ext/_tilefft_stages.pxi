# The butterfly stages of sigconv._ext._tilefft (included there): radix 2
# and radix 2 squared, decimation in frequency (forward) and in time
# (inverse), on strips of CHUNK columns of a block of rows.

#: columns per chunk of a butterfly loop: the results go to local arrays
#: first and are stored after, one row at a time, so the compiler sees no
#: possible overlap between the rows and vectorises without runtime checks
cdef enum:
    CHUNK = 16


cdef inline void _r2_dif(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld,
                         Py_ssize_t w, Py_ssize_t h, const floating* wr,
                         const floating* wi, Py_ssize_t wn) noexcept nogil:
    """One forward stage of half-size ``h``: ``(a, b) -> (a + b, (a - b) W)``."""
    cdef Py_ssize_t g, j, c, t, m, step = wn // (2 * h)
    cdef floating tr, ti, ar, ai, br, bi, dr, di
    cdef floating y0r[CHUNK]
    cdef floating y0i[CHUNK]
    cdef floating y1r[CHUNK]
    cdef floating y1i[CHUNK]
    cdef floating *pa
    cdef floating *pb
    cdef floating *qa
    cdef floating *qb
    g = 0
    while g < n:
        for j in range(h):
            tr = wr[j * step]
            ti = wi[j * step]
            pa = re + (g + j) * ld
            pb = re + (g + j + h) * ld
            qa = im + (g + j) * ld
            qb = im + (g + j + h) * ld
            c = 0
            while c < w:
                for t in range(CHUNK):
                    ar = pa[c + t]
                    ai = qa[c + t]
                    br = pb[c + t]
                    bi = qb[c + t]
                    y0r[t] = ar + br
                    y0i[t] = ai + bi
                    dr = ar - br
                    di = ai - bi
                    y1r[t] = dr * tr - di * ti
                    y1i[t] = dr * ti + di * tr
                _put(pa + c, y0r, CHUNK)
                _put(qa + c, y0i, CHUNK)
                _put(pb + c, y1r, CHUNK)
                _put(qb + c, y1i, CHUNK)
                c += CHUNK
        g += 2 * h


cdef inline void _put(floating* dst, const floating* src, Py_ssize_t m) noexcept nogil:
    cdef Py_ssize_t t
    for t in range(m):
        dst[t] = src[t]


cdef inline void _r4_dif(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld,
                         Py_ssize_t w, Py_ssize_t h, const floating* wr,
                         const floating* wi, Py_ssize_t wn) noexcept nogil:
    """The forward stages of half-sizes ``h`` and ``h / 2`` in one pass."""
    cdef Py_ssize_t g, j, c, t, m, q = h // 2, s1 = wn // (2 * h), s2 = wn // h
    cdef floating t1r, t1i, t3r, t3i, t2r, t2i
    cdef floating x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i
    cdef floating a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, dr, di
    cdef floating y0r[CHUNK]
    cdef floating y0i[CHUNK]
    cdef floating y1r[CHUNK]
    cdef floating y1i[CHUNK]
    cdef floating y2r[CHUNK]
    cdef floating y2i[CHUNK]
    cdef floating y3r[CHUNK]
    cdef floating y3i[CHUNK]
    cdef floating *r0
    cdef floating *r1
    cdef floating *r2
    cdef floating *r3
    cdef floating *i0
    cdef floating *i1
    cdef floating *i2
    cdef floating *i3
    g = 0
    while g < n:
        for j in range(q):
            t1r = wr[j * s1]
            t1i = wi[j * s1]
            t3r = wr[(j + q) * s1]
            t3i = wi[(j + q) * s1]
            t2r = wr[j * s2]
            t2i = wi[j * s2]
            r0 = re + (g + j) * ld
            r1 = re + (g + j + q) * ld
            r2 = re + (g + j + h) * ld
            r3 = re + (g + j + h + q) * ld
            i0 = im + (g + j) * ld
            i1 = im + (g + j + q) * ld
            i2 = im + (g + j + h) * ld
            i3 = im + (g + j + h + q) * ld
            c = 0
            while c < w:
                for t in range(CHUNK):
                    x0r = r0[c + t]
                    x0i = i0[c + t]
                    x1r = r1[c + t]
                    x1i = i1[c + t]
                    x2r = r2[c + t]
                    x2i = i2[c + t]
                    x3r = r3[c + t]
                    x3i = i3[c + t]
                    # stage h: (x0, x2) and (x1, x3)
                    a0r = x0r + x2r
                    a0i = x0i + x2i
                    dr = x0r - x2r
                    di = x0i - x2i
                    a2r = dr * t1r - di * t1i
                    a2i = dr * t1i + di * t1r
                    a1r = x1r + x3r
                    a1i = x1i + x3i
                    dr = x1r - x3r
                    di = x1i - x3i
                    a3r = dr * t3r - di * t3i
                    a3i = dr * t3i + di * t3r
                    # stage h / 2: (a0, a1) and (a2, a3)
                    y0r[t] = a0r + a1r
                    y0i[t] = a0i + a1i
                    dr = a0r - a1r
                    di = a0i - a1i
                    y1r[t] = dr * t2r - di * t2i
                    y1i[t] = dr * t2i + di * t2r
                    y2r[t] = a2r + a3r
                    y2i[t] = a2i + a3i
                    dr = a2r - a3r
                    di = a2i - a3i
                    y3r[t] = dr * t2r - di * t2i
                    y3i[t] = dr * t2i + di * t2r
                _put(r0 + c, y0r, CHUNK)
                _put(i0 + c, y0i, CHUNK)
                _put(r1 + c, y1r, CHUNK)
                _put(i1 + c, y1i, CHUNK)
                _put(r2 + c, y2r, CHUNK)
                _put(i2 + c, y2i, CHUNK)
                _put(r3 + c, y3r, CHUNK)
                _put(i3 + c, y3i, CHUNK)
                c += CHUNK
        g += 2 * h


cdef inline void _r2_dit(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld,
                         Py_ssize_t w, Py_ssize_t h, const floating* wr,
                         const floating* wi, Py_ssize_t wn) noexcept nogil:
    """One inverse stage of half-size ``h``: ``(a, b) -> (a + b conj(W), a - b conj(W))``."""
    cdef Py_ssize_t g, j, c, t, m, step = wn // (2 * h)
    cdef floating tr, ti, ar, ai, br, bi
    cdef floating y0r[CHUNK]
    cdef floating y0i[CHUNK]
    cdef floating y1r[CHUNK]
    cdef floating y1i[CHUNK]
    cdef floating *pa
    cdef floating *pb
    cdef floating *qa
    cdef floating *qb
    g = 0
    while g < n:
        for j in range(h):
            tr = wr[j * step]
            ti = -wi[j * step]
            pa = re + (g + j) * ld
            pb = re + (g + j + h) * ld
            qa = im + (g + j) * ld
            qb = im + (g + j + h) * ld
            c = 0
            while c < w:
                for t in range(CHUNK):
                    ar = pa[c + t]
                    ai = qa[c + t]
                    br = pb[c + t] * tr - qb[c + t] * ti
                    bi = pb[c + t] * ti + qb[c + t] * tr
                    y0r[t] = ar + br
                    y0i[t] = ai + bi
                    y1r[t] = ar - br
                    y1i[t] = ai - bi
                _put(pa + c, y0r, CHUNK)
                _put(qa + c, y0i, CHUNK)
                _put(pb + c, y1r, CHUNK)
                _put(qb + c, y1i, CHUNK)
                c += CHUNK
        g += 2 * h


cdef inline void _r4_dit(floating* re, floating* im, Py_ssize_t n, Py_ssize_t ld,
                         Py_ssize_t w, Py_ssize_t h, const floating* wr,
                         const floating* wi, Py_ssize_t wn) noexcept nogil:
    """The inverse stages of half-sizes ``h`` and ``2 h`` in one pass."""
    cdef Py_ssize_t g, j, c, t, m, s1 = wn // (2 * h), s2 = wn // (4 * h)
    cdef floating t1r, t1i, t2r, t2i, t3r, t3i
    cdef floating x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i
    cdef floating a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, br, bi
    cdef floating y0r[CHUNK]
    cdef floating y0i[CHUNK]
    cdef floating y1r[CHUNK]
    cdef floating y1i[CHUNK]
    cdef floating y2r[CHUNK]
    cdef floating y2i[CHUNK]
    cdef floating y3r[CHUNK]
    cdef floating y3i[CHUNK]
    cdef floating *r0
    cdef floating *r1
    cdef floating *r2
    cdef floating *r3
    cdef floating *i0
    cdef floating *i1
    cdef floating *i2
    cdef floating *i3
    g = 0
    while g < n:
        for j in range(h):
            t1r = wr[j * s1]
            t1i = -wi[j * s1]
            t2r = wr[j * s2]
            t2i = -wi[j * s2]
            t3r = wr[(j + h) * s2]
            t3i = -wi[(j + h) * s2]
            r0 = re + (g + j) * ld
            r1 = re + (g + j + h) * ld
            r2 = re + (g + j + 2 * h) * ld
            r3 = re + (g + j + 3 * h) * ld
            i0 = im + (g + j) * ld
            i1 = im + (g + j + h) * ld
            i2 = im + (g + j + 2 * h) * ld
            i3 = im + (g + j + 3 * h) * ld
            c = 0
            while c < w:
                for t in range(CHUNK):
                    x0r = r0[c + t]
                    x0i = i0[c + t]
                    x1r = r1[c + t]
                    x1i = i1[c + t]
                    x2r = r2[c + t]
                    x2i = i2[c + t]
                    x3r = r3[c + t]
                    x3i = i3[c + t]
                    # stage h: (x0, x1) and (x2, x3)
                    br = x1r * t1r - x1i * t1i
                    bi = x1r * t1i + x1i * t1r
                    a0r = x0r + br
                    a0i = x0i + bi
                    a1r = x0r - br
                    a1i = x0i - bi
                    br = x3r * t1r - x3i * t1i
                    bi = x3r * t1i + x3i * t1r
                    a2r = x2r + br
                    a2i = x2i + bi
                    a3r = x2r - br
                    a3i = x2i - bi
                    # stage 2 h: (a0, a2) and (a1, a3)
                    br = a2r * t2r - a2i * t2i
                    bi = a2r * t2i + a2i * t2r
                    y0r[t] = a0r + br
                    y0i[t] = a0i + bi
                    y2r[t] = a0r - br
                    y2i[t] = a0i - bi
                    br = a3r * t3r - a3i * t3i
                    bi = a3r * t3i + a3i * t3r
                    y1r[t] = a1r + br
                    y1i[t] = a1i + bi
                    y3r[t] = a1r - br
                    y3i[t] = a1i - bi
                _put(r0 + c, y0r, CHUNK)
                _put(i0 + c, y0i, CHUNK)
                _put(r1 + c, y1r, CHUNK)
                _put(i1 + c, y1i, CHUNK)
                _put(r2 + c, y2r, CHUNK)
                _put(i2 + c, y2i, CHUNK)
                _put(r3 + c, y3r, CHUNK)
                _put(i3 + c, y3i, CHUNK)
                c += CHUNK
        g += 4 * h
