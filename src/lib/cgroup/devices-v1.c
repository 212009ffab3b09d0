/* silo cgroup v1 devices controller: linux.resources.devices.
 *
 * The kernel takes one rule per write: "TYPE MAJOR:MINOR ACCESS" into devices.allow or
 * devices.deny, "a" meaning every device.  Writing "a" to devices.deny empties the
 * exception list and makes the default deny, so the rules that follow are a whitelist
 * applied in the config's order (a later "a" wipes what came before, as the spec's
 * ordered list means).  After the config's rules come the defaults below; coming last,
 * they cannot be denied by the config, which is how runc behaves and what images expect.
 *
 * `update` cannot start over that way: between its "a" and the allows, the container could
 * open nothing, not even /dev/null.  It replays the rules on a model of the kernel's list
 * (an exception is added or has access bits removed by exact type and numbers, in either
 * default mode) and moves the live list there by allowing what is missing first, then
 * denying what is too much: every moment allows at least what both lists share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* What every container may use, in the same set runc grants:
 *  - mknod of any character or block node ("m" only): making a node is harmless when
 *    opening it is denied, and image build steps and old init scripts call mknod;
 *  - the POSIX basics programs open blindly: null, zero, full, random, urandom, tty;
 *  - the pseudo-terminals: /dev/ptmx (5:2) and every pty slave (major 136), so that a
 *    devpts mounted inside the container works; /dev/console, a bind of a pty slave
 *    when the container has a terminal, is covered by the same rule;
 *  - /dev/net/tun (10:200): Docker had it from its first release; runc dropped it in
 *    1.2.0 and restored it in 1.2.4 because VPN containers that mknod it broke.  */
const char *const cgroup_default_device_rules[] = {
  "c *:* m",
  "b *:* m",
  "c 1:3 rwm",    /* /dev/null */
  "c 1:5 rwm",    /* /dev/zero */
  "c 1:7 rwm",    /* /dev/full */
  "c 1:8 rwm",    /* /dev/random */
  "c 1:9 rwm",    /* /dev/urandom */
  "c 5:0 rwm",    /* /dev/tty */
  "c 5:2 rwm",    /* /dev/ptmx */
  "c 136:* rwm",  /* /dev/pts/N */
  "c 10:200 rwm", /* /dev/net/tun */
  NULL,
};

static void
format_number (char *buf, size_t size, bool has, int64_t v)
{
  if (!has || v < 0)
    snprintf (buf, size, "*");   /* absent, or runc's -1 wildcard */
  else
    snprintf (buf, size, "%lld", (long long) v);
}

char *
cgroup_v1_device_rule (const oci_device_cgroup *d)
{
  char major[24], minor[24];

  if (d->type == NULL || strcmp (d->type, "a") == 0)
    return xstrdup ("a");   /* the kernel ignores numbers and access for "a" */
  format_number (major, sizeof (major), d->has_major, d->major);
  format_number (minor, sizeof (minor), d->has_minor, d->minor);
  return xasprintf ("%s %s:%s %s", d->type, major, minor, d->access != NULL ? d->access : "rwm");
}

/* The two files a rule goes to.  */
struct device_files
{
  int allow, deny;
};

static void
device_files_close (struct device_files *f)
{
  silo_closep (&f->allow);
  silo_closep (&f->deny);
}

#define _cleanup_device_files_ __attribute__ ((cleanup (device_files_close)))

static int
device_files_open (int dir_fd, struct device_files *f, struct silo_error **err)
{
  f->deny = openat (dir_fd, "devices.deny", O_WRONLY | O_CLOEXEC);
  f->allow = openat (dir_fd, "devices.allow", O_WRONLY | O_CLOEXEC);
  if (f->deny < 0 || f->allow < 0)
    return silo_fail (err, errno, "open devices.allow and devices.deny");
  return 0;
}

/* A rule_sink (below): FILES is a struct device_files.  */
static int
write_rule (void *files, const char *rule, bool allow, struct silo_error **err)
{
  const struct device_files *f = files;
  const char *file = allow ? "devices.allow" : "devices.deny";
  ssize_t r;

  do
    r = write (allow ? f->allow : f->deny, rule, strlen (rule));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "write `%s` to %s", rule, file);
  return 0;
}

/* Where each rule of create's sequence goes: to the kernel, or to update's model of it.  */
typedef int (*rule_sink) (void *sink, const char *rule, bool allow, struct silo_error **err);

/* Create's sequence: "a" denied (an empty list, deny by default), the config's rules in
 * order, then the defaults.  */
static int
each_create_rule (const oci_device_cgroup *rules, size_t n, rule_sink fn, void *sink, struct silo_error **err)
{
  bool all_denied = true;   /* nothing allowed since the last "a" denied */

  if (fn (sink, "a", false, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *rule = cgroup_v1_device_rule (&rules[i]);
      bool deny_all = !rules[i].allow && strcmp (rule, "a") == 0;
      /* the spec's own default begins with "deny all": nothing to deny twice */
      if (deny_all && all_denied)
        continue;
      all_denied = deny_all;
      if (fn (sink, rule, rules[i].allow, err) < 0)
        return silo_wrap (err, "linux.resources.devices[%zu]", i);
    }
  for (size_t i = 0; cgroup_default_device_rules[i] != NULL; i++)
    if (fn (sink, cgroup_default_device_rules[i], true, err) < 0)
      return silo_wrap (err, "default device rule");
  return 0;
}

int
cgroup_v1_apply_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, struct silo_error **err)
{
  _cleanup_device_files_ struct device_files files = { .allow = -1, .deny = -1 };

  if (device_files_open (dir_fd, &files, err) < 0)
    return -1;
  return each_create_rule (rules, n, write_rule, &files, err);
}

/* ---- update ---------------------------------------------------------------------------- */

enum { ACCESS_READ = 1, ACCESS_WRITE = 2, ACCESS_MKNOD = 4 };

/* One exception as devices.list prints it: "c 1:3 rwm", numbers or "*".  */
struct device_exception
{
  char type;
  char major[16], minor[16];
  unsigned access;
};

struct device_list
{
  bool allow_all;                    /* default allow (exceptions deny), else default deny */
  struct device_exception *v;
  size_t n;
};

static void
device_list_clear (struct device_list *l)
{
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

static unsigned
access_bits (const char *text)
{
  unsigned bits = 0;

  for (; *text != '\0'; text++)
    bits |= *text == 'r' ? ACCESS_READ : *text == 'w' ? ACCESS_WRITE : *text == 'm' ? ACCESS_MKNOD : 0;
  return bits;
}

/* "TYPE MAJOR:MINOR ACCESS", the form silo writes and devices.list prints.  */
static bool
parse_exception (const char *line, struct device_exception *e)
{
  char access[8];

  if (sscanf (line, "%c %15[0-9*]:%15[0-9*] %7s", &e->type, e->major, e->minor, access) != 4)
    return false;
  e->access = access_bits (access);
  return e->access != 0;
}

static struct device_exception *
find_exception (const struct device_list *l, const struct device_exception *e)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].type == e->type && strcmp (l->v[i].major, e->major) == 0
        && strcmp (l->v[i].minor, e->minor) == 0)
      return &l->v[i];
  return NULL;
}

static void
add_exception (struct device_list *l, const struct device_exception *e)
{
  struct device_exception *found = find_exception (l, e);

  if (found != NULL)
    {
      found->access |= e->access;
      return;
    }
  l->v = xrealloc (l->v, (l->n + 1) * sizeof (*l->v));
  l->v[l->n++] = *e;
}

static void
remove_access (struct device_list *l, const struct device_exception *e)
{
  struct device_exception *found = find_exception (l, e);

  if (found == NULL)
    return;
  found->access &= ~e->access;
  if (found->access == 0)
    *found = l->v[--l->n];
}

/* A rule_sink: what the kernel does with RULE written to devices.allow (allow) or
 * devices.deny, done to LIST, a struct device_list.  */
static int
model_write (void *list, const char *rule, bool allow, struct silo_error **err)
{
  struct device_list *l = list;
  struct device_exception e;

  (void) err;
  if (strcmp (rule, "a") == 0)
    {
      device_list_clear (l);
      l->allow_all = allow;
      return 0;
    }
  if (!parse_exception (rule, &e))
    return 0;
  if (allow != l->allow_all)
    add_exception (l, &e);
  else
    remove_access (l, &e);
  return 0;
}

static int
read_device_list (int dir_fd, struct device_list *out, struct silo_error **err)
{
  _cleanup_free_ char *text = NULL;
  char *line, *save = NULL;

  if (read_file_at (dir_fd, "devices.list", &text, NULL, err) < 0)
    return -1;
  for (line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      struct device_exception e;
      if (line[0] == 'a')
        {
          out->allow_all = true;   /* default allow: the kernel does not list the denials */
          return 0;
        }
      if (parse_exception (line, &e))
        add_exception (out, &e);
    }
  return 0;
}

static void
format_exception (char *buf, size_t size, const struct device_exception *e, unsigned access)
{
  snprintf (buf, size, "%c %s:%s %s%s%s", e->type, e->major, e->minor, access & ACCESS_READ ? "r" : "",
            access & ACCESS_WRITE ? "w" : "", access & ACCESS_MKNOD ? "m" : "");
}

/* Allow every wanted exception, then take away what the live list has beyond it.  */
static int
move_list (int dir_fd, const struct device_list *live, const struct device_list *want, struct silo_error **err)
{
  _cleanup_device_files_ struct device_files files = { .allow = -1, .deny = -1 };
  char rule[64];

  if (device_files_open (dir_fd, &files, err) < 0)
    return -1;
  for (size_t i = 0; i < want->n; i++)
    {
      format_exception (rule, sizeof (rule), &want->v[i], want->v[i].access);
      if (write_rule (&files, rule, true, err) < 0)
        return silo_wrap (err, "linux.resources.devices");
    }
  for (size_t i = 0; i < live->n; i++)
    {
      const struct device_exception *wanted = find_exception (want, &live->v[i]);
      unsigned extra = live->v[i].access & ~(wanted != NULL ? wanted->access : 0);
      if (extra == 0)
        continue;
      format_exception (rule, sizeof (rule), &live->v[i], extra);
      if (write_rule (&files, rule, false, err) < 0)
        return silo_wrap (err, "linux.resources.devices");
    }
  return 0;
}

int
cgroup_v1_update_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, struct silo_error **err)
{
  struct device_list live = { 0 }, want = { 0 };
  int ret;

  each_create_rule (rules, n, model_write, &want, NULL);   /* the model cannot fail */
  ret = read_device_list (dir_fd, &live, err);
  /* A list that allows by default (before or after) has no deny-by-default path to move
   * along: start over, as create does.  */
  if (ret == 0 && (live.allow_all || want.allow_all))
    ret = cgroup_v1_apply_devices (dir_fd, rules, n, err);
  else if (ret == 0)
    ret = move_list (dir_fd, &live, &want, err);
  device_list_clear (&live);
  device_list_clear (&want);
  return ret;
}
