/* silo CLI: what every command front-end shares.
 *
 * A command is a table: its name, usage, one-line summary, its options (which drive both
 * getopt_long and --help, so the two cannot drift apart) and the function that turns the
 * parsed argv into one library call.  A command's run function returns the exit status
 * (>= 0) or -1 with *err set; only main() prints errors.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SILO_CMD_H
#define SILO_CMD_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "error.h"
#include "quickrun.h"

struct silo_cmd_option
{
  const char *name;         /* long name, without "--" */
  char short_name;          /* 0 when there is none */
  const char *value_name;   /* NULL for a flag, else what --help shows ("DIR") */
  const char *help;         /* one line */
};

struct silo_cmd
{
  const char *name;
  const char *args_usage;   /* what follows the options in the usage line: "ID [SIGNAL]" */
  const char *summary;      /* one line, lower case, no full stop */
  const struct silo_cmd_option *options;   /* ends with { NULL } */
  int min_args, max_args;   /* positional arguments; max_args -1: no limit */
  int (*run) (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err);
  bool seals_exe;           /* puts processes into containers: runs from a sealed binary
                               (exe-seal.h), re-executing silo first when needed */
  int error_status;         /* exit status when silo itself fails; 0: EXIT_FAILURE.  exec
                               uses 255, as runc: its own status is the process's */
};

/* Called for each option found, in order; `option` is its index in cmd->options and
 * `value` its argument (NULL for a flag).  A command without options passes NULL.  */
typedef int (*silo_cmd_option_fn) (void *data, int option, const char *value,
                                   struct silo_error **err);

/* Parse argv (argv[0] is the command's name) against cmd->options with getopt_long:
 * `--opt value`, `--opt=value`, short flags and clusters; parsing stops at the first
 * argument that is not an option (or after "--"), so container arguments are never taken
 * for silo's.  Long names must be spelled out: GNU prefix abbreviations are refused.
 * On success *args and *n_args hold the positional arguments (checked against min/max_args)
 * and 0 is returned; 1 means -h/--help was given (nothing else was checked); -1 is an
 * error that names the option and the command.  */
int silo_cmd_parse (const struct silo_cmd *cmd, int argc, char **argv, silo_cmd_option_fn fn,
                    void *data, char ***args, int *n_args, struct silo_error **err);

/* "Usage: silo NAME [OPTIONS] ARGS", the summary and one line per option.  */
void silo_cmd_print_usage (const struct silo_cmd *cmd, FILE *out);
void silo_cmd_print_options (const struct silo_cmd *cmd, FILE *out);

/* Parse, print --help, or fill the options: the first lines of every command.  Returns
 * 0 to go on, 1 when help was printed (the command then exits 0), -1 on error.  */
int silo_cmd_begin (const struct silo_cmd *cmd, int argc, char **argv, silo_cmd_option_fn fn,
                    void *data, char ***args, int *n_args, struct silo_error **err);

/* The flags `create` and `run` share, first in both tables (same indexes).  */
#define SILO_CMD_CREATE_OPTIONS                                                              \
  { "bundle", 'b', "DIR", "bundle directory (default: the current directory)" },             \
  { "config", 'f', "FILE", "configuration file (default: BUNDLE/config.json)" },             \
  { "pid-file", 0, "FILE", "write the container's init pid to FILE" },                       \
  { "console-socket", 0, "PATH", "unix socket that receives the terminal's pty master" },    \
  { "no-pivot", 0, NULL, "do not use pivot_root (for a rootfs on a ramdisk; less safe)" },   \
  { "no-new-keyring", 0, NULL, "keep the caller's session keyring" },                        \
  { "preserve-fds", 0, "N", "also pass fds 3 to 3+N-1 to the container" }

enum
{
  SILO_CREATE_OPTION_BUNDLE,
  SILO_CREATE_OPTION_CONFIG,
  SILO_CREATE_OPTION_PID_FILE,
  SILO_CREATE_OPTION_CONSOLE_SOCKET,
  SILO_CREATE_OPTION_NO_PIVOT,
  SILO_CREATE_OPTION_NO_NEW_KEYRING,
  SILO_CREATE_OPTION_PRESERVE_FDS,
  SILO_CREATE_OPTION__COUNT
};

/* Store one of the shared create flags in a struct silo_create_options.  */
int silo_cmd_create_option (void *data, int option, const char *value, struct silo_error **err);

/* The quick-run flags (quickrun.h) `run` and `spec` share, in this order from a base
 * index each command names.  */
#define SILO_CMD_QUICK_OPTIONS                                                                 \
  { "rootfs", 0, "DIR", "quick-run: a container of this root filesystem, no bundle (DIR is never written)" }, \
  { "memory", 0, "SIZE", "memory limit: bytes, or a number with k, m or g (1024-based: 50M)" }, \
  { "cpus", 0, "CPUS", "CPU limit in CPUs (0.25: a quarter of one)" },                          \
  { "cpu", 0, "PERCENT", "CPU limit in percent of one CPU (25: a quarter)" },                    \
  { "pids", 0, "N", "the most processes the container may have at once" },                      \
  { "env", 'e', "KEY=VALUE", "set an environment variable (repeat for more)" },                 \
  { "workdir", 'w', "DIR", "working directory in the container (absolute)" },                    \
  { "volume", 'v', "SRC:DST[:ro]", "bind the host's SRC onto DST (repeat for more; :ro read-only)" }, \
  { "user", 'u', "UID[:GID]", "run as this user (and group), as numbers" },                     \
  { "hostname", 0, "NAME", "host name (default: the container's name)" },                        \
  { "network", 0, "MODE", "none (default: a network namespace with only loopback) or host" },  \
  { "read-only", 0, NULL, "the root filesystem is read-only" },                                  \
  { "tty", 't', NULL, "give the container a terminal" }

enum
{
  SILO_QUICK_OPTION_ROOTFS,
  SILO_QUICK_OPTION_MEMORY,
  SILO_QUICK_OPTION_CPUS,
  SILO_QUICK_OPTION_CPU,
  SILO_QUICK_OPTION_PIDS,
  SILO_QUICK_OPTION_ENV,
  SILO_QUICK_OPTION_WORKDIR,
  SILO_QUICK_OPTION_VOLUME,
  SILO_QUICK_OPTION_USER,
  SILO_QUICK_OPTION_HOSTNAME,
  SILO_QUICK_OPTION_NETWORK,
  SILO_QUICK_OPTION_READ_ONLY,
  SILO_QUICK_OPTION_TTY,
  SILO_QUICK_OPTION__COUNT
};

/* Store quick-run flag `option` (a SILO_QUICK_OPTION_*) in q.  -e and -v append to
 * q->env and q->volumes (arrays the caller frees with silo_cmd_quick_release; the strings
 * are argv's).  --cpus and --cpu are checked against the CPUs online.  */
int silo_cmd_quick_option (struct silo_quickrun_options *q, int option, const char *value,
                           struct silo_error **err);
void silo_cmd_quick_release (struct silo_quickrun_options *q);

/* The quick-run numbers (pure: the unit tests call them).  --cpus: a decimal number of
 * CPUs, more than 0 and at most n_cpus, to a quota in µs per 100 ms (at least 1 ms, the
 * kernel's least).  --cpu: a whole percentage of one CPU, 1 to 100 * n_cpus.  --pids: a
 * whole number from 1.  Errors name --option and say what is allowed.  */
int silo_cmd_parse_cpus (const char *option, const char *text, long n_cpus, int64_t *quota,
                         struct silo_error **err);
int silo_cmd_parse_cpu_percent (const char *option, const char *text, long n_cpus, int64_t *quota,
                                struct silo_error **err);
int silo_cmd_parse_count (const char *option, const char *text, int64_t *count,
                          struct silo_error **err);

/* The flags `checkpoint` and `restore` share (CRIU's), first in both tables.  Only in a
 * build with CRIU (SILO_HAVE_CRIU).  */
#define SILO_CMD_CRIU_OPTIONS                                                                 \
  { "image-path", 0, "DIR", "CRIU's images (default: ./checkpoint)" },                        \
  { "work-path", 0, "DIR", "CRIU's log and scratch files (default: the image path)" },        \
  { "tcp-established", 0, NULL, "established TCP connections too" },                          \
  { "ext-unix-sk", 0, NULL, "unix sockets connected to a peer outside the container too" },   \
  { "shell-job", 0, NULL, "the container shares the caller's session and terminal" },          \
  { "file-locks", 0, NULL, "file locks too" },                                                \
  { "manage-cgroups-mode", 0, "MODE", "cgroups: soft (CRIU's default), full, strict or ignore" }, \
  { "empty-ns", 0, "NAMESPACE", "network: leave that namespace out (restore: a new, empty one)" }, \
  { "auto-dedup", 0, NULL, "free the image pages a newer dump replaces" },                     \
  { "lazy-pages", 0, NULL, "checkpoint: serve the memory from --page-server; restore: fetch it from criu lazy-pages" }

enum
{
  SILO_CRIU_OPTION_IMAGE_PATH,
  SILO_CRIU_OPTION_WORK_PATH,
  SILO_CRIU_OPTION_TCP_ESTABLISHED,
  SILO_CRIU_OPTION_EXT_UNIX_SK,
  SILO_CRIU_OPTION_SHELL_JOB,
  SILO_CRIU_OPTION_FILE_LOCKS,
  SILO_CRIU_OPTION_MANAGE_CGROUPS_MODE,
  SILO_CRIU_OPTION_EMPTY_NS,
  SILO_CRIU_OPTION_AUTO_DEDUP,
  SILO_CRIU_OPTION_LAZY_PAGES,
  SILO_CRIU_OPTION__COUNT
};

/* Store one of the shared CRIU flags in a struct silo_criu_options.  */
int silo_cmd_criu_option (struct silo_criu_options *opts, int option, const char *value,
                          struct silo_error **err);

/* The CRIU flags' values (pure: the unit tests call them).  --manage-cgroups-mode: soft,
 * full, strict or ignore.  --empty-ns: network (the only namespace CRIU can leave out
 * here); another namespace name is refused by name.  --page-server: ADDRESS:PORT, port
 * 1-65535, split at the last colon ("[::1]:27" works).  */
int silo_cmd_parse_criu_cgroup_mode (const char *value, enum silo_criu_cgroup_mode *mode,
                                     struct silo_error **err);
int silo_cmd_parse_empty_ns (const char *value, bool *network, struct silo_error **err);
int silo_cmd_check_page_server (const char *value, struct silo_error **err);

/* Columns aligned as Go's text/tabwriter(minwidth 12, tabwidth 1, padding 3, ' ') lays out
 * `runc list`: every column but the last is padded to max(12, widest cell + 3); the last
 * is printed as it is.  `cells` holds n_rows * n_columns strings, row after row (NULL
 * prints as empty).  */
void silo_cmd_print_table (FILE *out, const char *const *cells, size_t n_rows, size_t n_columns);

/* A time as Go's RFC3339Nano prints it: trailing zeros of the fraction (and a fraction of
 * only zeros) dropped, "2024-01-02T03:04:05.1200Z" -> "2024-01-02T03:04:05.12Z".  Caller
 * frees; NULL stays NULL.  */
char *silo_cmd_rfc3339_nano (const char *timestamp);

/* ---- the cgroup commands' parsers (pure: the unit tests call them) ------------------ */

/* update: a size as runc's --memory reads it (docker's units.RAMInBytes): a number with
 * an optional fraction, an optional space, an optional k, m, g, t or p (1024-based), an
 * optional i, an optional b, in any case ("512m", "1.5GiB", "100 kb").  The error names
 * --option.  */
int silo_cmd_parse_size (const char *option, const char *text, int64_t *bytes,
                         struct silo_error **err);

/* update: argv (argv[0] "update") -> the linux.resources to write: -r's document first,
 * then each flag on top.  *id points into argv; the caller frees *resources.  Returns 0,
 * 1 when --help was printed, or -1.  */
int silo_cmd_update_parse (int argc, char **argv, oci_resources **resources, char **id,
                           struct silo_error **err);

/* events --interval: Go's duration syntax ("5s", "100ms", "1m30s", "1.5h", "250us") in
 * milliseconds, a fraction of one rounded up; 0 and negative durations are refused.  */
int silo_cmd_parse_duration_ms (const char *option, const char *text, unsigned *ms,
                                struct silo_error **err);

/* ps: write the header line of ps's output and each line whose PID column (found by
 * name in the header) holds one of pids.  */
int silo_cmd_ps_filter (const char *output, const int *pids, size_t n, FILE *out,
                        struct silo_error **err);

extern const struct silo_cmd silo_cmd_create, silo_cmd_start, silo_cmd_run, silo_cmd_state,
  silo_cmd_kill, silo_cmd_delete, silo_cmd_list, silo_cmd_spec, silo_cmd_features,
  silo_cmd_pause, silo_cmd_resume, silo_cmd_update, silo_cmd_events, silo_cmd_ps, silo_cmd_exec,
  silo_cmd_checkpoint, silo_cmd_restore, silo_cmd_stop, silo_cmd_rm;

#endif
