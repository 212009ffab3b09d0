/* Print every property of config.json that silo reads, one a line, by walking
 * libocispec's tables (libocispec/config.c) from the document down: "JSON-PATH<TAB>KIND".
 * Arrays of objects are written `mounts[]`, maps `annotations.*`, keyed objects
 * `linux.netDevices.*`.  tests/spec-coverage/generate.sh turns the list into
 * docs/spec-coverage.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "spec.h"

static const char *const kind_names[] = {
  [OCI_STRING] = "string", [OCI_BOOL] = "bool", [OCI_I32] = "int32", [OCI_I64] = "int64",
  [OCI_U16] = "uint16", [OCI_U32] = "uint32", [OCI_U64] = "uint64", [OCI_ENUM] = "string (enum)",
  [OCI_STRINGS] = "array of strings", [OCI_U32S] = "array of uint32", [OCI_MAP] = "map of strings",
  [OCI_OBJECT] = "object", [OCI_INLINE] = "object", [OCI_OBJECTS] = "array of objects",
  [OCI_KEYED] = "map of objects",
};

static void
walk (const struct oci_spec *spec, const char *prefix)
{
  for (size_t i = 0; i < spec->n_fields; i++)
    {
      const struct oci_field *f = &spec->fields[i];
      char path[512];
      const char *kind = kind_names[f->kind];

      snprintf (path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->name);
      if (f->values != NULL && f->kind == OCI_STRING)
        kind = "string (enum)";
      printf ("%s\t%s\n", path, kind);
      if (f->kind == OCI_MAP)
        printf ("%s.*\tstring\n", path);
      if (f->spec == NULL)
        continue;
      if (f->kind == OCI_OBJECTS)
        snprintf (path + strlen (path), sizeof path - strlen (path), "[]");
      else if (f->kind == OCI_KEYED)
        snprintf (path + strlen (path), sizeof path - strlen (path), ".*");
      walk (f->spec, path);
    }
}

int
main (void)
{
  walk (&oci_config_spec, "");
  return fflush (stdout) == 0 ? 0 : 1;
}
