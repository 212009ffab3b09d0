/* libFuzzer target: the command line, parsed and never run.
 *
 * The input is argv without the program name, one NUL-terminated element each
 * ("--root\0/r\0kill\0id\0KILL\0").  It goes through what silo's main does before a command
 * runs: the global options (silo.c's own table and handler, included below), the
 * command's name, then the command's options and arguments (its table, cmd.h), with
 * the value parsers the front-ends call: create's and run's flags, the quick-run flags of
 * run and spec (sizes, CPUs, counts, -e and -v lists), the CRIU flags,
 * events --interval, checkpoint --page-server, kill's signal, all of update's flags
 * and its -r document.  No command's run function is ever called.
 *
 * Oracles, from cmd.h: an option handler gets the index of an option of the table and a
 * value exactly when the option takes one; a parse that succeeds leaves between
 * min_args and max_args positional arguments.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "fuzz.h"

#include <fcntl.h>
#include <unistd.h>

/* silo.c's main is renamed away: only its tables and global_option are used.  */
#define main silo_cli_main
#include "../../src/silo.c"
#undef main

#include "signals.h"

#define MAX_ARGS 64

/* `update -r FILE` reads FILE.  Linked with -Wl,--wrap=read_file_at, the "file" is its
 * name: the fuzzer writes the linux.resources document into the command line, and
 * nothing is read from the host.  (-r - reads standard input: /dev/null, see below.)  */
int __wrap_read_file_at (int dirfd, const char *path, char **out, size_t *len,
                         struct silo_error **err);

int
__wrap_read_file_at (int dirfd, const char *path, char **out, size_t *len, struct silo_error **err)
{
  *out = xstrdup (path);
  if (len != NULL)
    *len = strlen (path);
  return 0;
}

int LLVMFuzzerInitialize (int *argc, char ***argv);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  int null = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  if (null < 0 || dup2 (null, STDIN_FILENO) < 0)
    fuzz_fail ("cli: /dev/null as standard input");
  close (null);
  return 0;
}

/* What a command's option handler is given.  */
struct parsed
{
  const struct silo_cmd *cmd;
  struct silo_create_options create;
  struct silo_criu_options criu;
  struct silo_quickrun_options quick;
  unsigned interval_ms;
};

/* Where a command's quick-run flags start (SILO_CMD_QUICK_OPTIONS, from --rootfs), or -1.  */
static int
quick_base (const struct silo_cmd *cmd)
{
  for (int i = 0; cmd->options != NULL && cmd->options[i].name != NULL; i++)
    if (strcmp (cmd->options[i].name, "rootfs") == 0)
      return i;
  return -1;
}

static size_t
count_options (const struct silo_cmd *cmd)
{
  size_t n = 0;

  while (cmd->options != NULL && cmd->options[n].name != NULL)
    n++;
  return n;
}

static void
check_handler_call (const struct silo_cmd *cmd, int option, const char *value)
{
  if (option < 0 || (size_t) option >= count_options (cmd))
    fuzz_fail ("cli: `%s` handler called with option %d", cmd->name, option);
  if ((value == NULL) != (cmd->options[option].value_name == NULL))
    fuzz_fail ("cli: `%s --%s` handler called %s a value", cmd->name,
               cmd->options[option].name, value == NULL ? "without" : "with");
}

/* The option handlers of the front-ends that are not static, or what they call.  */
static int
command_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct parsed *p = data;
  const char *name;

  check_handler_call (p->cmd, option, value);
  name = p->cmd->options[option].name;
  int base = quick_base (p->cmd);
  if (base >= 0 && option >= base && option < base + SILO_QUICK_OPTION__COUNT)
    return silo_cmd_quick_option (&p->quick, option - base, value, err);
  if (p->cmd == &silo_cmd_create || p->cmd == &silo_cmd_run)
    return silo_cmd_create_option (&p->create, option, value, err);
#ifdef SILO_HAVE_CRIU
  if ((p->cmd == &silo_cmd_checkpoint || p->cmd == &silo_cmd_restore)
      && option < SILO_CRIU_OPTION__COUNT)
    return silo_cmd_criu_option (&p->criu, option, value, err);
#endif
  if (strcmp (name, "interval") == 0)
    return silo_cmd_parse_duration_ms (name, value, &p->interval_ms, err);
  if (strcmp (name, "page-server") == 0)
    return silo_cmd_check_page_server (value, err);
  return 0;
}

static void
parse_update (int argc, char **argv)
{
  _cleanup_error_ struct silo_error *err = NULL;
  oci_resources *resources = NULL;
  char *id = NULL;

  if (silo_cmd_update_parse (argc, argv, &resources, &id, &err) == 0 && id == NULL)
    fuzz_fail ("cli: update parsed without an id");
  oci_resources_free (resources);
}

static void
parse_command (const struct silo_cmd *cmd, int argc, char **argv)
{
  _cleanup_error_ struct silo_error *err = NULL;
  struct parsed p = { .cmd = cmd };
  char **args = NULL;
  int n_args = 0;

  if (cmd == &silo_cmd_update)
    {
      parse_update (argc, argv);
      return;
    }
  int ret = silo_cmd_parse (cmd, argc, argv, command_option, &p, &args, &n_args, &err);

  silo_cmd_quick_release (&p.quick);
  if (ret != 0)
    return;
  if (n_args < cmd->min_args || (cmd->max_args >= 0 && n_args > cmd->max_args))
    fuzz_fail ("cli: `%s` accepted %d arguments", cmd->name, n_args);
  if (cmd == &silo_cmd_kill && n_args == 2 && strcmp (args[1], "0") != 0)
    (void) silo_signal_parse (args[1], &err);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_error_ struct silo_error *err = NULL;
  struct global_settings g = { .rootless = "auto" };
  const struct silo_cmd *cmd;
  struct fuzz_list list;
  char **argv, **args = NULL;
  int n_args = 0;

  fuzz_list_split (data, size, MAX_ARGS, &list);
  /* argv[0], then the input's elements, then NULL.  */
  argv = xmalloc0 ((list.n + 2) * sizeof (char *));
  argv[0] = (char *) "silo";
  memcpy (argv + 1, list.items, list.n * sizeof (char *));
  if (silo_cmd_parse (&global, (int) list.n + 1, argv, global_option, &g, &args, &n_args, &err) == 0
      && n_args > 0 && (cmd = find_command (args[0])) != NULL)
    parse_command (cmd, n_args, args);
  free (argv);
  fuzz_list_free (&list);
  return 0;
}
