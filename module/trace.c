// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints themselves: define_trace.h expands trace.h into their
 * definitions here, once for the module; ioctl.c fires them.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
