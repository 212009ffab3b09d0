/* process.capabilities: validation of names and sets, then the bounding drop, identity
 * change and capset of a real child process, read back from /proc/self/status.  */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "process.h"
#include "tap.h"

/* A heap list of names, as libocispec builds them (validation may remove entries).  */
static char **
names (size_t *n, ...)
{
  char **v = calloc (16, sizeof (char *));
  const char *s;
  va_list ap;

  *n = 0;
  va_start (ap, n);
  while ((s = va_arg (ap, const char *)) != NULL)
    v[(*n)++] = strdup (s);
  va_end (ap);
  return v;
}

static void
free_caps (oci_capabilities *c)
{
  char **lists[] = { c->bounding, c->effective, c->inheritable, c->permitted, c->ambient };
  size_t counts[] = { c->n_bounding, c->n_effective, c->n_inheritable, c->n_permitted, c->n_ambient };

  for (size_t i = 0; i < 5; i++)
    {
      for (size_t j = 0; j < counts[i]; j++)
        free (lists[i][j]);
      free (lists[i]);
    }
  memset (c, 0, sizeof (*c));
}

static char *
validate (oci_capabilities *c, bool user_namespace)
{
  struct silo_error *err = NULL;
  char *msg = NULL;

  if (silo_caps_validate (c, user_namespace, false, &err) < 0)
    msg = strdup (err != NULL ? err->msg : "(no message)");
  silo_error_free (err);
  return msg;
}

static void
test_validation (void)
{
  oci_capabilities c = { 0 };
  bool have_sys_resource = prctl (PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 1;
  char *msg;

  ok (silo_caps_validate (NULL, false, false, NULL) == 0, "no capabilities: nothing to check");

  c.bounding = names (&c.n_bounding, "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL);
  c.effective = names (&c.n_effective, "CAP_KILL", NULL);
  c.permitted = names (&c.n_permitted, "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL);
  msg = validate (&c, false);
  ok (msg == NULL, "a docker-like set is accepted%s%s", msg ? ": " : "", msg ? msg : "");
  free (msg);
  free_caps (&c);

  c.effective = names (&c.n_effective, "CAP_KILL", "CAP_CHOWN", NULL);
  c.permitted = names (&c.n_permitted, "CAP_KILL", NULL);
  msg = validate (&c, false);
  ok (msg != NULL && strstr (msg, "process.capabilities.effective: CAP_CHOWN is not in "
                                  "process.capabilities.permitted") != NULL,
      "effective outside permitted is refused (%s)", msg ? msg : "accepted");
  free (msg);
  free_caps (&c);

  c.permitted = names (&c.n_permitted, "CAP_KILL", "CAP_CHOWN", NULL);
  c.inheritable = names (&c.n_inheritable, "CAP_KILL", NULL);
  c.ambient = names (&c.n_ambient, "CAP_CHOWN", "CAP_KILL", NULL);
  msg = validate (&c, false);
  ok (msg == NULL && c.n_ambient == 1 && strcmp (c.ambient[0], "CAP_KILL") == 0,
      "an ambient capability outside inheritable is dropped with a warning");
  free (msg);
  free_caps (&c);

  c.bounding = names (&c.n_bounding, "CAP_FOO", NULL);
  msg = validate (&c, false);
  ok (msg != NULL && strstr (msg, "process.capabilities.bounding: unknown capability `CAP_FOO`") != NULL,
      "an unknown name is refused (%s)", msg ? msg : "accepted");
  free (msg);
  free_caps (&c);

  c.bounding = names (&c.n_bounding, "CAP_SYS_RESOURCE", NULL);
  msg = validate (&c, false);
  if (have_sys_resource)
    ok (msg == NULL, "CAP_SYS_RESOURCE is in silo's bounding set here: accepted");
  else
    is_str (msg, "process.capabilities.bounding: CAP_SYS_RESOURCE is not in silo's own bounding "
            "set, so no process silo starts can have it", "a capability silo lacks is refused");
  free (msg);
  msg = validate (&c, true);
  ok (msg == NULL && c.n_bounding == 1, "with a user namespace the bounding set is full: accepted");
  free (msg);
  free_caps (&c);

  /* Names libcap knows beyond this kernel's last capability are dropped, not refused.  */
  int last = (int) cap_max_bits () - 1, beyond = 0;
  for (int cap = last + 1; cap < 64; cap++)
    {
      char *name = cap_to_name (cap);
      if (name != NULL && strncmp (name, "cap_", 4) == 0)
        {
          char upper[64];
          size_t i;
          for (i = 0; name[i] != '\0' && i < sizeof upper - 1; i++)
            upper[i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
          upper[i] = '\0';
          c.bounding = names (&c.n_bounding, "CAP_KILL", upper, NULL);
          beyond = 1;
        }
      cap_free (name);
      if (beyond)
        break;
    }
  if (beyond)
    {
      msg = validate (&c, false);
      ok (msg == NULL && c.n_bounding == 1, "a capability newer than the kernel is dropped");
      free (msg);
      free_caps (&c);
    }
  else
    ok (1, "# SKIP libcap knows no capability beyond this kernel's last (%d)", last);
}

static unsigned long long
status_mask (const char *field)
{
  char line[256];
  unsigned long long mask = ~0ULL;
  FILE *f = fopen ("/proc/self/status", "re");

  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, field, strlen (field)) == 0)
      mask = strtoull (line + strlen (field), NULL, 16);
  if (f != NULL)
    fclose (f);
  return mask;
}

/* In a child: the whole sequence the container's process goes through, as uid 1000.  */
static int
apply_as_user (void)
{
  oci_capabilities c = { 0 };
  oci_process p = { .user = { .uid = 1000, .gid = 1000, .has_umask = true, .umask = 027 },
                    .capabilities = &c };
  unsigned long long bind = 1ULL << CAP_NET_BIND_SERVICE, kill = 1ULL << CAP_KILL;

  c.bounding = names (&c.n_bounding, "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL);
  c.effective = names (&c.n_effective, "CAP_NET_BIND_SERVICE", NULL);
  c.permitted = names (&c.n_permitted, "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL);
  c.inheritable = names (&c.n_inheritable, "CAP_NET_BIND_SERVICE", NULL);
  c.ambient = names (&c.n_ambient, "CAP_NET_BIND_SERVICE", NULL);
  if (silo_caps_drop_bounding (&c, NULL) < 0)
    return 10;
  if (silo_process_set_identity (&p, false, NULL) < 0)
    return 11;
  if (silo_caps_apply (&c, NULL) < 0)
    return 12;
  if (getuid () != 1000 || geteuid () != 1000 || getgid () != 1000 || getgroups (0, NULL) != 0)
    return 13;
  if (umask (0) != 027)
    return 14;
  if (status_mask ("CapBnd:") != (bind | kill) || status_mask ("CapPrm:") != (bind | kill))
    return 15;
  if (status_mask ("CapEff:") != bind || status_mask ("CapInh:") != bind
      || status_mask ("CapAmb:") != bind)
    return 16;
  if (prctl (PR_GET_KEEPCAPS, 0, 0, 0, 0) != 0)
    return 17;
  return 0;
}

/* NULL capabilities: nothing left anywhere, as root.  */
static int
apply_none (void)
{
  oci_process p = { .user = { .uid = 0, .gid = 0 } };

  if (silo_caps_drop_bounding (NULL, NULL) < 0 || silo_process_set_identity (&p, false, NULL) < 0
      || silo_caps_apply (NULL, NULL) < 0)
    return 10;
  if (status_mask ("CapBnd:") != 0 || status_mask ("CapPrm:") != 0 || status_mask ("CapEff:") != 0)
    return 11;
  return umask (0) == 0022 ? 0 : 12;
}

/* silo's table and probe against libcap's, which silo no longer links.  */
static void
test_table_against_libcap (void)
{
  int mismatches = 0, known = 0;

  ok (silo_caps_last () == (int) cap_max_bits () - 1, "the last capability: %d, libcap says %d",
      silo_caps_last (), (int) cap_max_bits () - 1);
  for (int cap = 0; cap < 64; cap++)
    {
      char *lower = cap_to_name (cap);
      char upper[64];
      size_t i;

      if (lower == NULL || strncmp (lower, "cap_", 4) != 0)
        {
          cap_free (lower);
          continue;   /* past libcap's table: named by number */
        }
      for (i = 0; lower[i] != '\0' && i < sizeof upper - 1; i++)
        upper[i] = (char) (lower[i] >= 'a' && lower[i] <= 'z' ? lower[i] - 32 : lower[i]);
      upper[i] = '\0';
      cap_free (lower);
      known++;
      if (oci_capability_name (cap) == NULL || strcmp (oci_capability_name (cap), upper) != 0
          || oci_capability_from_name (upper) != cap)
        {
          printf ("# capability %d: libcap `%s`, silo `%s`\n", cap, upper,
                oci_capability_name (cap) ? oci_capability_name (cap) : "(none)");
          mismatches++;
        }
    }
  ok (known > 0 && mismatches == 0, "every capability libcap names (%d) has that name and number "
      "in silo's table", known);
  ok (oci_capability_from_name ("cap_chown") < 0 && oci_capability_from_name ("CAP_CHOWNX") < 0
      && oci_capability_from_name ("CAP_") < 0 && oci_capability_from_name ("0") < 0
      && oci_capability_name (64) == NULL && oci_capability_name (-1) == NULL,
      "only the canonical spelling is a name");
}

/* NEEDS: the capabilities FN cannot do without (its bounding drop, identity change and
 * capset); without them the point is skipped with WHY.  */
static void
in_child (int (*fn) (void), unsigned long long needs, const char *why, const char *what)
{
  int status = -1;
  pid_t pid;

  if ((status_mask ("CapEff:") & needs) != needs)
    {
      skip ("needs root: %s (%s)", why, what);
      return;
    }
  pid = fork ();
  if (pid == 0)
    _exit (fn ());
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
      && WEXITSTATUS (status) == 0, "%s (child status %d)", what, status);
}

int
main (void)
{
  unsigned long long identity = 1ULL << CAP_SETPCAP | 1ULL << CAP_SETUID | 1ULL << CAP_SETGID;
  unsigned long long kept = 1ULL << CAP_KILL | 1ULL << CAP_NET_BIND_SERVICE;

  test_validation ();
  test_table_against_libcap ();
  in_child (apply_as_user, identity | kept, "CAP_SETPCAP, CAP_SETUID, CAP_SETGID, and the CAP_KILL "
            "and CAP_NET_BIND_SERVICE it keeps",
            "bounding drop, identity and capset as uid 1000 keep what is listed");
  in_child (apply_none, identity, "CAP_SETPCAP, CAP_SETUID and CAP_SETGID",
            "no capabilities: every set empty, umask 0022");
  return tap_done ();
}
