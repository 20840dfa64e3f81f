/* Register tiles of the direct kernel (sigconv._ext._direct), float32 and
 * float64, unit stride.
 *
 * A tile of 8 to 64 float or 4 to 32 double outputs is held in one to
 * eight vector accumulators of 32 bytes declared as local variables,
 * across every tap of every kernel row: each tap is one broadcast weight
 * and one multiply-add per accumulator on input read in place (unaligned
 * loads). As an array indexed in a loop (the generic tile of _direct.pyx),
 * the accumulators can stay in memory between the taps, each tap then a
 * load, a multiply-add and a store per vector, chained through memory; as
 * named vectors the compiler keeps them in registers. The arithmetic is the
 * generic tile's, output by output and in the same order (rows, then taps,
 * each ``acc = acc + w * x``), so the two give the same bits where the
 * compiler contracts alike.
 *
 * sigconv_unit_tile_f32/_f64 compute a tile of ``tile`` outputs and return
 * 1, or return 0 for a size they do not have (the caller then takes the
 * generic tile). The vectors are GCC/Clang vector extensions: 32 bytes are
 * one AVX register, two SSE registers on a portable build. Other compilers
 * get 0 for every size.
 */
#ifndef SIGCONV_DIRECT_KERNELS_H
#define SIGCONV_DIRECT_KERNELS_H
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)

typedef float sigconv_f8 __attribute__((vector_size(32)));
typedef double sigconv_d4 __attribute__((vector_size(32)));
/* the same, read and written at any element's alignment */
typedef float sigconv_f8u __attribute__((vector_size(32), aligned(4), may_alias));
typedef double sigconv_d4u __attribute__((vector_size(32), aligned(8), may_alias));

/* one statement per accumulator a0 .. a7, kept where the tile has it (in a
 * tile's body, where nv, lanes and sigconv_u are its constants: the
 * statements of the accumulators it lacks vanish) */
#define SIGCONV_EACH(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7)
#define SIGCONV_INIT(i) if (nv > i && accumulate) a##i = *(const sigconv_u*)(dst + i * lanes);
#define SIGCONV_FMA(i) if (nv > i) a##i = a##i + w * *(const sigconv_u*)(p + i * lanes);
#define SIGCONV_STORE(i) if (nv > i) *(sigconv_u*)(dst + i * lanes) = a##i;

/* NAME: a tile of NV accumulators of type V (U: its unaligned twin) of
 * LANES elements of T */
#define SIGCONV_TILE(NAME, T, V, U, LANES, NV)                                    \
static inline void NAME(T* dst, const T** rows, const T** wrows, ptrdiff_t nrows,   \
                        ptrdiff_t K, ptrdiff_t off, T init, int accumulate) {      \
    enum { nv = NV, lanes = LANES };                                              \
    typedef U sigconv_u;                                                          \
    const V start = (V){0} + init;                                                \
    V a0 = start, a1 = start, a2 = start, a3 = start;                             \
    V a4 = start, a5 = start, a6 = start, a7 = start;                             \
    ptrdiff_t r, k;                                                               \
    SIGCONV_EACH(SIGCONV_INIT)                                                    \
    for (r = 0; r < nrows; r++) {                                                 \
        const T* xp = rows[r] + off;                                              \
        const T* wp = wrows[r];                                                   \
        for (k = 0; k < K; k++) {                                                 \
            const T w = wp[k];                                                    \
            const T* p = xp + k;                                                  \
            SIGCONV_EACH(SIGCONV_FMA)                                             \
        }                                                                         \
    }                                                                             \
    SIGCONV_EACH(SIGCONV_STORE)                                                   \
}

SIGCONV_TILE(sigconv_tile64_f32, float, sigconv_f8, sigconv_f8u, 8, 8)
SIGCONV_TILE(sigconv_tile32_f32, float, sigconv_f8, sigconv_f8u, 8, 4)
SIGCONV_TILE(sigconv_tile16_f32, float, sigconv_f8, sigconv_f8u, 8, 2)
SIGCONV_TILE(sigconv_tile8_f32, float, sigconv_f8, sigconv_f8u, 8, 1)
SIGCONV_TILE(sigconv_tile32_f64, double, sigconv_d4, sigconv_d4u, 4, 8)
SIGCONV_TILE(sigconv_tile16_f64, double, sigconv_d4, sigconv_d4u, 4, 4)
SIGCONV_TILE(sigconv_tile8_f64, double, sigconv_d4, sigconv_d4u, 4, 2)
SIGCONV_TILE(sigconv_tile4_f64, double, sigconv_d4, sigconv_d4u, 4, 1)

/* NAME: of one dtype's tiles (of 8, 4, 2 and 1 accumulators: T8 .. T1),
 * the one of ``tile`` outputs */
#define SIGCONV_DISPATCH(NAME, T, LANES, T8, T4, T2, T1)                          \
static inline int NAME(T* dst, const T** rows, const T** wrows, ptrdiff_t nrows,    \
                       ptrdiff_t K, ptrdiff_t off, T init, int accumulate,         \
                       ptrdiff_t tile) {                                           \
    if (tile == 8 * LANES) T8(dst, rows, wrows, nrows, K, off, init, accumulate);  \
    else if (tile == 4 * LANES) T4(dst, rows, wrows, nrows, K, off, init, accumulate); \
    else if (tile == 2 * LANES) T2(dst, rows, wrows, nrows, K, off, init, accumulate); \
    else if (tile == LANES) T1(dst, rows, wrows, nrows, K, off, init, accumulate); \
    else return 0;                                                                \
    return 1;                                                                     \
}

SIGCONV_DISPATCH(sigconv_unit_tile_f32, float, 8, sigconv_tile64_f32, sigconv_tile32_f32,
                 sigconv_tile16_f32, sigconv_tile8_f32)
SIGCONV_DISPATCH(sigconv_unit_tile_f64, double, 4, sigconv_tile32_f64, sigconv_tile16_f64,
                 sigconv_tile8_f64, sigconv_tile4_f64)

#else

static int sigconv_unit_tile_f32(float* dst, const float** rows, const float** wrows,
                                 ptrdiff_t nrows, ptrdiff_t K, ptrdiff_t off, float init,
                                 int accumulate, ptrdiff_t tile) {
    return 0;
}
static int sigconv_unit_tile_f64(double* dst, const double** rows, const double** wrows,
                                 ptrdiff_t nrows, ptrdiff_t K, ptrdiff_t off, double init,
                                 int accumulate, ptrdiff_t tile) {
    return 0;
}

#endif
#endif
