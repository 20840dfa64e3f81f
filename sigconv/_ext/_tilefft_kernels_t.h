/* The kernels of _tilefft_kernels.h for one element type SC_T; SC_(name)
 * makes a kernel's name. Included once per type (no include guard).
 *
 * Stages: the forward transform is decimation in frequency (natural order
 * in, bit-reversed out), the inverse decimation in time (bit-reversed in,
 * natural out, unscaled). A stage of half-size h pairs row g + j with row
 * g + j + h (g a multiple of 2 h); its twiddle is entry j * wn / (2 h) of
 * the table (cos, -sin of 2 pi t / wn). A radix-4 kernel does two stages
 * in one pass over the rows. */

/* forward, half-size h: (a, b) -> (a + b, (a - b) w) */
static inline void SC_(dif2_rows)(SC_T* SC_RESTRICT ar, SC_T* SC_RESTRICT ai,
                                  SC_T* SC_RESTRICT br, SC_T* SC_RESTRICT bi,
                                  SC_T wr, SC_T wi)
{
    for (int t = 0; t < SIGCONV_TF_CHUNK; t++) {
        SC_T xr = ar[t], xi = ai[t], yr = br[t], yi = bi[t];
        SC_T dr = xr - yr, di = xi - yi;
        ar[t] = xr + yr;
        ai[t] = xi + yi;
        br[t] = dr * wr - di * wi;
        bi[t] = dr * wi + di * wr;
    }
}

static void SC_(dif2)(SC_T* re, SC_T* im, ptrdiff_t n, ptrdiff_t ld, ptrdiff_t h,
                      const SC_T* wr, const SC_T* wi, ptrdiff_t wn)
{
    ptrdiff_t step = wn / (2 * h);
    for (ptrdiff_t g = 0; g < n; g += 2 * h)
        for (ptrdiff_t j = 0; j < h; j++) {
            ptrdiff_t a = (g + j) * ld, b = (g + j + h) * ld;
            SC_(dif2_rows)(re + a, im + a, re + b, im + b, wr[j * step], wi[j * step]);
        }
}

/* forward, half-sizes h and h / 2 (q = h / 2) on rows x0..x3 = j, j + q,
 * j + h, j + h + q; w1, w3: the twiddles of stage h at j and j + q, w2:
 * that of stage h / 2 at j */
static inline void SC_(dif4_rows)(SC_T* SC_RESTRICT r0, SC_T* SC_RESTRICT i0,
                                  SC_T* SC_RESTRICT r1, SC_T* SC_RESTRICT i1,
                                  SC_T* SC_RESTRICT r2, SC_T* SC_RESTRICT i2,
                                  SC_T* SC_RESTRICT r3, SC_T* SC_RESTRICT i3,
                                  SC_T w1r, SC_T w1i, SC_T w2r, SC_T w2i,
                                  SC_T w3r, SC_T w3i)
{
    for (int t = 0; t < SIGCONV_TF_CHUNK; t++) {
        SC_T x0r = r0[t], x0i = i0[t], x1r = r1[t], x1i = i1[t];
        SC_T x2r = r2[t], x2i = i2[t], x3r = r3[t], x3i = i3[t];
        /* stage h: (x0, x2) and (x1, x3) */
        SC_T a0r = x0r + x2r, a0i = x0i + x2i;
        SC_T dr = x0r - x2r, di = x0i - x2i;
        SC_T a2r = dr * w1r - di * w1i, a2i = dr * w1i + di * w1r;
        SC_T a1r = x1r + x3r, a1i = x1i + x3i;
        dr = x1r - x3r;
        di = x1i - x3i;
        SC_T a3r = dr * w3r - di * w3i, a3i = dr * w3i + di * w3r;
        /* stage h / 2: (a0, a1) and (a2, a3) */
        r0[t] = a0r + a1r;
        i0[t] = a0i + a1i;
        dr = a0r - a1r;
        di = a0i - a1i;
        r1[t] = dr * w2r - di * w2i;
        i1[t] = dr * w2i + di * w2r;
        r2[t] = a2r + a3r;
        i2[t] = a2i + a3i;
        dr = a2r - a3r;
        di = a2i - a3i;
        r3[t] = dr * w2r - di * w2i;
        i3[t] = dr * w2i + di * w2r;
    }
}

static void SC_(dif4)(SC_T* re, SC_T* im, ptrdiff_t n, ptrdiff_t ld, ptrdiff_t h,
                      const SC_T* wr, const SC_T* wi, ptrdiff_t wn)
{
    ptrdiff_t q = h / 2, s1 = wn / (2 * h), s2 = wn / h;
    for (ptrdiff_t g = 0; g < n; g += 2 * h)
        for (ptrdiff_t j = 0; j < q; j++) {
            SC_T* r = re + (g + j) * ld;
            SC_T* i = im + (g + j) * ld;
            SC_(dif4_rows)(r, i, r + q * ld, i + q * ld, r + h * ld, i + h * ld,
                           r + (h + q) * ld, i + (h + q) * ld,
                           wr[j * s1], wi[j * s1], wr[j * s2], wi[j * s2],
                           wr[(j + q) * s1], wi[(j + q) * s1]);
        }
}

/* inverse, half-size h: (a, b) -> (a + b conj(w), a - b conj(w)); the
 * twiddles come conjugated */
static inline void SC_(dit2_rows)(SC_T* SC_RESTRICT ar, SC_T* SC_RESTRICT ai,
                                  SC_T* SC_RESTRICT br, SC_T* SC_RESTRICT bi,
                                  SC_T wr, SC_T wi)
{
    for (int t = 0; t < SIGCONV_TF_CHUNK; t++) {
        SC_T xr = ar[t], xi = ai[t];
        SC_T yr = br[t] * wr - bi[t] * wi, yi = br[t] * wi + bi[t] * wr;
        ar[t] = xr + yr;
        ai[t] = xi + yi;
        br[t] = xr - yr;
        bi[t] = xi - yi;
    }
}

static void SC_(dit2)(SC_T* re, SC_T* im, ptrdiff_t n, ptrdiff_t ld, ptrdiff_t h,
                      const SC_T* wr, const SC_T* wi, ptrdiff_t wn)
{
    ptrdiff_t step = wn / (2 * h);
    for (ptrdiff_t g = 0; g < n; g += 2 * h)
        for (ptrdiff_t j = 0; j < h; j++) {
            ptrdiff_t a = (g + j) * ld, b = (g + j + h) * ld;
            SC_(dit2_rows)(re + a, im + a, re + b, im + b, wr[j * step], -wi[j * step]);
        }
}

/* inverse, half-sizes h and 2 h on rows j, j + h, j + 2 h, j + 3 h; w1: the
 * twiddle of stage h at j, w2 and w3: those of stage 2 h at j and j + h
 * (conjugated) */
static inline void SC_(dit4_rows)(SC_T* SC_RESTRICT r0, SC_T* SC_RESTRICT i0,
                                  SC_T* SC_RESTRICT r1, SC_T* SC_RESTRICT i1,
                                  SC_T* SC_RESTRICT r2, SC_T* SC_RESTRICT i2,
                                  SC_T* SC_RESTRICT r3, SC_T* SC_RESTRICT i3,
                                  SC_T w1r, SC_T w1i, SC_T w2r, SC_T w2i,
                                  SC_T w3r, SC_T w3i)
{
    for (int t = 0; t < SIGCONV_TF_CHUNK; t++) {
        SC_T x0r = r0[t], x0i = i0[t], x1r = r1[t], x1i = i1[t];
        SC_T x2r = r2[t], x2i = i2[t], x3r = r3[t], x3i = i3[t];
        /* stage h: (x0, x1) and (x2, x3) */
        SC_T br = x1r * w1r - x1i * w1i, bi = x1r * w1i + x1i * w1r;
        SC_T a0r = x0r + br, a0i = x0i + bi, a1r = x0r - br, a1i = x0i - bi;
        br = x3r * w1r - x3i * w1i;
        bi = x3r * w1i + x3i * w1r;
        SC_T a2r = x2r + br, a2i = x2i + bi, a3r = x2r - br, a3i = x2i - bi;
        /* stage 2 h: (a0, a2) and (a1, a3) */
        br = a2r * w2r - a2i * w2i;
        bi = a2r * w2i + a2i * w2r;
        r0[t] = a0r + br;
        i0[t] = a0i + bi;
        r2[t] = a0r - br;
        i2[t] = a0i - bi;
        br = a3r * w3r - a3i * w3i;
        bi = a3r * w3i + a3i * w3r;
        r1[t] = a1r + br;
        i1[t] = a1i + bi;
        r3[t] = a1r - br;
        i3[t] = a1i - bi;
    }
}

static void SC_(dit4)(SC_T* re, SC_T* im, ptrdiff_t n, ptrdiff_t ld, ptrdiff_t h,
                      const SC_T* wr, const SC_T* wi, ptrdiff_t wn)
{
    ptrdiff_t s1 = wn / (2 * h), s2 = wn / (4 * h);
    for (ptrdiff_t g = 0; g < n; g += 4 * h)
        for (ptrdiff_t j = 0; j < h; j++) {
            SC_T* r = re + (g + j) * ld;
            SC_T* i = im + (g + j) * ld;
            SC_(dit4_rows)(r, i, r + h * ld, i + h * ld, r + 2 * h * ld, i + 2 * h * ld,
                           r + 3 * h * ld, i + 3 * h * ld,
                           wr[j * s1], -wi[j * s1], wr[j * s2], -wi[j * s2],
                           wr[(j + h) * s2], -wi[(j + h) * s2]);
        }
}

/* Strip copies between a block's rows and a row buffer (rows become
 * columns): b[j, q] = x[q, j] for the CHUNK rows q of a strip and the
 * columns j. The loop over q is inner: the CHUNK rows being read stay in
 * the cache while the buffer is written in order. */
static void SC_(rows_in)(const SC_T* SC_RESTRICT re, const SC_T* SC_RESTRICT im,
                         ptrdiff_t n1, ptrdiff_t ld, SC_T* SC_RESTRICT br,
                         SC_T* SC_RESTRICT bi)
{
    for (ptrdiff_t j = 0; j < n1; j++)
        for (int q = 0; q < SIGCONV_TF_CHUNK; q++) {
            br[j * SIGCONV_TF_CHUNK + q] = re[q * ld + j];
            bi[j * SIGCONV_TF_CHUNK + q] = im[q * ld + j];
        }
}

/* rows_in times the four-step twiddles t (rows of n1) */
static void SC_(rows_in_tw)(const SC_T* SC_RESTRICT re, const SC_T* SC_RESTRICT im,
                            ptrdiff_t n1, ptrdiff_t ld, SC_T* SC_RESTRICT br,
                            SC_T* SC_RESTRICT bi, const SC_T* SC_RESTRICT tr,
                            const SC_T* SC_RESTRICT ti)
{
    for (ptrdiff_t j = 0; j < n1; j++)
        for (int q = 0; q < SIGCONV_TF_CHUNK; q++) {
            SC_T a = re[q * ld + j], b = im[q * ld + j];
            SC_T c = tr[q * n1 + j], s = ti[q * n1 + j];
            br[j * SIGCONV_TF_CHUNK + q] = a * c - b * s;
            bi[j * SIGCONV_TF_CHUNK + q] = a * s + b * c;
        }
}

/* x[q, j] = b[j, q] for the columns [j0, j1) only */
static void SC_(rows_out)(SC_T* SC_RESTRICT re, SC_T* SC_RESTRICT im, ptrdiff_t ld,
                          ptrdiff_t j0, ptrdiff_t j1, const SC_T* SC_RESTRICT br,
                          const SC_T* SC_RESTRICT bi)
{
    for (ptrdiff_t j = j0; j < j1; j++)
        for (int q = 0; q < SIGCONV_TF_CHUNK; q++) {
            re[q * ld + j] = br[j * SIGCONV_TF_CHUNK + q];
            im[q * ld + j] = bi[j * SIGCONV_TF_CHUNK + q];
        }
}

/* rows_out (every column) times the conjugate twiddles */
static void SC_(rows_out_tw)(SC_T* SC_RESTRICT re, SC_T* SC_RESTRICT im, ptrdiff_t n1,
                             ptrdiff_t ld, const SC_T* SC_RESTRICT br,
                             const SC_T* SC_RESTRICT bi, const SC_T* SC_RESTRICT tr,
                             const SC_T* SC_RESTRICT ti)
{
    for (ptrdiff_t j = 0; j < n1; j++)
        for (int q = 0; q < SIGCONV_TF_CHUNK; q++) {
            SC_T a = br[j * SIGCONV_TF_CHUNK + q], b = bi[j * SIGCONV_TF_CHUNK + q];
            SC_T c = tr[q * n1 + j], s = ti[q * n1 + j];
            re[q * ld + j] = a * c + b * s;
            im[q * ld + j] = b * c - a * s;
        }
}

/* b *= h, elementwise complex, n entries */
static void SC_(product)(SC_T* SC_RESTRICT br, SC_T* SC_RESTRICT bi,
                         const SC_T* SC_RESTRICT hr, const SC_T* SC_RESTRICT hi, ptrdiff_t n)
{
    for (ptrdiff_t t = 0; t < n; t++) {
        SC_T zr = br[t], zi = bi[t];
        br[t] = zr * hr[t] - zi * hi[t];
        bi[t] = zr * hi[t] + zi * hr[t];
    }
}

/* 1 if the n values at p hold no NaN or Inf, else 0: x - x is 0 for a
 * finite x and NaN otherwise, summed in CHUNK independent lanes */
static int SC_(finite)(const SC_T* SC_RESTRICT p, ptrdiff_t n)
{
    SC_T acc[SIGCONV_TF_CHUNK] = {0};
    SC_T total = 0;
    ptrdiff_t i = 0;
    for (; i + SIGCONV_TF_CHUNK <= n; i += SIGCONV_TF_CHUNK)
        for (int t = 0; t < SIGCONV_TF_CHUNK; t++)
            acc[t] += p[i + t] - p[i + t];
    for (; i < n; i++)
        total += p[i] - p[i];
    for (int t = 0; t < SIGCONV_TF_CHUNK; t++)
        total += acc[t];
    return total == 0;
}
