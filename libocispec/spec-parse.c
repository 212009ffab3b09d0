/* libocispec: the generic table-driven parser: JSON document -> C structs, checking types,
 * integer ranges, enum values, required properties and duplicates on the way.  See spec.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spec.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_field (const struct oci_field *f, const struct json_value *v, char *base,
                        struct oci_path *path, struct silo_error **err);

/* ---- paths ---------------------------------------------------------------------- */

void
oci_path_push (struct oci_path *path, const char *name, size_t len)
{
  if (path->depth < OCI_PATH_MAX)
    {
      path->segment[path->depth].name = name;
      path->segment[path->depth].len = len;
    }
  path->depth++;
}

void
oci_path_push_index (struct oci_path *path, size_t index)
{
  if (path->depth < OCI_PATH_MAX)
    {
      path->segment[path->depth].name = NULL;
      path->segment[path->depth].index = index;
    }
  path->depth++;
}

void
oci_path_pop (struct oci_path *path)
{
  path->depth--;
}

static void
path_print (FILE *f, const struct oci_path *path, const char *name)
{
  size_t depth = path->depth < OCI_PATH_MAX ? path->depth : OCI_PATH_MAX;
  bool first = true;

  for (size_t i = 0; i < depth; i++)
    {
      if (path->segment[i].name == NULL)
        fprintf (f, "[%zu]", path->segment[i].index);
      else
        fprintf (f, "%s%.*s", first ? "" : ".", (int) path->segment[i].len, path->segment[i].name);
      first = false;
    }
  if (name != NULL)
    fprintf (f, "%s%s", first ? "" : ".", name);
}

char *
oci_path_text (const struct oci_path *path, const char *name)
{
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&text, &size);

  if (f == NULL)
    abort ();
  path_print (f, path, name);
  if (fclose (f) != 0 || text == NULL)
    abort ();
  return text;
}

int
oci_path_fail (struct oci_path *path, const char *name, struct silo_error **err,
               const char *fmt, ...)
{
  _cleanup_free_ char *where = oci_path_text (path, name), *what = NULL;
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = vasprintf (&what, fmt, ap);
  va_end (ap);
  if (ret < 0)
    abort ();
  if (where[0] == '\0')
    return silo_fail (err, 0, "%s", what);
  return silo_fail (err, 0, "%s: %s", where, what);
}

/* ---- scalars -------------------------------------------------------------------- */

int
oci_enum_lookup (const struct oci_enum *e, const char *value)
{
  for (int i = 0; e->names[i] != NULL; i++)
    if (strcmp (e->names[i], value) == 0)
      return i;
  return -1;
}

static int
enum_error (const struct oci_enum *e, const char *value, struct oci_path *path,
            struct silo_error **err)
{
  _cleanup_free_ char *list = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&list, &size);

  if (f == NULL)
    abort ();
  for (size_t i = 0; e->names[i] != NULL; i++)
    fprintf (f, "%s%s", i ? ", " : "", e->names[i]);
  fclose (f);
  return oci_path_fail (path, NULL, err, "unknown %s `%s` (expected one of: %s)", e->what, value,
                        list);
}

static int
parse_string (const struct oci_field *f, const struct json_value *v, char **out,
              struct oci_path *path, struct silo_error **err)
{
  if (v->type != JSON_STRING)
    return oci_path_fail (path, NULL, err, "expected a string, got %s", json_describe (v));
  if (memchr (v->text, '\0', v->len) != NULL)
    return oci_path_fail (path, NULL, err, "contains a NUL byte");
  if (f->values != NULL && oci_enum_lookup (f->values, v->text) < 0)
    return enum_error (f->values, v->text, path, err);
  if (f->check != NULL && f->check (v->text, path, err) < 0)
    return -1;
  *out = xmalloc0 (v->len + 1);
  memcpy (*out, v->text, v->len);
  return 0;
}

/* Sign and magnitude of a JSON integer.  1: not an integer (fraction or exponent);
 * 2: magnitude above UINT64_MAX.  */
static int
split_integer (const char *text, bool *negative, uint64_t *magnitude)
{
  bool overflow = false;
  uint64_t m = 0;

  *negative = *text == '-';
  text += *negative;
  if (*text == '\0')
    return 1;
  for (; *text != '\0'; text++)
    {
      unsigned digit = (unsigned) (*text - '0');
      if (digit > 9)
        return 1;
      if (m > (UINT64_MAX - digit) / 10)
        overflow = true;
      m = m * 10 + digit;
    }
  *magnitude = m;
  return overflow ? 2 : 0;
}

struct integer_range
{
  bool is_signed;
  int64_t min, max;     /* signed kinds */
  uint64_t umin, umax;  /* unsigned kinds */
};

static struct integer_range
field_range (const struct oci_field *f, enum oci_kind kind)
{
  struct integer_range r = { .is_signed = kind == OCI_I32 || kind == OCI_I64 };

  r.min = kind == OCI_I32 ? INT32_MIN : INT64_MIN;
  r.max = kind == OCI_I32 ? INT32_MAX : INT64_MAX;
  r.umax = kind == OCI_U16 ? UINT16_MAX : kind == OCI_U32 ? UINT32_MAX : UINT64_MAX;
  if (f->ranged && r.is_signed)
    {
      r.min = f->min > r.min ? f->min : r.min;
      r.max = f->max < r.max ? f->max : r.max;
    }
  else if (f->ranged)
    {
      r.umin = f->min > 0 ? (uint64_t) f->min : 0;
      r.umax = (uint64_t) f->max < r.umax ? (uint64_t) f->max : r.umax;
    }
  return r;
}

/* Parse an integer of the given kind; *out gets it as int64 or uint64 bits.  */
static int
parse_integer (const struct oci_field *f, enum oci_kind kind, const struct json_value *v,
               uint64_t *out, struct oci_path *path, struct silo_error **err)
{
  struct integer_range r = field_range (f, kind);
  bool negative = false, fits;
  uint64_t m = 0;
  int split;

  if (v->type != JSON_NUMBER)
    return oci_path_fail (path, NULL, err, "expected an integer, got %s", json_describe (v));
  split = split_integer (v->text, &negative, &m);
  if (split == 1)
    return oci_path_fail (path, NULL, err, "expected an integer, got %s", v->text);
  if (r.is_signed)
    {
      /* -m computed as -(m - 1) - 1 so that INT64_MIN does not overflow.  */
      bool representable = negative ? m <= (uint64_t) INT64_MAX + 1 : m <= (uint64_t) INT64_MAX;
      int64_t s = !representable ? 0 : !negative ? (int64_t) m : m == 0 ? 0
                  : -(int64_t) (m - 1) - 1;
      fits = split == 0 && representable && s >= r.min && s <= r.max;
      *out = (uint64_t) s;
      if (!fits)
        return oci_path_fail (path, NULL, err, "%s is out of range (%" PRId64 " to %" PRId64 ")",
                              v->text, r.min, r.max);
      return 0;
    }
  fits = split == 0 && (!negative || m == 0) && m >= r.umin && m <= r.umax;
  *out = negative ? 0 : m;
  if (!fits)
    return oci_path_fail (path, NULL, err, "%s is out of range (%" PRIu64 " to %" PRIu64 ")",
                          v->text, r.umin, r.umax);
  return 0;
}

static void
store_integer (enum oci_kind kind, void *p, uint64_t bits)
{
  switch (kind)
    {
    case OCI_I32:
      *(int32_t *) p = (int32_t) (int64_t) bits;
      break;
    case OCI_I64:
      *(int64_t *) p = (int64_t) bits;
      break;
    case OCI_U16:
      *(uint16_t *) p = (uint16_t) bits;
      break;
    case OCI_U32:
      *(uint32_t *) p = (uint32_t) bits;
      break;
    default:
      *(uint64_t *) p = bits;
      break;
    }
}

static int
parse_enum (const struct oci_field *f, const struct json_value *v, int *out,
            struct oci_path *path, struct silo_error **err)
{
  int index;
  if (v->type != JSON_STRING)
    return oci_path_fail (path, NULL, err, "expected a string, got %s", json_describe (v));
  index = memchr (v->text, '\0', v->len) ? -1 : oci_enum_lookup (f->values, v->text);
  if (index < 0)
    return enum_error (f->values, v->text, path, err);
  *out = index;
  return 0;
}

/* ---- arrays and maps ------------------------------------------------------------ */

static int
expect (const struct json_value *v, enum json_type type, const char *what,
        struct oci_path *path, struct silo_error **err)
{
  if (v->type == type)
    return 0;
  return oci_path_fail (path, NULL, err, "expected %s, got %s", what, json_describe (v));
}

static int
parse_strings (const struct oci_field *f, const struct json_value *v, char *base,
               struct oci_path *path, struct silo_error **err)
{
  char **list;

  if (expect (v, JSON_ARRAY, "an array of strings", path, err) < 0)
    return -1;
  list = xmalloc0 ((v->len + 1) * sizeof (char *));
  *(char ***) (base + f->offset) = list;
  *(size_t *) (base + f->count) = v->len;
  for (size_t i = 0; i < v->len; i++)
    {
      oci_path_push_index (path, i);
      if (parse_string (f, &v->items[i], &list[i], path, err) < 0)
        return -1;
      oci_path_pop (path);
    }
  return 0;
}

static int
parse_u32s (const struct oci_field *f, const struct json_value *v, char *base,
            struct oci_path *path, struct silo_error **err)
{
  uint32_t *list;

  if (expect (v, JSON_ARRAY, "an array of integers", path, err) < 0)
    return -1;
  list = v->len ? xmalloc0 (v->len * sizeof (uint32_t)) : NULL;
  *(uint32_t **) (base + f->offset) = list;
  *(size_t *) (base + f->count) = v->len;
  for (size_t i = 0; i < v->len; i++)
    {
      uint64_t bits;
      oci_path_push_index (path, i);
      if (parse_integer (f, OCI_U32, &v->items[i], &bits, path, err) < 0)
        return -1;
      list[i] = (uint32_t) bits;
      oci_path_pop (path);
    }
  return 0;
}

static int
compare_members (const void *a, const void *b)
{
  const struct json_member *x = *(const struct json_member *const *) a;
  const struct json_member *y = *(const struct json_member *const *) b;
  int c = memcmp (x->key, y->key, x->key_len < y->key_len ? x->key_len : y->key_len);
  return c != 0 ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Map keys: not empty, no NUL, no key twice (sorted copy: O(n log n) for big maps).  */
static int
check_keys (const struct json_value *v, struct oci_path *path, struct silo_error **err)
{
  _cleanup_free_ const struct json_member **sorted = NULL;

  for (size_t i = 0; i < v->len; i++)
    if (v->members[i].key_len == 0 || memchr (v->members[i].key, '\0', v->members[i].key_len))
      return oci_path_fail (path, NULL, err, "keys must be non-empty and free of NUL bytes");
  if (v->len < 2)
    return 0;
  sorted = xmalloc0 (v->len * sizeof (*sorted));
  for (size_t i = 0; i < v->len; i++)
    sorted[i] = &v->members[i];
  qsort (sorted, v->len, sizeof (*sorted), compare_members);
  for (size_t i = 1; i < v->len; i++)
    if (compare_members (&sorted[i - 1], &sorted[i]) == 0)
      return oci_path_fail (path, NULL, err, "key `%s` appears twice", sorted[i]->key);
  return 0;
}

static int
parse_map (const struct oci_field *f, const struct json_value *v, char *base,
           struct oci_path *path, struct silo_error **err)
{
  oci_map *map = (oci_map *) (base + f->offset);

  if (expect (v, JSON_OBJECT, "an object of strings", path, err) < 0
      || check_keys (v, path, err) < 0)
    return -1;
  map->keys = xmalloc0 ((v->len + 1) * sizeof (char *));
  map->values = xmalloc0 ((v->len + 1) * sizeof (char *));
  map->len = v->len;
  for (size_t i = 0; i < v->len; i++)
    {
      const struct json_member *m = &v->members[i];
      oci_path_push (path, m->key, m->key_len);
      if (parse_string (f, &m->value, &map->values[i], path, err) < 0)
        return -1;
      map->keys[i] = xstrdup (m->key);
      oci_path_pop (path);
    }
  return 0;
}

static int
parse_objects (const struct oci_field *f, const struct json_value *v, char *base,
               struct oci_path *path, struct silo_error **err)
{
  const struct oci_spec *spec = f->spec;
  char *list;

  if (expect (v, JSON_ARRAY, "an array of objects", path, err) < 0)
    return -1;
  list = v->len ? xmalloc0 (v->len * spec->size) : NULL;
  *(char **) (base + f->offset) = list;
  *(size_t *) (base + f->count) = v->len;
  for (size_t i = 0; i < v->len; i++)
    {
      oci_path_push_index (path, i);
      if (oci_spec_parse_object (spec, &v->items[i], list + i * spec->size, path, err) < 0)
        return -1;
      oci_path_pop (path);
    }
  return 0;
}

static int
parse_keyed (const struct oci_field *f, const struct json_value *v, char *base,
             struct oci_path *path, struct silo_error **err)
{
  const struct oci_spec *spec = f->spec;
  char *list;

  if (expect (v, JSON_OBJECT, "an object", path, err) < 0 || check_keys (v, path, err) < 0)
    return -1;
  list = v->len ? xmalloc0 (v->len * spec->size) : NULL;
  *(char **) (base + f->offset) = list;
  *(size_t *) (base + f->count) = v->len;
  for (size_t i = 0; i < v->len; i++)
    {
      const struct json_member *m = &v->members[i];
      char *element = list + i * spec->size;
      *(char **) (element + spec->key_offset) = xstrdup (m->key);
      oci_path_push (path, m->key, m->key_len);
      if (oci_spec_parse_object (spec, &m->value, element, path, err) < 0)
        return -1;
      oci_path_pop (path);
    }
  return 0;
}

/* ---- objects -------------------------------------------------------------------- */

static int
parse_field (const struct oci_field *f, const struct json_value *v, char *base,
             struct oci_path *path, struct silo_error **err)
{
  uint64_t bits;
  void **object;

  switch (f->kind)
    {
    case OCI_STRING:
      return parse_string (f, v, (char **) (base + f->offset), path, err);
    case OCI_BOOL:
      if (expect (v, JSON_BOOL, "a boolean", path, err) < 0)
        return -1;
      *(bool *) (base + f->offset) = v->boolean;
      return 0;
    case OCI_I32: case OCI_I64: case OCI_U16: case OCI_U32: case OCI_U64:
      if (parse_integer (f, f->kind, v, &bits, path, err) < 0)
        return -1;
      store_integer (f->kind, base + f->offset, bits);
      return 0;
    case OCI_ENUM:
      return parse_enum (f, v, (int *) (base + f->offset), path, err);
    case OCI_STRINGS:
      return parse_strings (f, v, base, path, err);
    case OCI_U32S:
      return parse_u32s (f, v, base, path, err);
    case OCI_MAP:
      return parse_map (f, v, base, path, err);
    case OCI_OBJECT:
      object = (void **) (base + f->offset);
      *object = xmalloc0 (f->spec->size);
      return oci_spec_parse_object (f->spec, v, *object, path, err);
    case OCI_INLINE:
      return oci_spec_parse_object (f->spec, v, base + f->offset, path, err);
    case OCI_OBJECTS:
      return parse_objects (f, v, base, path, err);
    case OCI_KEYED:
      return parse_keyed (f, v, base, path, err);
    }
  abort ();
}

static const struct oci_field *
find_field (const struct oci_spec *spec, const struct json_member *m, size_t *index)
{
  for (size_t i = 0; i < spec->n_fields; i++)
    {
      const char *name = spec->fields[i].name;
      if (name[0] == m->key[0] && strlen (name) == m->key_len
          && memcmp (name, m->key, m->key_len) == 0)
        {
          *index = i;
          return &spec->fields[i];
        }
    }
  return NULL;
}

int
oci_spec_parse_object (const struct oci_spec *spec, const struct json_value *node, void *object,
                       struct oci_path *path, struct silo_error **err)
{
  uint64_t seen = 0;
  char *base = object;

  if (spec->n_fields > 64)
    abort ();
  if (expect (node, JSON_OBJECT, "an object", path, err) < 0)
    return -1;
  for (size_t i = 0, index = 0; i < node->len; i++)
    {
      const struct json_member *m = &node->members[i];
      const struct oci_field *f = find_field (spec, m, &index);

      if (f == NULL || m->value.type == JSON_NULL)
        continue;   /* unknown properties are ignored, as the spec requires */
      oci_path_push (path, f->name, strlen (f->name));
      if (seen & (UINT64_C (1) << index))
        return oci_path_fail (path, NULL, err, "property given twice");
      seen |= UINT64_C (1) << index;
      if (parse_field (f, &m->value, base, path, err) < 0)
        return -1;
      if (f->has_flag)
        *(bool *) (base + f->has) = true;
      oci_path_pop (path);
    }
  for (size_t i = 0; i < spec->n_fields; i++)
    if (spec->fields[i].required && !(seen & (UINT64_C (1) << i)))
      return oci_path_fail (path, spec->fields[i].name, err, "required property is missing");
  return spec->check != NULL ? spec->check (object, node, path, err) : 0;
}

int
oci_spec_parse_document (const struct oci_spec *spec, const char *json, size_t len,
                         bool check_utf8, void **out, struct silo_error **err)
{
  struct json_document *doc = NULL;
  struct oci_path path = { .depth = 0 };
  void *object;
  int ret;

  *out = NULL;
  if (json_parse (json, len, check_utf8, &doc, err) < 0)
    return -1;
  object = xmalloc0 (spec->size);
  if (json_document_root (doc)->type != JSON_OBJECT)
    ret = silo_fail (err, 0, "expected a JSON object at the top level, got %s",
                     json_describe (json_document_root (doc)));
  else
    ret = oci_spec_parse_object (spec, json_document_root (doc), object, &path, err);
  json_document_free (doc);
  if (ret < 0)
    {
      oci_spec_free_document (spec, object);
      return -1;
    }
  *out = object;
  return 0;
}
