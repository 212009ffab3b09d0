/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

struct signal_entry
{
  const char *name;   /* canonical entries come before their aliases */
  int number;
};

static const struct signal_entry signal_table[] = {
  { "SIGHUP", SIGHUP },     { "SIGINT", SIGINT },       { "SIGQUIT", SIGQUIT },
  { "SIGILL", SIGILL },     { "SIGTRAP", SIGTRAP },     { "SIGABRT", SIGABRT },
  { "SIGBUS", SIGBUS },     { "SIGFPE", SIGFPE },       { "SIGKILL", SIGKILL },
  { "SIGUSR1", SIGUSR1 },   { "SIGSEGV", SIGSEGV },     { "SIGUSR2", SIGUSR2 },
  { "SIGPIPE", SIGPIPE },   { "SIGALRM", SIGALRM },     { "SIGTERM", SIGTERM },
  { "SIGSTKFLT", SIGSTKFLT }, { "SIGCHLD", SIGCHLD },   { "SIGCONT", SIGCONT },
  { "SIGSTOP", SIGSTOP },   { "SIGTSTP", SIGTSTP },     { "SIGTTIN", SIGTTIN },
  { "SIGTTOU", SIGTTOU },   { "SIGURG", SIGURG },       { "SIGXCPU", SIGXCPU },
  { "SIGXFSZ", SIGXFSZ },   { "SIGVTALRM", SIGVTALRM }, { "SIGPROF", SIGPROF },
  { "SIGWINCH", SIGWINCH }, { "SIGIO", SIGIO },         { "SIGPWR", SIGPWR },
  { "SIGSYS", SIGSYS },
  /* aliases */
  { "SIGIOT", SIGABRT },    { "SIGCLD", SIGCHLD },      { "SIGPOLL", SIGIO },
};

/* Names of the real-time signals as bash's `kill -l` prints them: the lower half counts up
 * from SIGRTMIN, the upper half down from SIGRTMAX.  */
static const char *const rtmin_names[] = {
  "SIGRTMIN", "SIGRTMIN+1", "SIGRTMIN+2", "SIGRTMIN+3", "SIGRTMIN+4", "SIGRTMIN+5",
  "SIGRTMIN+6", "SIGRTMIN+7", "SIGRTMIN+8", "SIGRTMIN+9", "SIGRTMIN+10", "SIGRTMIN+11",
  "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15",
};
static const char *const rtmax_names[] = {
  "SIGRTMAX", "SIGRTMAX-1", "SIGRTMAX-2", "SIGRTMAX-3", "SIGRTMAX-4", "SIGRTMAX-5",
  "SIGRTMAX-6", "SIGRTMAX-7", "SIGRTMAX-8", "SIGRTMAX-9", "SIGRTMAX-10", "SIGRTMAX-11",
  "SIGRTMAX-12", "SIGRTMAX-13", "SIGRTMAX-14",
};

const char *
silo_signal_name (int sig)
{
  for (size_t i = 0; i < SILO_ARRAY_SIZE (signal_table); i++)
    if (signal_table[i].number == sig)
      return signal_table[i].name;
  if (sig < SIGRTMIN || sig > SIGRTMAX)
    return NULL;
  if ((size_t) (sig - SIGRTMIN) < SILO_ARRAY_SIZE (rtmin_names))
    return rtmin_names[sig - SIGRTMIN];
  if ((size_t) (SIGRTMAX - sig) < SILO_ARRAY_SIZE (rtmax_names))
    return rtmax_names[SIGRTMAX - sig];
  return NULL;
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (the "SIG" prefix already gone).  */
static int
parse_realtime (const char *s)
{
  bool from_min = strncasecmp (s, "RTMIN", 5) == 0;
  long long offset = 0;

  if (!from_min && strncasecmp (s, "RTMAX", 5) != 0)
    return -1;
  s += 5;
  if (*s != '\0')
    {
      if (*s != (from_min ? '+' : '-') || s[1] < '0' || s[1] > '9'
          || parse_long (s + 1, &offset) < 0 || offset > SIGRTMAX - SIGRTMIN)
        return -1;
    }
  return from_min ? SIGRTMIN + (int) offset : SIGRTMAX - (int) offset;
}

int
silo_signal_parse (const char *s, struct silo_error **err)
{
  const char *bare = s;
  long long number;
  int rt;

  if (s == NULL || *s == '\0')
    return silo_fail (err, 0, "unknown signal ``: give a name (KILL, SIGTERM) or a number");
  if (*s >= '0' && *s <= '9')
    {
      if (parse_long (s, &number) < 0 || number < 1 || number > SIGRTMAX)
        return silo_fail (err, 0, "unknown signal `%s`: numbers go from 1 to %d", s, SIGRTMAX);
      return (int) number;
    }
  if (strncasecmp (bare, "SIG", 3) == 0)
    bare += 3;
  for (size_t i = 0; i < SILO_ARRAY_SIZE (signal_table); i++)
    if (strcasecmp (bare, signal_table[i].name + 3) == 0)
      return signal_table[i].number;
  rt = parse_realtime (bare);
  if (rt > 0)
    return rt;
  return silo_fail (err, 0, "unknown signal `%s`", s);
}
