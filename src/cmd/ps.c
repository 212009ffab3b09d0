/* silo ps: without an id, the containers as Docker lists them (-a, -q, --format json);
 * with one, runc's meaning: the processes of a container.  json: a bare array of pids (containerd's shim
 * parses it); table: the host's ps(1) run with the given arguments (default -ef), its
 * header and only the lines of the container's processes, found by the PID column.
 *
 * Running ps is the one thing here beyond a library call: it is presentation, and the
 * pid list comes from the library (the container's cgroup).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "oci.h"
#include "util.h"

extern char **environ;

enum { PS_OPTION_FORMAT, PS_OPTION_ALL, PS_OPTION_QUIET };

static const struct silo_cmd_option ps_options[] = {
  { "format", 'f', "FORMAT", "table (default) or json" },
  { "all", 'a', NULL, "without ID: stopped containers too" },
  { "quiet", 'q', NULL, "without ID: print the names only" },
  { NULL },
};

struct ps_options
{
  bool json, all, quiet;
  const char *list_flag;       /* -a or -q, given */
};

static int
ps_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct ps_options *opts = data;

  if (option == PS_OPTION_ALL || option == PS_OPTION_QUIET)
    {
      *(option == PS_OPTION_ALL ? &opts->all : &opts->quiet) = true;
      opts->list_flag = ps_options[option].name;
      return 0;
    }
  if (strcmp (value, "table") != 0 && strcmp (value, "json") != 0)
    return silo_fail (err, 0, "--format: unknown value `%s`; use table or json", value);
  opts->json = strcmp (value, "json") == 0;
  return 0;
}

/* ---- the container list --------------------------------------------------------------- */

static bool
shown (const struct silo_container_info *c, const struct ps_options *opts)
{
  return opts->all || strcmp (c->status, "stopped") != 0;
}

static void
print_list_table (const struct silo_container_info *list, size_t n, const struct ps_options *opts)
{
  static const char *const header[] = { "NAME", "STATUS", "PID", "CREATED", "COMMAND" };
  const size_t columns = SILO_ARRAY_SIZE (header);
  _cleanup_free_ const char **cells = xmalloc0 ((n + 1) * columns * sizeof (*cells));
  _cleanup_strv_ char **owned = xmalloc0 ((2 * n + 1) * sizeof (*owned));
  size_t rows = 1;

  memcpy (cells, header, sizeof (header));
  for (size_t i = 0; i < n; i++)
    {
      const char **row = cells + rows * columns;
      if (!shown (&list[i], opts))
        continue;
      owned[2 * i] = list[i].pid > 0 ? xasprintf ("%d", list[i].pid) : xstrdup ("-");
      owned[2 * i + 1] = silo_cmd_rfc3339_nano (list[i].created);
      row[0] = list[i].id;
      row[1] = list[i].status;
      row[2] = owned[2 * i];
      row[3] = owned[2 * i + 1];
      row[4] = list[i].command;
      rows++;
    }
  silo_cmd_print_table (stdout, cells, rows, columns);
}

/* One line: an array (empty when nothing is shown) of objects.  */
static void
print_list_json (const struct silo_container_info *list, size_t n, const struct ps_options *opts)
{
  oci_json_writer *w = oci_json_writer_new (false);
  _cleanup_free_ char *json = NULL;

  oci_json_begin_array (w);
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *created = silo_cmd_rfc3339_nano (list[i].created);
      if (!shown (&list[i], opts))
        continue;
      oci_json_begin_object (w);
      oci_json_key (w, "name");
      oci_json_string (w, list[i].id);
      oci_json_key (w, "status");
      oci_json_string (w, list[i].status);
      oci_json_key (w, "pid");
      oci_json_int (w, list[i].pid);
      oci_json_key (w, "created");
      oci_json_string (w, created);
      oci_json_key (w, "command");
      oci_json_string (w, list[i].command);
      oci_json_key (w, "bundle");
      oci_json_string (w, list[i].bundle);
      oci_json_end_object (w);
    }
  oci_json_end_array (w);
  json = oci_json_writer_finish (w, NULL);
  printf ("%s\n", json);
}

static int
print_containers (const struct silo_context *ctx, const struct ps_options *opts, struct silo_error **err)
{
  struct silo_container_info *list = NULL;
  size_t n = 0;

  if (silo_container_list (ctx, &list, &n, err) < 0)
    return -1;
  if (opts->quiet)
    {
      for (size_t i = 0; i < n; i++)
        if (shown (&list[i], opts))
          printf ("%s\n", list[i].id);
    }
  else if (opts->json)
    print_list_json (list, n, opts);
  else
    print_list_table (list, n, opts);
  silo_container_info_free (list, n);
  return 0;
}

/* ---- filtering ps's output -------------------------------------------------------------- */

#define BLANKS " \t\r\v\f"

/* The whitespace-separated fields of one line, as strings.fields splits them for runc.
 * Returns the number of fields; fields[i] point into *copy (caller frees it).  */
static size_t
split_fields (const char *line, size_t len, char **copy, char ***fields)
{
  char *save = NULL, *field;
  size_t n = 0;

  *copy = xasprintf ("%.*s", (int) len, line);
  *fields = NULL;
  for (field = strtok_r (*copy, BLANKS, &save); field != NULL; field = strtok_r (NULL, BLANKS, &save))
    {
      *fields = xrealloc (*fields, (n + 1) * sizeof (**fields));
      (*fields)[n++] = field;
    }
  return n;
}

static int
pid_column (const char *header, size_t len)
{
  _cleanup_free_ char *copy = NULL;
  _cleanup_free_ char **fields = NULL;
  size_t n = split_fields (header, len, &copy, &fields);

  for (size_t i = 0; i < n; i++)
    if (strcmp (fields[i], "PID") == 0)
      return (int) i;
  return -1;
}

/* The pid in column `index` of a line, or -1.  */
static int
line_pid (const char *line, size_t len, int index)
{
  _cleanup_free_ char *copy = NULL;
  _cleanup_free_ char **fields = NULL;
  size_t n = split_fields (line, len, &copy, &fields);
  long long pid;

  if ((size_t) index >= n || parse_long (fields[index], &pid) < 0 || pid < 0 || pid > INT32_MAX)
    return -1;
  return (int) pid;
}

static bool
contains (const int *pids, size_t n, int pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

int
silo_cmd_ps_filter (const char *output, const int *pids, size_t n, FILE *out, struct silo_error **err)
{
  size_t header_len = strcspn (output, "\n");
  int pid_index = pid_column (output, header_len);
  const char *line = output + header_len;

  if (pid_index < 0)
    return silo_fail (err, 0, "no PID column in the header of ps's output: `%.*s`",
                      (int) header_len, output);
  fprintf (out, "%.*s\n", (int) header_len, output);
  while (*line != '\0')
    {
      size_t len;
      int pid;

      line++;   /* the '\n' that ended the previous line */
      len = strcspn (line, "\n");
      if (len == 0)
        continue;
      pid = line_pid (line, len, pid_index);
      if (pid < 0)
        return silo_fail (err, 0, "no pid in column %d of ps's line `%.*s`", pid_index + 1,
                          (int) len, line);
      if (contains (pids, n, pid))
        fprintf (out, "%.*s\n", (int) len, line);
      line += len;
    }
  return 0;
}

/* ---- running ps --------------------------------------------------------------------------- */

/* ps ARGS..., its standard output read whole; its standard error stays ours.  */
static int
run_ps (char **args, int n_args, char **output, struct silo_error **err)
{
  _cleanup_free_ char **argv = xmalloc0 ((size_t) (n_args + 2) * sizeof (*argv));
  _cleanup_close_ int read_end = -1, write_end = -1;
  posix_spawn_file_actions_t actions;
  int fds[2], status, spawn_errno;
  pid_t pid;

  argv[0] = (char *) "ps";
  memcpy (argv + 1, args, (size_t) n_args * sizeof (*argv));
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return silo_fail (err, errno, "pipe");
  read_end = fds[0];
  write_end = fds[1];
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, write_end, STDOUT_FILENO);
  spawn_errno = posix_spawnp (&pid, "ps", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  if (spawn_errno != 0)
    return silo_fail (err, spawn_errno, "run ps");
  silo_closep (&write_end);
  if (read_fd_all (read_end, output, NULL, err) < 0)
    {
      waitpid (pid, NULL, 0);
      return silo_wrap (err, "read the output of ps");
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return silo_fail (err, errno, "wait for ps");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return silo_fail (err, 0, "ps failed (exit status %d)",
                      WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return 0;
}

static void
print_json (const int *pids, size_t n)
{
  oci_json_writer *w = oci_json_writer_new (false);
  _cleanup_free_ char *json = NULL;

  oci_json_begin_array (w);
  for (size_t i = 0; i < n; i++)
    oci_json_int (w, pids[i]);
  oci_json_end_array (w);
  json = oci_json_writer_finish (w, NULL);
  printf ("%s\n", json);
}

static int
run_ps_command (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  static char *default_args[] = { (char *) "-ef" };
  _cleanup_free_ int *pids = NULL;
  _cleanup_free_ char *output = NULL;
  struct ps_options opts = { 0 };
  size_t n = 0;
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_ps, argc, argv, ps_option, &opts, &args, &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  if (n_args == 0)
    return print_containers (ctx, &opts, err);
  if (opts.list_flag != NULL)
    return silo_fail (err, 0, "ps: --%s is for the container list (no ID); with an ID, ps lists "
                      "the container's processes", opts.list_flag);
  if (silo_container_pids (ctx, args[0], &pids, &n, err) < 0)
    return -1;
  if (opts.json)
    {
      print_json (pids, n);
      return 0;
    }
  if (n_args == 1)
    ret = run_ps (default_args, 1, &output, err);
  else
    ret = run_ps (args + 1, n_args - 1, &output, err);
  if (ret < 0 || silo_cmd_ps_filter (output, pids, n, stdout, err) < 0)
    return -1;
  return 0;
}

const struct silo_cmd silo_cmd_ps = {
  "ps", "[ID [PS-ARGS...]]",
  "without ID, list the containers; with one, its processes (with ps -ef, or the PS-ARGS given)",
  ps_options, 0, -1, run_ps_command,
};
