/* Signal names: parsing every spelling silo kill accepts, and the canonical names.  */
#include <signal.h>
#include <stdlib.h>

#include "signals.h"
#include "tap.h"

static int
parse (const char *s)
{
  struct silo_error *err = NULL;
  int r = silo_signal_parse (s, &err);

  silo_error_free (err);
  return r;
}

static void
check_rejected (const char *s, const char *want)
{
  struct silo_error *err = NULL;

  ok (silo_signal_parse (s, &err) < 0 && err != NULL, "`%s` is rejected", s);
  if (want != NULL)
    is_str (err != NULL ? err->msg : NULL, want, "message for `%s`", s);
  silo_error_free (err);
}

int
main (void)
{
  ok (parse ("KILL") == SIGKILL, "KILL");
  ok (parse ("SIGKILL") == SIGKILL, "SIGKILL");
  ok (parse ("kill") == SIGKILL, "kill, lower case");
  ok (parse ("SigTerm") == SIGTERM, "SigTerm, mixed case");
  ok (parse ("9") == 9, "9");
  ok (parse ("64") == 64, "64");
  ok (parse ("IOT") == SIGABRT && parse ("CLD") == SIGCHLD && parse ("POLL") == SIGIO,
      "aliases IOT, CLD, POLL");
  ok (parse ("RTMIN") == SIGRTMIN, "RTMIN");
  ok (parse ("RTMIN+3") == SIGRTMIN + 3, "RTMIN+3");
  ok (parse ("SIGRTMAX-2") == SIGRTMAX - 2, "SIGRTMAX-2");
  ok (parse ("sigrtmax") == SIGRTMAX, "sigrtmax");
  ok (parse ("RTMIN+0") == SIGRTMIN, "RTMIN+0");

  check_rejected ("FOO", "unknown signal `FOO`");
  check_rejected ("SIGFOO", "unknown signal `SIGFOO`");
  check_rejected ("SIG", "unknown signal `SIG`");
  check_rejected ("", NULL);
  check_rejected ("0", NULL);
  check_rejected ("65", NULL);
  check_rejected ("9x", NULL);
  check_rejected ("-9", NULL);
  check_rejected ("RTMIN-1", NULL);
  check_rejected ("RTMAX+1", NULL);
  check_rejected ("RTMIN+31", NULL);
  check_rejected ("RTMIN+", NULL);
  check_rejected ("RTMIN+-1", NULL);
  check_rejected ("KILLL", NULL);

  is_str (silo_signal_name (SIGKILL), "SIGKILL", "name of 9");
  is_str (silo_signal_name (SIGABRT), "SIGABRT", "canonical name before alias IOT");
  is_str (silo_signal_name (SIGCHLD), "SIGCHLD", "canonical name before alias CLD");
  is_str (silo_signal_name (SIGRTMIN), "SIGRTMIN", "name of SIGRTMIN");
  is_str (silo_signal_name (SIGRTMIN + 15), "SIGRTMIN+15", "name of SIGRTMIN+15");
  is_str (silo_signal_name (SIGRTMAX - 2), "SIGRTMAX-2", "name of SIGRTMAX-2");
  is_str (silo_signal_name (SIGRTMAX), "SIGRTMAX", "name of SIGRTMAX");
  ok (silo_signal_name (0) == NULL && silo_signal_name (32) == NULL
      && silo_signal_name (SIGRTMAX + 1) == NULL, "no name for 0, 32, SIGRTMAX+1");

  int round_trips = 0, named = 0;
  for (int sig = 1; sig <= SIGRTMAX; sig++)
    {
      const char *name = silo_signal_name (sig);
      if (name == NULL)
        continue;
      named++;
      round_trips += parse (name) == sig;
    }
  ok (named > 50 && round_trips == named, "every name parses back to its number (%d of %d)",
      round_trips, named);
  return tap_done ();
}
