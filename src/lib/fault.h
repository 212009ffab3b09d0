/* silo: fault-injection points for the test suite.
 *
 * Built with --enable-fault-injection, SILO_FAULT_AT=<stage> makes the process that
 * reaches FAULT_POINT("<stage>") kill itself with SIGKILL there, so the tests can check
 * that a runtime dying at any step leaves state that `delete --force` cleans up.  With
 * SILO_FAULT_ACTION=stop it stops itself there instead (SIGSTOP), so that a test can
 * change the world under it (remove the rootfs) before it goes on.  In a normal build the
 * macro compiles to nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_FAULT_H
#define SILO_FAULT_H

#ifdef SILO_FAULT_INJECTION
# include <signal.h>
# include <stdlib.h>
# include <string.h>
# include <unistd.h>
# define FAULT_POINT(stage)                                            \
  do {                                                                 \
    const char *fault_at_ = getenv ("SILO_FAULT_AT");                  \
    const char *fault_action_ = getenv ("SILO_FAULT_ACTION");          \
    if (fault_at_ != NULL && strcmp (fault_at_, (stage)) == 0)         \
      {                                                                \
        if (fault_action_ != NULL && strcmp (fault_action_, "stop") == 0) \
          {                                                            \
            kill (getpid (), SIGSTOP);                                 \
            break;                                                     \
          }                                                            \
        kill (getpid (), SIGKILL);                                     \
        _exit (137); /* a pid namespace's init ignores its own SIGKILL */ \
      }                                                                \
  } while (0)
#else
# define FAULT_POINT(stage) do { } while (0)
#endif

#endif
