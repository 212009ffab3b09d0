/* silo: features.json (runtime-spec features.md), what `silo features` prints: the spec
 * versions, hooks, mount options, namespaces, capabilities, cgroup and seccomp support of
 * this build on this kernel.  Higher layers (containerd, CRI-O) read it to decide what to
 * ask for; claiming a feature silo lacks would make them build configs that fail.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <seccomp.h>
#ifdef SILO_HAVE_CRIU
#include <criu/version.h>
#endif

#include "seccomp.h"
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "container.h"
#include "idmap.h"
#include "mount.h"
#include "oci.h"
#include "util.h"

static const char *const hooks[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
  NULL
};

static const char *const seccomp_actions[] = {
  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
  NULL
};

static const char *const seccomp_operators[] = {
  "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
  "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL
};

/* Spec name and libseccomp name of each architecture; the list printed is the part this
 * libseccomp knows (2.5 lacks loongarch64, m68k, sh).  */
static const char *const seccomp_archs[][2] = {
  { "SCMP_ARCH_AARCH64", "aarch64" }, { "SCMP_ARCH_ARM", "arm" },
  { "SCMP_ARCH_LOONGARCH64", "loongarch64" }, { "SCMP_ARCH_M68K", "m68k" },
  { "SCMP_ARCH_MIPS", "mips" }, { "SCMP_ARCH_MIPS64", "mips64" },
  { "SCMP_ARCH_MIPS64N32", "mips64n32" }, { "SCMP_ARCH_MIPSEL", "mipsel" },
  { "SCMP_ARCH_MIPSEL64", "mipsel64" }, { "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" },
  { "SCMP_ARCH_PARISC", "parisc" }, { "SCMP_ARCH_PARISC64", "parisc64" },
  { "SCMP_ARCH_PPC", "ppc" }, { "SCMP_ARCH_PPC64", "ppc64" }, { "SCMP_ARCH_PPC64LE", "ppc64le" },
  { "SCMP_ARCH_RISCV64", "riscv64" }, { "SCMP_ARCH_S390", "s390" }, { "SCMP_ARCH_S390X", "s390x" },
  { "SCMP_ARCH_SH", "sh" }, { "SCMP_ARCH_SHEB", "sheb" }, { "SCMP_ARCH_X32", "x32" },
  { "SCMP_ARCH_X86", "x86" }, { "SCMP_ARCH_X86_64", "x86_64" },
};

/* As many as silo_seccomp_flag_name knows.  */
#define MAX_SECCOMP_FLAGS 8

#define N_SECCOMP_ARCHS SILO_ARRAY_SIZE (seccomp_archs)

/* Every option mount.c parses, less the idmap ones while idmapped mounts are refused.  */
static const char **
mount_option_names (bool idmap)
{
  size_t n = 0, k = 0;
  const char **names;

  while (silo_mount_option_name (n) != NULL)
    n++;
  names = xmalloc0 ((n + 1) * sizeof (*names));
  for (size_t i = 0; i < n; i++)
    {
      const char *name = silo_mount_option_name (i);
      if (idmap || (strcmp (name, "idmap") != 0 && strcmp (name, "ridmap") != 0))
        names[k++] = name;
    }
  return names;
}

/* "CAP_CHOWN" ... for every capability both silo's table and the running kernel know.  */
static char **
capability_names (void)
{
  int last = silo_caps_last ();
  char **names = xmalloc0 (((size_t) last + 2) * sizeof (*names));
  size_t k = 0;

  for (int cap = 0; cap <= last; cap++)
    if (oci_capability_name (cap) != NULL)
      names[k++] = xstrdup (oci_capability_name (cap));
  return names;
}

/* Known: every flag silo can pass on; supported: those this kernel takes (silo loads
 * the filter with seccomp(2) itself, so libseccomp's API level does not matter).  */
static void
seccomp_lists (const char **archs, const char **known_flags, const char **supported_flags)
{
  size_t k = 0, s = 0, i;
  unsigned int flag;
  const char *name;

  for (i = 0; i < N_SECCOMP_ARCHS; i++)
    if (seccomp_arch_resolve_name (seccomp_archs[i][1]) != 0)
      archs[k++] = seccomp_archs[i][0];
  archs[k] = NULL;
  for (i = 0; i < MAX_SECCOMP_FLAGS && (name = silo_seccomp_flag_name (i, &flag)) != NULL; i++)
    {
      known_flags[i] = name;
      if (silo_seccomp_flag_supported (flag))
        supported_flags[s++] = name;
    }
  known_flags[i] = NULL;
  supported_flags[s] = NULL;
}

int
silo_features_generate (char **json, struct silo_error **err)
{
  /* features.md leaves annotations to the implementation: with CRIU, `checkpoint` and
   * `restore` exist (io.github.silo.checkpoint), built against that libcriu.  */
  static const char *const annotation_keys[] = {
    "io.github.silo.commit", "io.github.silo.version",
#ifdef SILO_HAVE_CRIU
    "io.github.silo.checkpoint", "io.github.silo.criu.version",
#endif
    NULL
  };
  static const char *const annotation_values[] = {
    SILO_GIT_COMMIT, PACKAGE_VERSION,
#ifdef SILO_HAVE_CRIU
    "criu", CRIU_VERSION,
#endif
    NULL
  };
  const char *namespaces[OCI_NS__COUNT + 1] = { NULL };
  const char *archs[N_SECCOMP_ARCHS + 1], *known_flags[MAX_SECCOMP_FLAGS + 1],
    *supported_flags[MAX_SECCOMP_FLAGS + 1];
  _cleanup_strv_ char **capabilities = capability_names ();
  const bool idmap = silo_idmap_supported ();
  _cleanup_free_ const char **mount_options = mount_option_names (idmap);
  oci_features f = {
    .oci_version_min = "1.0.0", .oci_version_max = OCI_SPEC_VERSION,
    .hooks = hooks, .mount_options = mount_options, .namespaces = namespaces,
    .capabilities = (const char *const *) capabilities,
    .cgroup_v1 = true, .cgroup_v2 = true, .cgroup_rdma = true, .idmap_enabled = idmap,
#ifdef SILO_HAVE_SYSTEMD
    .cgroup_systemd = true,   /* root, pure v2 (cgroup/systemd.h); no user instance */
#endif
    .intel_rdt_enabled = true, .net_devices_enabled = true,
    .apparmor_enabled = true, .selinux_enabled = true,
    .seccomp_enabled = true, .seccomp_actions = seccomp_actions,
    .seccomp_operators = seccomp_operators, .seccomp_archs = archs,
    .seccomp_known_flags = known_flags, .seccomp_supported_flags = supported_flags,
    .annotation_keys = annotation_keys, .annotation_values = annotation_values,
  };

  for (int t = 0; t < OCI_NS__COUNT; t++)
    namespaces[t] = oci_namespace_type_name ((oci_namespace_type) t);
  seccomp_lists (archs, known_flags, supported_flags);
  return oci_features_generate (&f, json, NULL, err);
}
