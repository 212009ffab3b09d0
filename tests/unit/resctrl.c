/* resctrl: linux.intelRdt's groups, schemata and tasks, in a fake resctrl tree (a plain
 * directory with the files the kernel would show), so that the layout silo writes is
 * checked on a host without RDT.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resctrl.h"
#include "tap.h"
#include "util.h"

static char root[] = "/tmp/silo-resctrl-test.XXXXXX";

/* root/relative in one of a few static buffers: no allocation to leak in a test.  */
static const char *
at (const char *relative)
{
  static char buffers[4][512];
  static int next;
  char *b = buffers[next++ % 4];

  snprintf (b, sizeof buffers[0], "%s/%s", root, relative);
  return b;
}

static char *
text_of (const char *relative)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, relative);
  char *text = NULL;

  if (read_file_at (AT_FDCWD, path, &text, NULL, NULL) < 0)
    return xstrdup ("(missing)");
  return text;
}

static void
touch (const char *relative, const char *content)
{
  _cleanup_free_ char *path = xasprintf ("%s/%s", root, relative);
  FILE *f = fopen (path, "we");

  if (f != NULL)
    {
      fputs (content, f);
      fclose (f);
    }
}

static void
checked (const char *relative, const char *want, const char *what)
{
  _cleanup_free_ char *got = text_of (relative);
  is_str (got, want, "%s", what);
}

int
main (void)
{
  struct silo_error *err = NULL;
  oci_intel_rdt own = { .l3_cache_schema = (char *) "L3:0=7f0;1=1f\nMB:0=99",
                        .mem_bw_schema = (char *) "MB:0=20;1=70" };
  char *extra[] = { (char *) "L2:0=f;1=f" };
  oci_intel_rdt shared = { .clos_id = (char *) "guaranteed", .enable_monitoring = true };
  int r;

  if (mkdtemp (root) == NULL)
    return 99;
  own.schemata = extra;
  own.n_schemata = 1;
  r = silo_resctrl_apply (root, "c1", &own, 4242, &err);
  ok (r == 0, "a group of the container's own (%s)", err ? err->msg : "ok");
  checked ("c1/schemata", "L3:0=7f0;1=1f\nMB:0=20;1=70\nL2:0=f;1=f\n",
           "schemata: l3CacheSchema without its MB line, memBwSchema, then schemata");
  checked ("c1/tasks", "4242", "the init's pid in tasks");
  silo_error_freep (&err);

  r = silo_resctrl_apply (root, "c2", &shared, 4343, &err);
  ok (r < 0 && err != NULL && strstr (err->msg, "no group `guaranteed`") != NULL,
      "a closID without schemata must exist already (%s)", err ? err->msg : "accepted");
  silo_error_freep (&err);
  mkdir (at ("guaranteed"), 0755);
  mkdir (at ("guaranteed/mon_groups"), 0755);
  r = silo_resctrl_apply (root, "c2", &shared, 4343, &err);
  ok (r < 0 && err != NULL && strstr (err->msg, "no monitoring") != NULL,
      "enableMonitoring needs the kernel's monitoring (%s)", err ? err->msg : "accepted");
  silo_error_freep (&err);
  mkdir (at ("info"), 0755);
  mkdir (at ("info/L3_MON"), 0755);
  r = silo_resctrl_apply (root, "c2", &shared, 4343, &err);
  ok (r == 0, "a prepared closID group with monitoring (%s)", err ? err->msg : "ok");
  checked ("guaranteed/tasks", "4343", "the pid in the shared group's tasks");
  checked ("guaranteed/mon_groups/c2/tasks", "4343", "... and in its monitoring group");
  silo_error_freep (&err);

  shared.mem_bw_schema = (char *) "MB:0=50";
  touch ("guaranteed/schemata", "    L3:0=fff\n    MB:0=10\n");
  r = silo_resctrl_apply (root, "c3", &shared, 4444, &err);
  ok (r < 0 && err != NULL && strstr (err->msg, "exists with other schemata") != NULL,
      "an existing closID group with other schemata is an error (%s)", err ? err->msg : "accepted");
  silo_error_freep (&err);
  touch ("guaranteed/schemata", "    L3:0=fff\nMB:0=50\n");
  r = silo_resctrl_apply (root, "c3", &shared, 4444, &err);
  ok (r == 0, "... and with the same ones it is used (%s)", err ? err->msg : "ok");
  silo_error_freep (&err);

  /* the kernel lets a group go with its files; a plain directory needs them gone */
  unlink (at ("c1/schemata"));
  unlink (at ("c1/tasks"));
  unlink (at ("guaranteed/mon_groups/c2/tasks"));
  ok (silo_resctrl_remove (root, "c1", &own, NULL) == 0 && access (at ("c1"), F_OK) < 0,
      "delete removes the container's own group");
  shared.mem_bw_schema = NULL;
  ok (silo_resctrl_remove (root, "c2", &shared, NULL) == 0
      && access (at ("guaranteed/mon_groups/c2"), F_OK) < 0
      && access (at ("guaranteed"), F_OK) == 0,
      "... and a shared group's monitoring entry, not the shared group");
  {
    char command[128];
    snprintf (command, sizeof command, "rm -rf '%s'", root);
    if (system (command) != 0)
      fprintf (stderr, "cannot remove %s\n", root);
  }
  return tap_done ();
}
