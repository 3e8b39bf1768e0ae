/*
 * Time for deadlines and timeouts: one monotonic clock in milliseconds, so
 * that every timeout in tinct and its tools counts the same way. Included
 * by folder ("common/time.h"): it must never shadow <time.h>.
 */
#ifndef TINCT_COMMON_TIME_H
#define TINCT_COMMON_TIME_H

#include <stdint.h>

/** CLOCK_MONOTONIC in milliseconds: unaffected by changes of the wall clock. */
int64_t now_ms(void);

#endif
