/* Unit tests: `silo features` claims exactly what silo implements.  Every hook, mount
 * option, namespace, capability and seccomp action, operator and architecture that
 * features.json lists is fed to the parser or validator that would meet it in a real
 * config, and must be accepted; what the parser knows but features leaves out must be
 * something silo refuses.  A claim silo cannot keep makes engines build configs that
 * fail.  */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "container.h"
#include "mount.h"
#include "oci.h"
#include "seccomp.h"
#include "tap.h"
#include "util.h"

static yajl_val features;

static yajl_val
at (const char *a, const char *b, const char *c)
{
  const char *path[] = { a, b, c, NULL };
  return yajl_tree_get (features, path, yajl_t_any);
}

static bool
lists (yajl_val array, const char *name)
{
  for (size_t i = 0; YAJL_IS_ARRAY (array) && i < array->u.array.len; i++)
    {
      const char *s = YAJL_GET_STRING (array->u.array.values[i]);
      if (s != NULL && strcmp (s, name) == 0)
        return true;
    }
  return false;
}

/* Parse a config.json whose "linux" (or top level, for hooks) carries `fragment`.  */
static oci_config *
config_with (const char *fragment, struct silo_error **err)
{
  _cleanup_free_ char *json = xasprintf ("{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
                                         "\"process\": {\"cwd\": \"/\", \"args\": [\"sh\"], "
                                         "\"user\": {\"uid\": 0, \"gid\": 0}}, %s}", fragment);
  oci_config *c = NULL;

  if (oci_config_parse (json, strlen (json), &c, err) < 0)
    return NULL;
  return c;
}

static void
test_hooks (void)
{
  yajl_val hooks = at ("hooks", NULL, NULL);

  ok (YAJL_IS_ARRAY (hooks) && hooks->u.array.len == 6, "six hook stages");
  for (size_t i = 0; YAJL_IS_ARRAY (hooks) && i < hooks->u.array.len; i++)
    {
      const char *name = YAJL_GET_STRING (hooks->u.array.values[i]);
      _cleanup_free_ char *frag = xasprintf ("\"hooks\": {\"%s\": [{\"path\": \"/bin/true\"}]}", name);
      struct silo_error *err = NULL;
      oci_config *c = config_with (frag, &err);

      ok (c != NULL && c->hooks != NULL, "hooks.%s is parsed%s%s", name, err ? ": " : "", err ? err->msg : "");
      oci_config_free (c);
      silo_error_free (err);
    }
}

static void
test_mount_options (void)
{
  yajl_val listed = at ("mountOptions", NULL, NULL);
  const char *idmap_path[] = { "linux", "mountExtensions", "idmap", "enabled", NULL };
  bool idmap = YAJL_IS_TRUE (yajl_tree_get (features, idmap_path, yajl_t_any));

  for (size_t i = 0; YAJL_IS_ARRAY (listed) && i < listed->u.array.len; i++)
    {
      char *name = YAJL_GET_STRING (listed->u.array.values[i]);
      struct silo_mount_options o;
      struct silo_error *err = NULL;
      int r = silo_mount_options_parse (&name, 1, &o, &err);

      /* an option the parser does not know would come back as filesystem data */
      ok (r == 0 && o.data == NULL, "mountOptions: `%s` is an option silo knows", name);
      if (r == 0)
        silo_mount_options_release (&o);
      silo_error_free (err);
    }
  for (size_t i = 0; silo_mount_option_name (i) != NULL; i++)
    {
      const char *name = silo_mount_option_name (i);
      bool refused = !idmap && (strcmp (name, "idmap") == 0 || strcmp (name, "ridmap") == 0);

      ok (lists (listed, name) != refused, "parser option `%s` is %s", name,
          refused ? "left out (idmapped mounts are refused)" : "listed");
    }
}

static void
test_namespaces_and_capabilities (void)
{
  yajl_val ns = at ("linux", "namespaces", NULL), caps = at ("linux", "capabilities", NULL);

  for (size_t i = 0; YAJL_IS_ARRAY (ns) && i < ns->u.array.len; i++)
    {
      const char *name = YAJL_GET_STRING (ns->u.array.values[i]);
      _cleanup_free_ char *frag = xasprintf ("\"linux\": {\"namespaces\": [{\"type\": \"%s\"}]}", name);
      struct silo_error *err = NULL;
      oci_config *c = config_with (frag, &err);

      ok (c != NULL && c->linux_->n_namespaces == 1, "namespace `%s` is parsed", name);
      oci_config_free (c);
      silo_error_free (err);
    }
  ok (YAJL_IS_ARRAY (caps) && caps->u.array.len >= 38, "at least the 38 capabilities of Linux 5.9");
  for (size_t i = 0; YAJL_IS_ARRAY (caps) && i < caps->u.array.len; i++)
    {
      char *name = YAJL_GET_STRING (caps->u.array.values[i]);
      char *list[] = { name, NULL };
      oci_capabilities c = { .bounding = list, .effective = list, .permitted = list };
      struct silo_error *err = NULL;

      ok (silo_caps_validate (&c, false, false, &err) == 0, "capability %s is accepted", name);
      silo_error_free (err);
    }
}

/* A profile of one rule, validated and compiled as create would.  */
static bool
seccomp_accepts (const char *action, const char *op, const char *arch, struct silo_error **err)
{
  _cleanup_free_ char *frag = xasprintf (
    "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"%s\"], "
    "\"listenerPath\": \"/run/agent.sock\", \"syscalls\": [{\"names\": [\"getcwd\"], \"action\": \"%s\", "
    "\"args\": [{\"index\": 0, \"value\": 1, \"valueTwo\": 1, \"op\": \"%s\"}]}]}}", arch, action, op);
  oci_config *c = config_with (frag, err);
  struct silo_seccomp_filter f = { 0 };
  bool good = c != NULL && silo_seccomp_validate (c->linux_->seccomp, err) == 0
              && silo_seccomp_compile (c->linux_->seccomp, NULL, &f, err) == 0;

  silo_seccomp_filter_release (&f);
  oci_config_free (c);
  return good;
}

static void
test_seccomp (void)
{
  yajl_val actions = at ("linux", "seccomp", "actions"), ops = at ("linux", "seccomp", "operators");
  yajl_val archs = at ("linux", "seccomp", "archs");
  struct silo_error *err = NULL;

  for (size_t i = 0; YAJL_IS_ARRAY (actions) && i < actions->u.array.len; i++)
    {
      const char *a = YAJL_GET_STRING (actions->u.array.values[i]);
      ok (seccomp_accepts (a, "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", &err), "seccomp action %s%s%s", a,
          err ? ": " : "", err ? err->msg : "");
      silo_error_freep (&err);
    }
  for (size_t i = 0; YAJL_IS_ARRAY (ops) && i < ops->u.array.len; i++)
    {
      const char *o = YAJL_GET_STRING (ops->u.array.values[i]);
      ok (seccomp_accepts ("SCMP_ACT_ERRNO", o, "SCMP_ARCH_X86_64", &err), "seccomp operator %s%s%s", o,
          err ? ": " : "", err ? err->msg : "");
      silo_error_freep (&err);
    }
  for (size_t i = 0; YAJL_IS_ARRAY (archs) && i < archs->u.array.len; i++)
    {
      const char *a = YAJL_GET_STRING (archs->u.array.values[i]);
      ok (seccomp_accepts ("SCMP_ACT_ERRNO", "SCMP_CMP_EQ", a, &err), "seccomp arch %s%s%s", a,
          err ? ": " : "", err ? err->msg : "");
      silo_error_freep (&err);
    }
  /* the check itself can fail: a made-up action is refused */
  ok (!seccomp_accepts ("SCMP_ACT_MADE_UP", "SCMP_CMP_EQ", "SCMP_ARCH_X86_64", &err),
      "a made-up action is refused");
  silo_error_freep (&err);
}

int
main (void)
{
  _cleanup_free_ char *json = NULL;
  struct silo_error *err = NULL;
  char message[256];

  ok (silo_features_generate (&json, &err) == 0, "features.json is generated");
  features = json != NULL ? yajl_tree_parse (json, message, sizeof message) : NULL;
  ok (features != NULL, "features.json parses");
  if (features == NULL)
    return tap_done ();
#ifdef SILO_HAVE_SYSTEMD
  ok (YAJL_IS_TRUE (at ("linux", "cgroup", "systemd")), "the systemd cgroup driver is claimed (built in)");
#else
  ok (YAJL_IS_FALSE (at ("linux", "cgroup", "systemd")), "no systemd cgroup driver claimed (built without)");
#endif
  ok (YAJL_IS_FALSE (at ("linux", "cgroup", "systemdUser")), "no systemd user instance claimed");
  test_hooks ();
  test_mount_options ();
  test_namespaces_and_capabilities ();
  test_seccomp ();
  yajl_tree_free (features);
  silo_error_free (err);
  return tap_done ();
}
