/* Unit tests for the CLI's pure parts: option parsing against a command table, the `list`
 * table layout (runc's), Go-style timestamps, and the default `silo spec` config.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/cmd/cmd.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

enum { OPT_BUNDLE, OPT_DETACH, OPT_ALL, OPT_COUNT };

static const struct silo_cmd_option test_options[] = {
  { "bundle", 'b', "DIR", "bundle" },
  { "detach", 'd', NULL, "detach" },
  { "all", 0, NULL, "all" },
  { NULL },
};

static const struct silo_cmd test_cmd = { "create", "ID", "test", test_options, 1, 1, NULL };

struct seen
{
  const char *bundle;
  int detach, all;
};

static int
record (void *data, int option, const char *value, struct silo_error **err)
{
  struct seen *s = data;
  if (option == OPT_BUNDLE)
    s->bundle = value;
  else if (option == OPT_DETACH)
    s->detach++;
  else if (option == OPT_ALL)
    s->all++;
  return 0;
}

/* Parse a NULL-terminated argv; returns the parse result, *msg gets the error text.  */
static int
parse (struct seen *s, char **msg, char **first_arg, const char **argv)
{
  _cleanup_error_ struct silo_error *err = NULL;
  char **args = NULL;
  int argc = 0, n_args = 0, ret;

  while (argv[argc] != NULL)
    argc++;
  memset (s, 0, sizeof (*s));
  ret = silo_cmd_parse (&test_cmd, argc, (char **) argv, record, s, &args, &n_args, &err);
  *msg = err != NULL ? xstrdup (err->msg) : NULL;
  *first_arg = ret == 0 && n_args > 0 ? args[0] : NULL;
  return ret;
}

static void
test_parse (void)
{
  struct seen s;
  char *msg, *arg;

  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--bundle", "/b", "id", NULL }) == 0
      && strcmp (s.bundle, "/b") == 0 && strcmp (arg, "id") == 0, "--opt value");
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--bundle=/c", "id", NULL }) == 0
      && strcmp (s.bundle, "/c") == 0, "--opt=value");
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "-db", "/d", "id", NULL }) == 0
      && s.detach == 1 && strcmp (s.bundle, "/d") == 0, "short cluster with value");
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--all", "id", NULL }) == 0 && s.all == 1,
      "long-only flag");
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "id", "--detach", NULL }) < 0
      && s.detach == 0, "stops at the first positional argument");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--", "-id", NULL }) == 0
      && strcmp (arg, "-id") == 0, "-- ends the options");
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--help", NULL }) == 1, "--help");
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "-h", "x", "y", NULL }) == 1,
      "-h wins over an argument count error");

  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--foo=1", "id", NULL }) < 0, "unknown");
  is_str (msg, "unknown option `--foo` for `create` (see `silo create --help`)", "its message");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "-x", "id", NULL }) < 0, "unknown short");
  is_str (msg, "unknown option `-x` for `create` (see `silo create --help`)", "its message");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--bun", "/b", "id", NULL }) < 0,
      "no prefix abbreviations");
  is_str (msg, "unknown option `--bun` for `create` (did you mean `--bundle`?)", "its message");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "id", "--bundle", NULL }) < 0
      && s.bundle == NULL, "an option after the id is an argument");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--bundle", NULL }) < 0, "missing value");
  is_str (msg, "option `--bundle` of `create` needs a value", "its message");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "-b", NULL }) < 0, "missing short value");
  is_str (msg, "option `-b` of `create` needs a value", "its message");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", "--detach=yes", "id", NULL }) < 0,
      "value on a flag");
  is_str (msg, "option `--detach` of `create` takes no value", "its message");
  free (msg);
  ok (parse (&s, &msg, &arg, (const char *[]) { "create", NULL }) < 0, "missing id");
  is_str (msg, "`create` needs exactly 1 argument: ID (got 0)", "its message");
  free (msg);
}

static void
test_help (void)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);

  silo_cmd_print_usage (&test_cmd, f);
  silo_cmd_print_options (&test_cmd, f);
  fclose (f);
  is_str (text,
          "Usage: silo create [OPTIONS] ID\n\ntest\n\nOptions:\n"
          "  -b, --bundle DIR  bundle\n"
          "  -d, --detach      detach\n"
          "      --all         all\n"
          "  -h, --help        show this help\n",
          "--help lists every option, aligned");
  free (text);
}

static void
test_table (void)
{
  const char *cells[] = { "ID", "PID", "LAST", "a-long-container-id", "42", "x", "ü", NULL, "y" };
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);

  silo_cmd_print_table (f, cells, 3, 3);
  fclose (f);
  /* Widths as Go's tabwriter(12, 1, 3, ' ', 0): max(12, 19 + 3) = 22, then 12.  */
  is_str (text,
          "ID                    PID         LAST\n"
          "a-long-container-id   42          x\n"
          "ü                                 y\n",
          "table as runc list lays it out");
  free (text);
}

static void
test_rfc3339 (void)
{
  static const char *const cases[][2] = {
    { "2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.123456789Z" },
    { "2024-01-02T03:04:05.120000000Z", "2024-01-02T03:04:05.12Z" },
    { "2024-01-02T03:04:05.000000000Z", "2024-01-02T03:04:05Z" },
    { "2024-01-02T03:04:05.100+02:00", "2024-01-02T03:04:05.1+02:00" },
    { "2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z" },
  };
  for (size_t i = 0; i < SILO_ARRAY_SIZE (cases); i++)
    {
      _cleanup_free_ char *got = silo_cmd_rfc3339_nano (cases[i][0]);
      is_str (got, cases[i][1], "RFC3339Nano of %s", cases[i][0]);
    }
  ok (silo_cmd_rfc3339_nano (NULL) == NULL, "NULL stays NULL");
}

/* rfc3339_format computes the civil date itself (gmtime_r would load the time zone):
 * it must agree with gmtime_r on every day of 1900-2400 and around the era edges.  */
static void
test_rfc3339_format (void)
{
  static const long long edges[] = { 0, -1, 86399, 86400, 951782400 /* 2000-02-29 */,
                                     951868800, 4107542399LL /* 2100-02-28T23:59:59 */,
                                     -2208988800LL /* 1900-01-01 */ };
  bool all_agree = true;
  long long first_bad = 0;

  for (long long t = -2208988800LL; t < 13569465600LL && all_agree; t += 86400 - 7)
    {
      struct timespec ts = { .tv_sec = (time_t) t, .tv_nsec = 5 };
      struct tm tm;
      time_t tt = (time_t) t;
      char want[80];
      _cleanup_free_ char *got = rfc3339_format (&ts);

      gmtime_r (&tt, &tm);
      snprintf (want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.000000005Z", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      if (strcmp (got, want) != 0)
        {
          all_agree = false;
          first_bad = t;
        }
    }
  ok (all_agree, "rfc3339_format agrees with gmtime_r from 1900 to 2400 (first difference at %lld)",
      first_bad);
  for (size_t i = 0; i < SILO_ARRAY_SIZE (edges); i++)
    {
      struct timespec ts = { .tv_sec = (time_t) edges[i], .tv_nsec = 123456789 };
      struct tm tm;
      time_t tt = (time_t) edges[i];
      char want[80];
      _cleanup_free_ char *got = rfc3339_format (&ts);

      gmtime_r (&tt, &tm);
      snprintf (want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.123456789Z", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      is_str (got, want, "rfc3339_format of %lld", edges[i]);
    }
}

/* The man page repeats --help word for word: every command's summary and every flag as
 * "**-b**, **--bundle** _DIR_" followed by ":   <help text>"; a command that fails with a
 * status of its own (exec: 255) has it under EXIT STATUS.  */
static void
test_man_page (void)
{
  static const struct silo_cmd *const commands[] = {
    &silo_cmd_create, &silo_cmd_start, &silo_cmd_run, &silo_cmd_exec, &silo_cmd_state,
    &silo_cmd_kill, &silo_cmd_delete, &silo_cmd_list, &silo_cmd_pause, &silo_cmd_resume,
    &silo_cmd_update, &silo_cmd_events, &silo_cmd_ps, &silo_cmd_spec, &silo_cmd_features,
    &silo_cmd_stop, &silo_cmd_rm,
#ifdef SILO_HAVE_CRIU
    &silo_cmd_checkpoint, &silo_cmd_restore,
#endif
  };
  _cleanup_error_ struct silo_error *err = NULL;
  const char *srcdir = getenv ("srcdir");   /* set by automake's test harness */
  _cleanup_free_ char *path = xasprintf ("%s/docs/silo.1.md", srcdir ? srcdir : ".");
  _cleanup_free_ char *man = NULL;

  if (read_file_at (AT_FDCWD, path, &man, NULL, &err) < 0)
    {
      ok (false, "read %s: %s", path, err->msg);
      return;
    }
  for (size_t i = 0; i < SILO_ARRAY_SIZE (commands); i++)
    {
      const struct silo_cmd *c = commands[i];
      _cleanup_free_ char *summary = xasprintf ("\n%s\n", c->summary);
      ok (strstr (man, summary) != NULL, "man page: summary of %s", c->name);
      if (c->error_status != 0)
        {
          /* EXIT STATUS lists a command's own error status as a term: "**255**".  */
          _cleanup_free_ char *status = xasprintf ("\n**%d**\n:   ", c->error_status);
          ok (strstr (man, status) != NULL, "man page: exit status %d of %s", c->error_status,
              c->name);
        }
      for (const struct silo_cmd_option *o = c->options; o->name != NULL; o++)
        {
          _cleanup_free_ char *entry = NULL;
          char letter[16] = "";
          if (o->short_name)
            snprintf (letter, sizeof (letter), "**-%c**, ", o->short_name);
          entry = xasprintf ("\n%s**--%s**%s%s%s\n:   %s\n", letter, o->name,
                             o->value_name ? " _" : "", o->value_name ? o->value_name : "",
                             o->value_name ? "_" : "", o->help);
          ok (strstr (man, entry) != NULL, "man page: %s --%s", c->name, o->name);
        }
    }
}

#ifdef SILO_HAVE_CRIU
/* The values of checkpoint's and restore's CRIU flags.  */
static void
test_criu_values (void)
{
  static const char *const pages[][2] = {
    { "10.0.0.1:27", "ok" }, { "[::1]:27", "ok" }, { "host:65535", "ok" },
    { "10.0.0.1", NULL }, { ":27", NULL }, { "host:0", NULL }, { "host:65536", NULL },
    { "host:x", NULL }, { "host:", NULL },
  };
  enum silo_criu_cgroup_mode mode = SILO_CRIU_CGROUP_DEFAULT;
  struct silo_error *err = NULL;
  bool network = false;

  ok (silo_cmd_parse_criu_cgroup_mode ("strict", &mode, NULL) == 0
      && mode == SILO_CRIU_CGROUP_STRICT, "--manage-cgroups-mode strict");
  ok (silo_cmd_parse_criu_cgroup_mode ("ignore", &mode, NULL) == 0
      && mode == SILO_CRIU_CGROUP_IGNORE, "--manage-cgroups-mode ignore");
  ok (silo_cmd_parse_criu_cgroup_mode ("props", &mode, &err) < 0
      && strstr (err->msg, "soft, full, strict or ignore") != NULL, "--manage-cgroups-mode props refused");
  silo_error_freep (&err);
  ok (silo_cmd_parse_empty_ns ("network", &network, NULL) == 0 && network, "--empty-ns network");
  ok (silo_cmd_parse_empty_ns ("ipc", &network, &err) < 0
      && strstr (err->msg, "--empty-ns ipc: not supported") != NULL, "--empty-ns ipc refused by name");
  silo_error_freep (&err);
  ok (silo_cmd_parse_empty_ns ("net", &network, &err) < 0, "--empty-ns net is not a namespace name");
  silo_error_freep (&err);
  for (size_t i = 0; i < SILO_ARRAY_SIZE (pages); i++)
    {
      int ret = silo_cmd_check_page_server (pages[i][0], &err);
      ok ((ret == 0) == (pages[i][1] != NULL), "--page-server %s %s", pages[i][0],
          pages[i][1] != NULL ? "accepted" : "refused");
      silo_error_freep (&err);
    }
}
#endif

static void
test_spec (bool rootless)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_free_ char *json = NULL;
  _cleanup_oci_config_ oci_config *c = NULL;
  bool has_network = false, has_user = false;

  ok (silo_spec_generate (rootless, &json, &err) == 0, "spec generates (rootless %d)", rootless);
  ok (oci_config_parse (json, strlen (json), &c, &err) == 0, "and parses: %s",
      err ? err->msg : "ok");
  if (c == NULL)
    return;
  is_str (c->oci_version, OCI_SPEC_VERSION, "ociVersion");
  ok (c->process != NULL && c->process->terminal && c->process->n_args == 1
      && c->process->no_new_privileges, "process");
  is_str (c->hostname, "silo", "hostname");
  ok (c->root != NULL && c->root->readonly, "root readonly");
  ok (c->n_mounts == 7, "seven mounts");
  for (size_t i = 0; c->linux_ != NULL && i < c->linux_->n_namespaces; i++)
    {
      has_network |= c->linux_->namespaces[i].type == OCI_NS_NETWORK;
      has_user |= c->linux_->namespaces[i].type == OCI_NS_USER;
    }
  ok (has_network != rootless && has_user == rootless, "namespaces");
  ok ((c->linux_->n_uid_mappings == 1) == rootless, "uid mappings");
  ok ((c->linux_->resources != NULL) != rootless, "device rules");
}

/* read_fd_sized: one read when the size is right; a file that grew or shrank since its
 * fstat is read again in full.  */
static void
test_read_fd_sized (void)
{
  char path[] = "/tmp/silo-unit-read-XXXXXX";
  int fd = mkstemp (path);
  char *text = NULL;
  size_t len = 0;

  ok (fd >= 0 && write (fd, "hello world", 11) == 11 && lseek (fd, 0, SEEK_SET) == 0, "a file of 11 bytes");
  ok (read_fd_sized (fd, 11, &text, &len, NULL) == 0 && len == 11 && strcmp (text, "hello world") == 0,
      "read in one go at its size");
  free (text);
  text = NULL;
  lseek (fd, 0, SEEK_SET);
  ok (read_fd_sized (fd, 5, &text, &len, NULL) == 0 && len == 11 && strcmp (text, "hello world") == 0,
      "a file larger than its stat said is read whole");
  free (text);
  text = NULL;
  lseek (fd, 0, SEEK_SET);
  ok (read_fd_sized (fd, 40, &text, &len, NULL) == 0 && len == 11 && strcmp (text, "hello world") == 0,
      "a file smaller than its stat said ends where it ends");
  free (text);
  close (fd);
  unlink (path);
}

int
main (void)
{
  test_read_fd_sized ();
  test_parse ();
  test_help ();
  test_table ();
  test_rfc3339 ();
  test_rfc3339_format ();
  test_man_page ();
#ifdef SILO_HAVE_CRIU
  test_criu_values ();
#endif
  test_spec (false);
  test_spec (true);
  return tap_done ();
}
