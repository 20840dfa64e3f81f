/* Atomic operations on 64-bit counters shared by threads that call a
 * kernel side by side (sigconv._ext._separable's shared task counter). */
#ifndef SIGCONV_ATOMIC_H
#define SIGCONV_ATOMIC_H
#include <stdint.h>
#if defined(_MSC_VER)
#include <intrin.h>
#include <windows.h>
static int64_t sigconv_fetch_add(int64_t* p, int64_t v) {
    return _InterlockedExchangeAdd64((volatile long long*)p, v);
}
static int64_t sigconv_fetch_or(int64_t* p, int64_t v) {
    return _InterlockedOr64((volatile long long*)p, v);
}
static int64_t sigconv_load(int64_t* p) {
    return _InterlockedOr64((volatile long long*)p, 0);
}
static void sigconv_yield(void) { SwitchToThread(); }
#else
#include <sched.h>
static int64_t sigconv_fetch_add(int64_t* p, int64_t v) {
    return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}
static int64_t sigconv_fetch_or(int64_t* p, int64_t v) {
    return __atomic_fetch_or(p, v, __ATOMIC_ACQ_REL);
}
static int64_t sigconv_load(int64_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void sigconv_yield(void) { sched_yield(); }
#endif
#endif
