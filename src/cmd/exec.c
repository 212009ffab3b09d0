/* silo exec: run a new process in a container.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "cmd.h"
#include "util.h"

enum
{
  EXEC_CONSOLE_SOCKET, EXEC_CWD, EXEC_ENV, EXEC_TTY, EXEC_USER, EXEC_ADDITIONAL_GIDS,
  EXEC_PROCESS, EXEC_DETACH, EXEC_PID_FILE, EXEC_PROCESS_LABEL, EXEC_APPARMOR,
  EXEC_NO_NEW_PRIVS, EXEC_CAP, EXEC_PRESERVE_FDS, EXEC_CGROUP, EXEC_IGNORE_PAUSED,
};

static const struct silo_cmd_option exec_options[] = {
  { "console-socket", 0, "PATH", "unix socket that receives the terminal's pty master (with -d)" },
  { "cwd", 0, "DIR", "working directory of the process, in the container" },
  { "env", 'e', "KEY=VALUE", "set an environment variable (repeatable)" },
  { "tty", 't', NULL, "give the process a terminal" },
  { "user", 'u', "UID[:GID]", "run as this user (and group)" },
  { "additional-gids", 'g', "GID", "an additional group (repeatable)" },
  { "process", 'p', "FILE", "the process as a runtime-spec process object (the flags that "
    "describe the process are then ignored)" },
  { "detach", 'd', NULL, "return once the process has started" },
  { "pid-file", 0, "FILE", "write the process's pid to FILE" },
  { "process-label", 0, "LABEL", "SELinux label of the process" },
  { "apparmor", 0, "PROFILE", "AppArmor profile of the process" },
  { "no-new-privs", 0, NULL, "set no_new_privs for the process" },
  { "cap", 'c', "CAP", "add a capability (repeatable; CAP_SYS_ADMIN or SYS_ADMIN)" },
  { "preserve-fds", 0, "N", "also pass fds 3 to 3+N-1 to the process" },
  { "cgroup", 0, "[CONTROLLER:]PATH", "run in this cgroup below the container's" },
  { "ignore-paused", 0, NULL, "exec into a paused container (the process waits, frozen)" },
  { NULL },
};

struct exec_cli
{
  struct silo_exec_options opts;
  char **env, **gids, **caps;
};

static void
push (char ***list, const char *value)
{
  size_t n = strv_len (*list);

  *list = xrealloc (*list, (n + 2) * sizeof (char *));
  (*list)[n] = (char *) value;
  (*list)[n + 1] = NULL;
}

/* "SYS_ADMIN" is CAP_SYS_ADMIN, as runc reads it.  */
static const char *
capability_name (const char *value)
{
  return strncasecmp (value, "CAP_", 4) == 0 ? xstrdup (value) : xasprintf ("CAP_%s", value);
}

static int
exec_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct exec_cli *cli = data;
  struct silo_exec_options *o = &cli->opts;
  long long n;

  switch (option)
    {
    case EXEC_CONSOLE_SOCKET: o->console_socket = value; break;
    case EXEC_CWD:
      if (*value != '/')
        return silo_fail (err, 0, "--cwd: must be an absolute path in the container, got `%s`",
                          value);
      o->cwd = value;
      break;
    case EXEC_ENV: push (&cli->env, value); break;
    case EXEC_TTY: o->tty = 1; break;
    case EXEC_USER: o->user = value; break;
    case EXEC_ADDITIONAL_GIDS: push (&cli->gids, value); break;
    case EXEC_PROCESS: o->process_path = value; break;
    case EXEC_DETACH: o->detach = true; break;
    case EXEC_PID_FILE: o->pid_file = value; break;
    case EXEC_PROCESS_LABEL: o->process_label = value; break;
    case EXEC_APPARMOR: o->apparmor = value; break;
    case EXEC_NO_NEW_PRIVS: o->no_new_privs = true; break;
    case EXEC_CAP: push (&cli->caps, capability_name (value)); break;
    case EXEC_CGROUP: o->cgroup = value; break;
    case EXEC_IGNORE_PAUSED: o->ignore_paused = true; break;
    case EXEC_PRESERVE_FDS:
      if (parse_long (value, &n) < 0 || n < 0 || n > INT_MAX - 3)
        return silo_fail (err, 0, "--preserve-fds: `%s` is not a count of file descriptors", value);
      o->preserve_fds = (int) n;
      break;
    }
  return 0;
}

static int
run_exec (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct exec_cli cli = { .opts = { .tty = -1 } };
  char **args;
  int n_args, ret, exit_status = 0;

  ret = silo_cmd_begin (&silo_cmd_exec, argc, argv, exec_option, &cli, &args, &n_args, err);
  if (ret == 0 && cli.opts.process_path == NULL && n_args < 2)
    ret = silo_fail (err, 0, "exec: give a command to run after the container id, or --process FILE");
  if (ret == 0)
    {
      cli.opts.args = args + 1;
      cli.opts.env = cli.env;
      cli.opts.additional_gids = cli.gids;
      cli.opts.caps = cli.caps;
      ret = silo_container_exec (ctx, args[0], &cli.opts, &exit_status, err);
    }
  free (cli.env);
  free (cli.gids);
  silo_strv_free (cli.caps);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return exit_status;
}

const struct silo_cmd silo_cmd_exec = {
  "exec", "ID [COMMAND [ARG...]]", "run a new process in a container",
  exec_options, 1, -1, run_exec, true, 255,
};
