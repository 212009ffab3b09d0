/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "quickrun.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container-internal.h"
#include "oci.h"
#include "overlay.h"
#include "silo-spec.h"
#include "state.h"
#include "util.h"

/* ---- names ----------------------------------------------------------------------------- */

static const char *const adjectives[] = {
  "amber", "bold", "brisk", "calm", "clever", "cosmic", "crisp", "dapper", "eager", "fancy",
  "gentle", "glad", "happy", "humble", "jolly", "keen", "lively", "lucid", "mellow", "merry",
  "nimble", "noble", "plucky", "proud", "quick", "quiet", "rapid", "sharp", "shy", "sleek",
  "snug", "spry", "steady", "sunny", "swift", "tidy", "vivid", "warm", "witty", "zesty",
};

static const char *const nouns[] = {
  "alder", "aspen", "badger", "beacon", "birch", "bison", "cedar", "comet", "crane", "delta",
  "ember", "falcon", "fjord", "gecko", "harbor", "heron", "ibis", "iris", "kestrel", "lagoon",
  "lark", "lynx", "maple", "marten", "meadow", "nebula", "orca", "otter", "pebble", "quartz",
  "raven", "reef", "sparrow", "spruce", "tundra", "walrus", "willow", "wren", "yak", "zephyr",
};

char *
silo_quickrun_name (uint64_t random, unsigned attempt)
{
  const char *adjective = adjectives[random % SILO_ARRAY_SIZE (adjectives)];
  const char *noun = nouns[(random / SILO_ARRAY_SIZE (adjectives)) % SILO_ARRAY_SIZE (nouns)];
  uint64_t rest = random / SILO_ARRAY_SIZE (adjectives) / SILO_ARRAY_SIZE (nouns);

  if (attempt == 0)
    return xasprintf ("%s_%s", adjective, noun);
  return xasprintf ("%s_%s_%u", adjective, noun, (unsigned) (rest % 10000));
}

/* ---- the config ---------------------------------------------------------------------- */

static char **
strv_copy (char *const *v, size_t *n)
{
  char **copy;

  for (*n = 0; v != NULL && v[*n] != NULL; (*n)++)
    ;
  copy = xmalloc0 ((*n + 1) * sizeof (*copy));
  for (size_t i = 0; i < *n; i++)
    copy[i] = xstrdup (v[i]);
  return copy;
}

static void
strv_replace (char ***v, size_t *n, char **with, size_t n_with)
{
  for (size_t i = 0; i < *n; i++)
    free ((*v)[i]);
  free (*v);
  *v = with;
  *n = n_with;
}

/* -e KEY=VALUE: replaces the default of that key (PATH, TERM), else is added.  */
static int
apply_env (oci_process *p, char *const *env, struct silo_error **err)
{
  for (size_t i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');
      size_t key_len = eq != NULL ? (size_t) (eq - env[i]) : 0;
      size_t j;

      if (key_len == 0)
        return silo_fail (err, 0, "--env `%s`: give KEY=VALUE, with a KEY", env[i]);
      for (j = 0; j < p->n_env; j++)
        if (strncmp (p->env[j], env[i], key_len + 1) == 0)
          break;
      if (j == p->n_env)
        {
          p->env = xrealloc (p->env, (p->n_env + 2) * sizeof (*p->env));
          p->env[p->n_env++] = NULL;
          p->env[p->n_env] = NULL;
        }
      free (p->env[j]);
      p->env[j] = xstrdup (env[i]);
    }
  return 0;
}

static int
parse_uid (const char *text, const char *what, uint32_t *out, struct silo_error **err)
{
  long long value;

  if (parse_long (text, &value) < 0 || value < 0 || value >= UINT32_MAX)
    return silo_fail (err, 0, "--user: %s `%s` is not a number from 0 to %u (names are not "
                      "looked up: give UID[:GID])", what, text, UINT32_MAX - 1);
  *out = (uint32_t) value;
  return 0;
}

static int
apply_user (oci_process *p, const char *user, struct silo_error **err)
{
  _cleanup_free_ char *copy = xstrdup (user);
  char *colon;

  if (copy == NULL)
    return 0;
  colon = strchr (copy, ':');
  if (colon != NULL)
    *colon = '\0';
  if (parse_uid (copy, "uid", &p->user.uid, err) < 0)
    return -1;
  p->user.gid = 0;
  return colon != NULL ? parse_uid (colon + 1, "gid", &p->user.gid, err) : 0;
}

static int
apply_process (oci_process *p, const struct silo_quickrun_options *q, struct silo_error **err)
{
  p->terminal = q->tty;
  if (q->args != NULL && q->args[0] != NULL)
    {
      size_t n;
      char **args = strv_copy (q->args, &n);
      strv_replace (&p->args, &p->n_args, args, n);
    }
  if (q->cwd != NULL)
    {
      if (q->cwd[0] != '/')
        return silo_fail (err, 0, "--workdir `%s`: must be an absolute path", q->cwd);
      free (p->cwd);
      p->cwd = xstrdup (q->cwd);
    }
  if (apply_env (p, q->env, err) < 0)
    return -1;
  return apply_user (p, q->user, err);
}

/* -v SRC:DST[:ro|:rw]: a recursive bind; ":ro" is read-only all the way down (rro).  */
static int
add_volume (oci_config *cfg, const char *volume, struct silo_error **err)
{
  _cleanup_free_ char *copy = xstrdup (volume);
  char *dst = strchr (copy, ':'), *mode = NULL;
  oci_mount *m;

  if (dst != NULL)
    {
      *dst++ = '\0';
      mode = strchr (dst, ':');
      if (mode != NULL)
        *mode++ = '\0';
    }
  if (dst == NULL || copy[0] != '/' || dst[0] != '/')
    return silo_fail (err, 0, "--volume `%s`: give SRC:DST[:ro], both absolute paths", volume);
  if (mode != NULL && strcmp (mode, "ro") != 0 && strcmp (mode, "rw") != 0)
    return silo_fail (err, 0, "--volume `%s`: unknown mode `%s`; use ro or rw", volume, mode);
  cfg->mounts = xrealloc (cfg->mounts, (cfg->n_mounts + 1) * sizeof (*cfg->mounts));
  m = memset (&cfg->mounts[cfg->n_mounts++], 0, sizeof (*m));
  m->destination = xstrdup (dst);
  m->source = xstrdup (copy);
  m->type = xstrdup ("bind");
  m->options = xmalloc0 (3 * sizeof (*m->options));
  m->options[m->n_options++] = xstrdup ("rbind");
  if (mode != NULL && strcmp (mode, "ro") == 0)
    m->options[m->n_options++] = xstrdup ("rro");
  return 0;
}

/* --network host: the host's network namespace (no "network" entry); none: a new one
 * with only a loopback device, as `silo spec` writes.  */
static int
apply_network (oci_linux *l, const char *network, struct silo_error **err)
{
  size_t out = 0;

  if (network == NULL || strcmp (network, "none") == 0)
    return 0;
  if (strcmp (network, "host") != 0)
    return silo_fail (err, 0, "--network `%s`: use none or host", network);
  for (size_t i = 0; i < l->n_namespaces; i++)
    if (l->namespaces[i].type == OCI_NS_NETWORK)
      free (l->namespaces[i].path);
    else
      l->namespaces[out++] = l->namespaces[i];
  l->n_namespaces = out;
  return 0;
}

static void
apply_limits (oci_linux *l, const struct silo_quickrun_options *q)
{
  oci_resources *r = l->resources != NULL ? l->resources : (l->resources = xmalloc0 (sizeof (*r)));

  if (q->memory > 0)
    {
      r->memory = xmalloc0 (sizeof (*r->memory));
      r->memory->has_limit = true;
      r->memory->limit = q->memory;
    }
  if (q->cpu_quota > 0)
    {
      r->cpu = xmalloc0 (sizeof (*r->cpu));
      r->cpu->has_quota = r->cpu->has_period = true;
      r->cpu->quota = q->cpu_quota;
      r->cpu->period = SILO_QUICKRUN_CPU_PERIOD;
    }
  if (q->pids > 0)
    {
      r->pids = xmalloc0 (sizeof (*r->pids));
      r->pids->has_limit = true;
      r->pids->limit = q->pids;
    }
}

static int
apply_options (oci_config *cfg, const struct silo_quickrun_options *q, const char *name,
               const char *root_path, struct silo_error **err)
{
  if (apply_process (cfg->process, q, err) < 0 || apply_network (cfg->linux_, q->network, err) < 0)
    return -1;
  for (size_t i = 0; q->volumes != NULL && q->volumes[i] != NULL; i++)
    if (add_volume (cfg, q->volumes[i], err) < 0)
      return -1;
  apply_limits (cfg->linux_, q);
  free (cfg->root->path);
  cfg->root->path = xstrdup (root_path);
  cfg->root->readonly = q->read_only;
  if (q->hostname != NULL || name != NULL)
    {
      /* the kernel's limit on a host name (__NEW_UTS_LEN)  */
      const char *hostname = q->hostname != NULL ? q->hostname : name;
      if (q->hostname != NULL && (strlen (hostname) == 0 || strlen (hostname) > 64))
        return silo_fail (err, 0, "--hostname `%s`: 1 to 64 bytes", hostname);
      free (cfg->hostname);
      cfg->hostname = xasprintf ("%.64s", hostname);
    }
  return 0;
}

int
silo_quickrun_config (const struct silo_quickrun_options *q, const char *name,
                      const char *root_path, char **json, struct silo_error **err)
{
  _cleanup_free_ char *defaults = NULL;
  oci_config *cfg = NULL;
  size_t len;
  int ret;

  if (silo_spec_generate (false, &defaults, err) < 0
      || oci_config_parse (defaults, strlen (defaults), &cfg, err) < 0)
    return -1;
  ret = apply_options (cfg, q, name, root_path, err);
  if (ret == 0)
    ret = oci_config_generate (cfg, json, &len, err);
  oci_config_free (cfg);
  return ret;
}

int
silo_quickrun_spec_write (const char *bundle, const struct silo_quickrun_options *q,
                          struct silo_error **err)
{
  _cleanup_free_ char *json = NULL, *text = NULL;
  _cleanup_close_ int lower = silo_overlay_open_lower (q->rootfs, "--rootfs", err);
  char resolved[PATH_MAX];

  if (lower < 0)
    return -1;
  if (realpath (q->rootfs, resolved) == NULL)
    return silo_fail (err, errno, "--rootfs `%s`", q->rootfs);
  if (silo_quickrun_config (q, NULL, resolved, &json, err) < 0)
    return -1;
  text = xasprintf ("%s\n", json);
  return silo_spec_write_text (bundle, text, err);
}

/* ---- run ------------------------------------------------------------------------------- */

/* The state directory, locked: under --name, or a generated name not taken yet.  */
static int
make_state_dir (const struct silo_context *ctx, const char *wanted, char **name, struct silo_error **err)
{
  for (unsigned attempt = 0;; attempt++)
    {
      uint64_t random = 0;
      int dirfd;

      if (wanted == NULL && getrandom (&random, sizeof (random), 0) != sizeof (random))
        return silo_fail (err, errno, "getrandom (for a container name)");
      free (*name);
      *name = wanted != NULL ? xstrdup (wanted) : silo_quickrun_name (random, attempt);
      if (silo_validate_id (*name, err) < 0)
        return silo_wrap (err, "--name");
      dirfd = silo_state_create_dir (ctx->root, *name, err);
      if (dirfd >= 0 || wanted != NULL || (*err)->errnum != EEXIST || attempt >= 16)
        return dirfd;
      silo_error_freep (err);
    }
}

/* In the state directory: config.json, the overlay's mount point, upper and work
 * layers; the overlay itself, detached (*tree).  *bundle: the directory's path.  */
static int
fill_state_dir (const struct silo_context *ctx, const struct silo_quickrun_options *q, const char *name,
                int dirfd, int lowerfd, char **bundle, int *tree, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL, *root_path = NULL;
  char root[PATH_MAX];

  if (realpath (ctx->root, root) == NULL)
    return silo_fail (err, errno, "state root `%s`", ctx->root);
  *bundle = xasprintf ("%s/%s", root, name);
  root_path = xasprintf ("%s/rootfs", *bundle);
  if (silo_quickrun_config (q, name, root_path, &json, err) < 0
      || write_file_atomic_at (dirfd, "config.json", json, strlen (json), 0600, SILO_VOLATILE, err) < 0)
    return -1;
  if (mkdirat (dirfd, "rootfs", 0755) < 0)
    return silo_fail (err, errno, "make the rootfs mount point in the state directory");
  *tree = silo_overlay_make (lowerfd, dirfd, "upper", "work", err);
  return *tree < 0 ? -1 : 0;
}

static int
check_flags (const struct silo_quickrun_options *q, struct silo_error **err)
{
  _cleanup_free_ char *json = NULL;

  if (geteuid () != 0)
    return silo_fail (err, EPERM, "--rootfs: quick-run needs root (silo mounts the overlay "
                      "root itself); write a bundle with `silo spec --rootfs` instead");
  if (q->detach && q->rm)
    return silo_fail (err, 0, "--rm with --detach: nothing stays to delete the container "
                      "when it exits; leave out --rm, and `silo rm` it later");
  if (q->detach && q->tty)
    return silo_fail (err, 0, "--tty with --detach: nothing stays to hold the terminal");
  /* every flag checked before anything is made */
  return silo_quickrun_config (q, "check", "/", &json, err);
}

int
silo_quickrun_run (const struct silo_context *ctx, const struct silo_quickrun_options *q,
                   char **name, int *exit_status, struct silo_error **err)
{
  _cleanup_close_ int lowerfd = -1, dirfd = -1, tree = -1;
  _cleanup_free_ char *bundle = NULL;

  *name = NULL;
  *exit_status = 0;
  if (check_flags (q, err) < 0)
    return -1;
  lowerfd = silo_overlay_open_lower (q->rootfs, "--rootfs", err);
  if (lowerfd < 0)
    return -1;
  dirfd = make_state_dir (ctx, q->name, name, err);
  if (dirfd < 0)
    return -1;
  if (fill_state_dir (ctx, q, *name, dirfd, lowerfd, &bundle, &tree, err) < 0)
    {
      struct silo_error *ignored = NULL;
      silo_state_remove_dir (ctx->root, *name, &ignored);
      silo_error_free (ignored);
      return silo_wrap (err, "run container `%s`", *name);
    }
  struct silo_create_options opts = { .bundle = bundle, .detach = q->detach, .keep = !q->rm };
  struct silo_creation c = { .ctx = ctx, .opts = &opts, .id = *name, .premade = true,
                             .dirfd = steal_fd (&dirfd), .rootfs_tree = steal_fd (&tree) };
  return silo_creation_run (&c, exit_status, err);
}
