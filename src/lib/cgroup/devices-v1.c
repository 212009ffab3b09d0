/* silo cgroup v1 devices controller: linux.resources.devices.
 *
 * The kernel takes one rule per write: "TYPE MAJOR:MINOR ACCESS" into devices.allow or
 * devices.deny, "a" meaning every device.  Writing "a" to devices.deny empties the
 * exception list and makes the default deny, so the rules that follow are a whitelist
 * applied in the config's order (a later "a" wipes what came before, as the spec's
 * ordered list means).  After the config's rules come the defaults below; coming last,
 * they cannot be denied by the config, which is how runc behaves and what images expect.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "cgroup-internal.h"

#include <errno.h>
#include <fcntl.h>
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

static int
write_rule (int fd, const char *file, const char *rule, struct silo_error **err)
{
  ssize_t r;

  do
    r = write (fd, rule, strlen (rule));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return silo_fail (err, errno, "write `%s` to %s", rule, file);
  return 0;
}

int
cgroup_v1_apply_devices (int dir_fd, const oci_device_cgroup *rules, size_t n, struct silo_error **err)
{
  _cleanup_close_ int deny = openat (dir_fd, "devices.deny", O_WRONLY | O_CLOEXEC);
  _cleanup_close_ int allow = openat (dir_fd, "devices.allow", O_WRONLY | O_CLOEXEC);

  if (deny < 0 || allow < 0)
    return silo_fail (err, errno, "open devices.allow and devices.deny");
  if (write_rule (deny, "devices.deny", "a", err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_free_ char *rule = cgroup_v1_device_rule (&rules[i]);
      bool allowed = rules[i].allow;
      if (write_rule (allowed ? allow : deny, allowed ? "devices.allow" : "devices.deny", rule, err) < 0)
        return silo_wrap (err, "linux.resources.devices[%zu]", i);
    }
  for (size_t i = 0; cgroup_default_device_rules[i] != NULL; i++)
    if (write_rule (allow, "devices.allow", cgroup_default_device_rules[i], err) < 0)
      return silo_wrap (err, "default device rule");
  return 0;
}
