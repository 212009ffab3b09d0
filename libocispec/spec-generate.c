/* libocispec: the generic table-driven generator (C structs -> compact JSON, properties in
 * table order, absent optional properties left out) and the matching free walker.
 * See spec.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

static bool field_present (const struct oci_field *f, const char *base);

static size_t
array_count (const struct oci_field *f, const char *base)
{
  return *(const size_t *) (base + f->count);
}

static bool
any_field_present (const struct oci_spec *spec, const char *base)
{
  for (size_t i = 0; i < spec->n_fields; i++)
    if (field_present (&spec->fields[i], base))
      return true;
  return false;
}

static bool
field_present (const struct oci_field *f, const char *base)
{
  const char *p = base + f->offset;

  if (f->required)
    return true;
  if (f->has_flag)
    return *(const bool *) (base + f->has);
  switch (f->kind)
    {
    case OCI_STRING:
    case OCI_OBJECT:
      return *(void *const *) p != NULL;
    case OCI_BOOL:
      return *(const bool *) p;
    case OCI_STRINGS:
    case OCI_U32S:
    case OCI_OBJECTS:
    case OCI_KEYED:
      return array_count (f, base) > 0;
    case OCI_MAP:
      return ((const oci_map *) p)->len > 0;
    case OCI_INLINE:
      return any_field_present (f->spec, p);
    default:
      return true;   /* integers and enums without a has_ flag always have a value */
    }
}

static void
generate_enum (const struct oci_field *f, int index, yajl_gen g)
{
  for (int i = 0; f->values->names[i] != NULL; i++)
    if (i == index)
      {
        json_gen_text (g, f->values->names[i]);
        return;
      }
  yajl_gen_null (g);
}

static void
generate_list (const struct oci_field *f, const char *base, yajl_gen g)
{
  size_t n = array_count (f, base);
  const char *list = *(const char *const *) (base + f->offset);

  yajl_gen_array_open (g);
  for (size_t i = 0; i < n; i++)
    {
      if (f->kind == OCI_STRINGS)
        json_gen_text (g, ((char *const *) list)[i]);
      else if (f->kind == OCI_U32S)
        json_gen_i64 (g, ((const uint32_t *) list)[i]);
      else
        oci_spec_generate_object (f->spec, list + i * f->spec->size, g);
    }
  yajl_gen_array_close (g);
}

static void
generate_keyed (const struct oci_field *f, const char *base, yajl_gen g)
{
  size_t n = array_count (f, base);
  const char *list = *(const char *const *) (base + f->offset);

  yajl_gen_map_open (g);
  for (size_t i = 0; i < n; i++)
    {
      const char *element = list + i * f->spec->size;
      json_gen_text (g, *(char *const *) (element + f->spec->key_offset));
      oci_spec_generate_object (f->spec, element, g);
    }
  yajl_gen_map_close (g);
}

static void
generate_field (const struct oci_field *f, const char *base, yajl_gen g)
{
  const char *p = base + f->offset;
  const oci_map *map = (const oci_map *) p;

  switch (f->kind)
    {
    case OCI_STRING:
      json_gen_text (g, *(char *const *) p);
      return;
    case OCI_BOOL:
      yajl_gen_bool (g, *(const bool *) p);
      return;
    case OCI_I32:
      json_gen_i64 (g, *(const int32_t *) p);
      return;
    case OCI_I64:
      json_gen_i64 (g, *(const int64_t *) p);
      return;
    case OCI_U16:
      json_gen_i64 (g, *(const uint16_t *) p);
      return;
    case OCI_U32:
      json_gen_i64 (g, *(const uint32_t *) p);
      return;
    case OCI_U64:
      json_gen_u64 (g, *(const uint64_t *) p);
      return;
    case OCI_ENUM:
      generate_enum (f, *(const int *) p, g);
      return;
    case OCI_MAP:
      yajl_gen_map_open (g);
      for (size_t i = 0; i < map->len; i++)
        {
          json_gen_text (g, map->keys[i]);
          json_gen_text (g, map->values[i]);
        }
      yajl_gen_map_close (g);
      return;
    case OCI_OBJECT:
      oci_spec_generate_object (f->spec, *(void *const *) p, g);
      return;
    case OCI_INLINE:
      oci_spec_generate_object (f->spec, p, g);
      return;
    case OCI_KEYED:
      generate_keyed (f, base, g);
      return;
    case OCI_STRINGS:
    case OCI_U32S:
    case OCI_OBJECTS:
      generate_list (f, base, g);
      return;
    }
}

void
oci_spec_generate_object (const struct oci_spec *spec, const void *object, yajl_gen g)
{
  const char *base = object;

  yajl_gen_map_open (g);
  for (size_t i = 0; i < spec->n_fields; i++)
    if (field_present (&spec->fields[i], base))
      {
        json_gen_key (g, spec->fields[i].name);
        generate_field (&spec->fields[i], base, g);
      }
  yajl_gen_map_close (g);
}

char *
oci_spec_generate_document (const struct oci_spec *spec, const void *object, size_t *len)
{
  yajl_gen g = json_gen_new ();
  oci_spec_generate_object (spec, object, g);
  return json_gen_finish (g, len);
}

/* ---- free ----------------------------------------------------------------------- */

static void
free_map (oci_map *map)
{
  for (size_t i = 0; i < map->len; i++)
    {
      free (map->keys[i]);
      free (map->values[i]);
    }
  free (map->keys);
  free (map->values);
}

static void
free_list (const struct oci_field *f, char *base)
{
  char *list = *(char **) (base + f->offset);
  size_t n = array_count (f, base);

  for (size_t i = 0; i < n; i++)
    {
      char *element = list + i * (f->kind == OCI_STRINGS ? sizeof (char *) : f->spec->size);
      if (f->kind == OCI_STRINGS)
        free (*(char **) element);
      else
        {
          if (f->kind == OCI_KEYED)
            free (*(char **) (element + f->spec->key_offset));
          oci_spec_free_object (f->spec, element);
        }
    }
  free (list);
}

static void
free_field (const struct oci_field *f, char *base)
{
  char *p = base + f->offset;

  switch (f->kind)
    {
    case OCI_STRING:
    case OCI_U32S:
      free (*(void **) p);
      return;
    case OCI_STRINGS:
    case OCI_OBJECTS:
    case OCI_KEYED:
      free_list (f, base);
      return;
    case OCI_MAP:
      free_map ((oci_map *) p);
      return;
    case OCI_OBJECT:
      oci_spec_free_document (f->spec, *(void **) p);
      return;
    case OCI_INLINE:
      oci_spec_free_object (f->spec, p);
      return;
    default:
      return;   /* scalars own nothing */
    }
}

void
oci_spec_free_object (const struct oci_spec *spec, void *object)
{
  for (size_t i = 0; i < spec->n_fields; i++)
    free_field (&spec->fields[i], object);
}

void
oci_spec_free_document (const struct oci_spec *spec, void *object)
{
  if (object == NULL)
    return;
  oci_spec_free_object (spec, object);
  free (object);
}
