/* Register tiles of the direct kernel (sigconv._ext._direct), float32 and
 * float64, unit stride.
 *
 * One tile is 64 float or 32 double outputs, held in eight vector
 * accumulators of 32 bytes declared as local variables (the smaller tiles
 * of a segment's tail or of a short line: four, two or one), across every
 * tap of every kernel row: each tap is one broadcast weight and one
 * multiply-add per accumulator on input read in place (unaligned loads). As an array
 * indexed in a loop (the generic tile of _direct.pyx), the accumulators can
 * stay in memory between the taps, each tap then a load, a multiply-add and
 * a store per vector, chained through memory; as named vectors the compiler
 * keeps them in registers. The arithmetic is the generic tile's, output by
 * output and in the same order (rows, then taps, each ``acc = acc + w *
 * x``), so the two give the same bits where the compiler contracts alike.
 *
 * The vectors are GCC/Clang vector extensions: 32 bytes are one AVX
 * register, two SSE registers on a portable build. Other compilers get the
 * same loops on arrays.
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

#define SIGCONV_TILE(NAME, T, V, U, LANES)                                        \
static inline void NAME(T* dst, const T** rows, const T** wrows, ptrdiff_t nrows,   \
                        ptrdiff_t K, ptrdiff_t off, T init, int accumulate) {      \
    V a0, a1, a2, a3, a4, a5, a6, a7;                                             \
    ptrdiff_t r, k;                                                               \
    if (accumulate) {                                                             \
        a0 = *(const U*)(dst); a1 = *(const U*)(dst + LANES);                     \
        a2 = *(const U*)(dst + 2 * LANES); a3 = *(const U*)(dst + 3 * LANES);     \
        a4 = *(const U*)(dst + 4 * LANES); a5 = *(const U*)(dst + 5 * LANES);     \
        a6 = *(const U*)(dst + 6 * LANES); a7 = *(const U*)(dst + 7 * LANES);     \
    } else {                                                                      \
        V z = {0};                                                                \
        a0 = z + init; a1 = a0; a2 = a0; a3 = a0;                                 \
        a4 = a0; a5 = a0; a6 = a0; a7 = a0;                                       \
    }                                                                             \
    for (r = 0; r < nrows; r++) {                                                 \
        const T* xp = rows[r] + off;                                              \
        const T* wp = wrows[r];                                                   \
        for (k = 0; k < K; k++) {                                                 \
            const T w = wp[k];                                                    \
            const T* p = xp + k;                                                  \
            a0 = a0 + w * *(const U*)(p);                                         \
            a1 = a1 + w * *(const U*)(p + LANES);                                 \
            a2 = a2 + w * *(const U*)(p + 2 * LANES);                             \
            a3 = a3 + w * *(const U*)(p + 3 * LANES);                             \
            a4 = a4 + w * *(const U*)(p + 4 * LANES);                             \
            a5 = a5 + w * *(const U*)(p + 5 * LANES);                             \
            a6 = a6 + w * *(const U*)(p + 6 * LANES);                             \
            a7 = a7 + w * *(const U*)(p + 7 * LANES);                             \
        }                                                                         \
    }                                                                             \
    *(U*)(dst) = a0; *(U*)(dst + LANES) = a1;                                     \
    *(U*)(dst + 2 * LANES) = a2; *(U*)(dst + 3 * LANES) = a3;                     \
    *(U*)(dst + 4 * LANES) = a4; *(U*)(dst + 5 * LANES) = a5;                     \
    *(U*)(dst + 6 * LANES) = a6; *(U*)(dst + 7 * LANES) = a7;                     \
}

/* half a tile: four accumulators (the segments' tails, and lines of 32
 * float or 16 double outputs, a volume's short rows) */
#define SIGCONV_HALF_TILE(NAME, T, V, U, LANES)                                   \
static inline void NAME(T* dst, const T** rows, const T** wrows, ptrdiff_t nrows,   \
                        ptrdiff_t K, ptrdiff_t off, T init, int accumulate) {      \
    V a0, a1, a2, a3;                                                             \
    ptrdiff_t r, k;                                                               \
    if (accumulate) {                                                             \
        a0 = *(const U*)(dst); a1 = *(const U*)(dst + LANES);                     \
        a2 = *(const U*)(dst + 2 * LANES); a3 = *(const U*)(dst + 3 * LANES);     \
    } else {                                                                      \
        V z = {0};                                                                \
        a0 = z + init; a1 = a0; a2 = a0; a3 = a0;                                 \
    }                                                                             \
    for (r = 0; r < nrows; r++) {                                                 \
        const T* xp = rows[r] + off;                                              \
        const T* wp = wrows[r];                                                   \
        for (k = 0; k < K; k++) {                                                 \
            const T w = wp[k];                                                    \
            const T* p = xp + k;                                                  \
            a0 = a0 + w * *(const U*)(p);                                         \
            a1 = a1 + w * *(const U*)(p + LANES);                                 \
            a2 = a2 + w * *(const U*)(p + 2 * LANES);                             \
            a3 = a3 + w * *(const U*)(p + 3 * LANES);                             \
        }                                                                         \
    }                                                                             \
    *(U*)(dst) = a0; *(U*)(dst + LANES) = a1;                                     \
    *(U*)(dst + 2 * LANES) = a2; *(U*)(dst + 3 * LANES) = a3;                     \
}

/* two accumulators and one: 16 and 8 float outputs, 8 and 4 double ones */
#define SIGCONV_SMALL_TILE(NAME, T, V, U, LANES, NV)                              \
static inline void NAME(T* dst, const T** rows, const T** wrows, ptrdiff_t nrows,   \
                        ptrdiff_t K, ptrdiff_t off, T init, int accumulate) {      \
    V a0, a1;                                                                     \
    ptrdiff_t r, k;                                                               \
    if (accumulate) {                                                             \
        a0 = *(const U*)(dst);                                                    \
        if (NV > 1) a1 = *(const U*)(dst + LANES);                                \
    } else {                                                                      \
        V z = {0};                                                                \
        a0 = z + init; a1 = a0;                                                   \
    }                                                                             \
    for (r = 0; r < nrows; r++) {                                                 \
        const T* xp = rows[r] + off;                                              \
        const T* wp = wrows[r];                                                   \
        for (k = 0; k < K; k++) {                                                 \
            const T w = wp[k];                                                    \
            const T* p = xp + k;                                                  \
            a0 = a0 + w * *(const U*)(p);                                         \
            if (NV > 1) a1 = a1 + w * *(const U*)(p + LANES);                     \
        }                                                                         \
    }                                                                             \
    *(U*)(dst) = a0;                                                              \
    if (NV > 1) *(U*)(dst + LANES) = a1;                                          \
}

SIGCONV_TILE(sigconv_tile_f32, float, sigconv_f8, sigconv_f8u, 8)
SIGCONV_TILE(sigconv_tile_f64, double, sigconv_d4, sigconv_d4u, 4)
SIGCONV_HALF_TILE(sigconv_half_tile_f32, float, sigconv_f8, sigconv_f8u, 8)
SIGCONV_HALF_TILE(sigconv_half_tile_f64, double, sigconv_d4, sigconv_d4u, 4)
SIGCONV_SMALL_TILE(sigconv_tile16_f32, float, sigconv_f8, sigconv_f8u, 8, 2)
SIGCONV_SMALL_TILE(sigconv_tile8_f32, float, sigconv_f8, sigconv_f8u, 8, 1)
SIGCONV_SMALL_TILE(sigconv_tile8_f64, double, sigconv_d4, sigconv_d4u, 4, 2)
SIGCONV_SMALL_TILE(sigconv_tile4_f64, double, sigconv_d4, sigconv_d4u, 4, 1)

#else

#define SIGCONV_TILE(NAME, T, N)                                                  \
static void NAME(T* dst, const T** rows, const T** wrows, ptrdiff_t nrows,          \
                 ptrdiff_t K, ptrdiff_t off, T init, int accumulate) {             \
    T acc[N];                                                                     \
    ptrdiff_t r, k, t;                                                            \
    for (t = 0; t < N; t++) acc[t] = accumulate ? dst[t] : init;                  \
    for (r = 0; r < nrows; r++) {                                                 \
        const T* xp = rows[r] + off;                                              \
        const T* wp = wrows[r];                                                   \
        for (k = 0; k < K; k++) {                                                 \
            const T w = wp[k];                                                    \
            for (t = 0; t < N; t++) acc[t] = acc[t] + w * xp[t + k];              \
        }                                                                         \
    }                                                                             \
    for (t = 0; t < N; t++) dst[t] = acc[t];                                      \
}

SIGCONV_TILE(sigconv_tile_f32, float, 64)
SIGCONV_TILE(sigconv_tile_f64, double, 32)
SIGCONV_TILE(sigconv_half_tile_f32, float, 32)
SIGCONV_TILE(sigconv_half_tile_f64, double, 16)
SIGCONV_TILE(sigconv_tile16_f32, float, 16)
SIGCONV_TILE(sigconv_tile8_f32, float, 8)
SIGCONV_TILE(sigconv_tile8_f64, double, 8)
SIGCONV_TILE(sigconv_tile4_f64, double, 4)

#endif
#endif
