/* silo: an OCI container runtime.  The global options and the command table; each command
 * lives in src/cmd/<verb>.c.  Command lines follow runc's and crun's, so that containerd,
 * CRI-O, podman and docker can drive silo as they drive those.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "container.h"
#include "exe-seal.h"
#include "log.h"
#include "oci.h"
#include "util.h"

static const struct silo_cmd *const commands[] = {
  &silo_cmd_create, &silo_cmd_start, &silo_cmd_run, &silo_cmd_exec, &silo_cmd_state, &silo_cmd_kill,
  &silo_cmd_delete, &silo_cmd_list, &silo_cmd_pause, &silo_cmd_resume, &silo_cmd_update,
  &silo_cmd_events, &silo_cmd_ps, &silo_cmd_spec, &silo_cmd_features, &silo_cmd_stop, &silo_cmd_rm,
#ifdef SILO_HAVE_CRIU
  /* Absent without CRIU: podman takes `checkpoint --help` exiting 0 for support.  */
  &silo_cmd_checkpoint, &silo_cmd_restore,
#endif
};

enum { GLOBAL_ROOT, GLOBAL_LOG, GLOBAL_LOG_FORMAT, GLOBAL_DEBUG, GLOBAL_SYSTEMD_CGROUP,
       GLOBAL_CGROUP_MANAGER, GLOBAL_ROOTLESS, GLOBAL_VERSION };

static const struct silo_cmd_option global_options[] = {
  { "root", 0, "DIR", "directory for container state (default: " SILO_DEFAULT_ROOT
    ", or $XDG_RUNTIME_DIR/silo for a user other than root)" },
  { "log", 0, "FILE", "also write errors and warnings to FILE" },
  { "log-format", 0, "FORMAT", "format of the --log file: text (default) or json" },
  { "debug", 0, NULL, "log debug messages too" },
  { "systemd-cgroup", 0, NULL, "manage cgroups through systemd (--cgroup-manager systemd)" },
  { "cgroup-manager", 0, "MANAGER", "cgroupfs (default), systemd or disabled" },
  { "rootless", 0, "VALUE", "auto (default: rootless for any user but root), true or false" },
  { "version", 'v', NULL, "print the version and exit" },
  { NULL },
};

static const struct silo_cmd global = {
  "silo", "[GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGUMENTS]",
  "silo runs containers from OCI bundles (runtime-spec " OCI_SPEC_VERSION ").",
  global_options, 0, -1, NULL,
};

struct global_settings
{
  struct silo_context ctx;
  const char *log_path;
  enum silo_log_format log_format;
  const char *rootless;        /* --rootless: auto, true or false */
  bool version;
};

/* Index of value in the three allowed words, or -1.  */
static int
one_of (const char *option, const char *value, const char *const allowed[3],
        struct silo_error **err)
{
  for (int i = 0; i < 3; i++)
    if (strcmp (value, allowed[i]) == 0)
      return i;
  return silo_fail (err, 0, "--%s: unknown value `%s`; use %s, %s or %s", option, value,
                    allowed[0], allowed[1], allowed[2]);
}

static int
global_option (void *data, int option, const char *value, struct silo_error **err)
{
  static const char *const managers[3] = { "cgroupfs", "systemd", "disabled" };
  static const char *const rootless[3] = { "auto", "true", "false" };
  struct global_settings *g = data;
  int i;

  switch (option)
    {
    case GLOBAL_ROOT:
      if (*value == '\0')
        return silo_fail (err, 0, "--root: must name a directory, not be empty");
      g->ctx.root = value;
      return 0;
    case GLOBAL_LOG: g->log_path = value; return 0;
    case GLOBAL_DEBUG: g->ctx.debug = true; return 0;
    case GLOBAL_SYSTEMD_CGROUP: g->ctx.systemd_cgroup = true; return 0;
    case GLOBAL_VERSION: g->version = true; return 0;
    case GLOBAL_LOG_FORMAT:
      if (strcmp (value, "text") != 0 && strcmp (value, "json") != 0)
        return silo_fail (err, 0, "--log-format: unknown value `%s`; use text or json", value);
      g->log_format = strcmp (value, "json") == 0 ? SILO_LOG_JSON : SILO_LOG_TEXT;
      return 0;
    case GLOBAL_CGROUP_MANAGER:
      if ((i = one_of ("cgroup-manager", value, managers, err)) < 0)
        return -1;
      g->ctx.systemd_cgroup = i == 1;
      g->ctx.cgroups_disabled = i == 2;
      return 0;
    case GLOBAL_ROOTLESS:
      if ((i = one_of ("rootless", value, rootless, err)) < 0)
        return -1;
      g->rootless = rootless[i];
      return 0;
    }
  return 0;
}

static void
print_version (void)
{
  /* "spec: X" is the line tools parse (as they parse `runc --version`).  */
  printf ("silo version %s\ncommit: %s\nspec: %s\n+SECCOMP +CAP +YAJL%s%s%s\n",
          PACKAGE_VERSION, SILO_GIT_COMMIT, OCI_SPEC_VERSION,
#ifdef SILO_HAVE_CRIU
          " +CRIU",
#else
          "",
#endif
#ifdef SILO_FAULT_INJECTION
          " +FAULT-INJECTION",
#else
          "",
#endif
#ifdef SILO_SANITIZERS
          " +SANITIZERS"
#else
          ""
#endif
  );
}

static void
print_help (void)
{
  int width = 0;

  /* Names and summaries apart by two blanks at least: the shell completion reads them.  */
  for (size_t i = 0; i < SILO_ARRAY_SIZE (commands); i++)
    width = (int) strlen (commands[i]->name) > width ? (int) strlen (commands[i]->name) : width;
  silo_cmd_print_usage (&global, stdout);
  printf ("\nCommands:\n");
  for (size_t i = 0; i < SILO_ARRAY_SIZE (commands); i++)
    printf ("  %-*s  %s\n", width, commands[i]->name, commands[i]->summary);
  silo_cmd_print_options (&global, stdout);
  printf ("\nRun `silo COMMAND --help` for the options of a command.\n");
}

static const struct silo_cmd *
find_command (const char *name)
{
  for (size_t i = 0; i < SILO_ARRAY_SIZE (commands); i++)
    if (strcmp (commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

/* Returns the exit status, or -1 with *err set.  */
static int
silo_main (int argc, char **argv, char **original_argv, int *error_status, struct silo_error **err)
{
  struct global_settings g = { .rootless = "auto" };
  _cleanup_free_ char *user_root = NULL;
  const struct silo_cmd *cmd;
  char **args;
  int n_args, ret;

  ret = silo_cmd_parse (&global, argc, argv, global_option, &g, &args, &n_args, err);
  if (ret != 0)
    {
      if (ret == 1)
        print_help ();
      return ret < 0 ? -1 : 0;
    }
  if (g.version)
    {
      print_version ();
      return 0;
    }
  if (silo_log_init (g.log_path, g.log_format, g.ctx.debug, err) < 0)
    return -1;
  if (g.ctx.root == NULL)
    g.ctx.root = user_root = silo_default_root ();
  g.ctx.rootless = strcmp (g.rootless, "auto") == 0 ? geteuid () != 0 : strcmp (g.rootless, "true") == 0;
  if (n_args == 0)
    return silo_fail (err, 0, "no command given (see `silo --help`)");
  cmd = find_command (args[0]);
  if (cmd == NULL)
    return silo_fail (err, 0, "unknown command `%s` (see `silo --help`)", args[0]);
  if (cmd->error_status != 0)
    *error_status = cmd->error_status;
  /* Before anything of a container exists: see exe-seal.h (CVE-2019-5736).  */
  if (cmd->seals_exe && silo_exe_seal (original_argv, err) < 0)
    return -1;
  return cmd->run (&g.ctx, n_args, args, err);
}

int
main (int argc, char **argv)
{
  _cleanup_error_ struct silo_error *err = NULL;
  /* getopt may reorder argv; a re-execution (exe-seal.h) needs it as it came.  */
  _cleanup_free_ char **original_argv = xmalloc0 ((size_t) (argc + 1) * sizeof (char *));
  int status, error_status = EXIT_FAILURE;

  memcpy (original_argv, argv, (size_t) argc * sizeof (char *));
  silo_nofile_raise ();
  status = silo_main (argc, argv, original_argv, &error_status, &err);

  /* Output that did not reach stdout (a closed pipe, a full disk) is a failure too.  */
  if (fflush (stdout) != 0 && status >= 0)
    status = silo_fail (&err, errno, "write to standard output");
  if (status < 0)
    {
      silo_log_error ("%s", err != NULL ? err->msg : "unknown error");
      return error_status;
    }
  return status;
}
