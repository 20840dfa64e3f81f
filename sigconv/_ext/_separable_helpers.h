/* Helpers of sigconv._ext._separable: atomic operations on the 64-bit
 * counters shared by the threads that call the kernel side by side (its
 * task counter), and giving up the core while waiting for them. */
#ifndef SIGCONV_SEPARABLE_HELPERS_H
#define SIGCONV_SEPARABLE_HELPERS_H
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
