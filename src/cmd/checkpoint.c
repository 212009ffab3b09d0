/* silo checkpoint: dump a running container's processes to disk with CRIU (and the flags
 * `restore` shares with it).  Only in a build with CRIU: without it there is no such
 * command, and podman's probe (`checkpoint --help`) fails as it should.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

enum
{
  CHECKPOINT_OPTION_PARENT_PATH = SILO_CRIU_OPTION__COUNT,
  CHECKPOINT_OPTION_LEAVE_RUNNING,
  CHECKPOINT_OPTION_PAGE_SERVER,
  CHECKPOINT_OPTION_STATUS_FD,
  CHECKPOINT_OPTION_PRE_DUMP,
};

static const struct silo_cmd_option checkpoint_options[] = {
  SILO_CMD_CRIU_OPTIONS,
  { "parent-path", 0, "DIR", "the pre-dump to build on, relative to the image path (../pre)" },
  { "leave-running", 0, NULL, "leave the container running after the dump" },
  { "page-server", 0, "ADDRESS:PORT", "send the memory pages to a CRIU page server there" },
  { "status-fd", 0, "FD", "with --lazy-pages: write one 0 byte to FD when the page server is ready" },
  { "pre-dump", 0, NULL, "dump the memory only; the container keeps running" },
  { NULL },
};

int
silo_cmd_parse_criu_cgroup_mode (const char *value, enum silo_criu_cgroup_mode *mode,
                                 struct silo_error **err)
{
  static const struct { const char *name; enum silo_criu_cgroup_mode mode; } modes[] = {
    { "soft", SILO_CRIU_CGROUP_SOFT }, { "full", SILO_CRIU_CGROUP_FULL },
    { "strict", SILO_CRIU_CGROUP_STRICT }, { "ignore", SILO_CRIU_CGROUP_IGNORE },
  };

  for (size_t i = 0; i < SILO_ARRAY_SIZE (modes); i++)
    if (strcmp (value, modes[i].name) == 0)
      {
        *mode = modes[i].mode;
        return 0;
      }
  return silo_fail (err, EINVAL, "--manage-cgroups-mode: unknown mode `%s`; use soft, full, "
                    "strict or ignore", value);
}

int
silo_cmd_parse_empty_ns (const char *value, bool *network, struct silo_error **err)
{
  static const char *const others[] = { "pid", "mount", "ipc", "uts", "user", "cgroup", "time" };

  if (strcmp (value, "network") == 0)
    {
      *network = true;
      return 0;
    }
  for (size_t i = 0; i < SILO_ARRAY_SIZE (others); i++)
    if (strcmp (value, others[i]) == 0)
      return silo_fail (err, ENOTSUP, "--empty-ns %s: not supported; only the network "
                        "namespace can be left out", value);
  return silo_fail (err, EINVAL, "--empty-ns: `%s` is not a namespace; use network", value);
}

int
silo_cmd_check_page_server (const char *value, struct silo_error **err)
{
  const char *colon = strrchr (value, ':');
  long long port;

  if (colon == NULL || colon == value || parse_long (colon + 1, &port) < 0 || port < 1
      || port > 65535)
    return silo_fail (err, EINVAL, "--page-server `%s`: expected ADDRESS:PORT, the port "
                      "1-65535", value);
  return 0;
}

int
silo_cmd_criu_option (struct silo_criu_options *o, int option, const char *value,
                      struct silo_error **err)
{
  switch (option)
    {
    case SILO_CRIU_OPTION_IMAGE_PATH: o->image_path = value; break;
    case SILO_CRIU_OPTION_WORK_PATH: o->work_path = value; break;
    case SILO_CRIU_OPTION_TCP_ESTABLISHED: o->tcp_established = true; break;
    case SILO_CRIU_OPTION_EXT_UNIX_SK: o->ext_unix_sk = true; break;
    case SILO_CRIU_OPTION_SHELL_JOB: o->shell_job = true; break;
    case SILO_CRIU_OPTION_FILE_LOCKS: o->file_locks = true; break;
    case SILO_CRIU_OPTION_AUTO_DEDUP: o->auto_dedup = true; break;
    case SILO_CRIU_OPTION_LAZY_PAGES: o->lazy_pages = true; break;
    case SILO_CRIU_OPTION_MANAGE_CGROUPS_MODE:
      return silo_cmd_parse_criu_cgroup_mode (value, &o->cgroup_mode, err);
    case SILO_CRIU_OPTION_EMPTY_NS:
      return silo_cmd_parse_empty_ns (value, &o->empty_netns, err);
    }
  return 0;
}

static int
checkpoint_option (void *data, int option, const char *value, struct silo_error **err)
{
  struct silo_checkpoint_options *o = data;
  long long n;

  switch (option)
    {
    case CHECKPOINT_OPTION_PARENT_PATH: o->parent_path = value; return 0;
    case CHECKPOINT_OPTION_LEAVE_RUNNING: o->leave_running = true; return 0;
    case CHECKPOINT_OPTION_PRE_DUMP: o->pre_dump = true; return 0;
    case CHECKPOINT_OPTION_PAGE_SERVER:
      o->page_server = value;
      return silo_cmd_check_page_server (value, err);
    case CHECKPOINT_OPTION_STATUS_FD:
      if (parse_long (value, &n) < 0 || n < 0 || n > INT_MAX)
        return silo_fail (err, EINVAL, "--status-fd: `%s` is not a file descriptor", value);
      o->status_fd = (int) n;
      return 0;
    }
  return silo_cmd_criu_option (&o->criu, option, value, err);
}

static int
run_checkpoint (const struct silo_context *ctx, int argc, char **argv, struct silo_error **err)
{
  struct silo_checkpoint_options opts = { .status_fd = -1 };
  char **args;
  int n_args, ret;

  ret = silo_cmd_begin (&silo_cmd_checkpoint, argc, argv, checkpoint_option, &opts, &args,
                        &n_args, err);
  if (ret != 0)
    return ret < 0 ? -1 : 0;
  return silo_container_checkpoint (ctx, args[0], &opts, err) < 0 ? -1 : 0;
}

const struct silo_cmd silo_cmd_checkpoint = {
  "checkpoint", "ID", "save a running container's processes to disk with CRIU",
  checkpoint_options, 1, 1, run_checkpoint,
};
