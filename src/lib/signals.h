/* silo: signal names, as `silo kill` and the hooks' error messages spell them.
 *
 * silo_signal_parse: a name with or without "SIG", in any case ("KILL", "SIGKILL",
 *   "kill"), an alias ("IOT", "CLD", "POLL"), a real-time signal relative to RTMIN or
 *   RTMAX ("RTMIN", "RTMIN+3", "SIGRTMAX-2") or a decimal number from 1 to SIGRTMAX.
 *   Returns the signal number; anything else fails with "unknown signal `X`".
 * silo_signal_name: the canonical name ("SIGKILL", "SIGRTMIN+3"), NULL for a number
 *   that has none (0, 32 and 33 that glibc keeps for itself, out of range).
 *
 * Real-time numbers follow glibc (SIGRTMIN 34, SIGRTMAX 64), as docker and runc do.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SIGNALS_H
#define SILO_SIGNALS_H

#include "error.h"

int silo_signal_parse (const char *s, struct silo_error **err);
const char *silo_signal_name (int sig);

#endif
