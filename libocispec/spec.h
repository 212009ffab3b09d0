/* libocispec internal: documents described by tables.
 *
 * Each JSON object of a document is described by an oci_spec: the size of its C struct
 * and one oci_field per property (JSON name, kind, offset of the member, offset of its
 * has_ flag or count, whether it is required, its range, its allowed values, a check).
 * Three generic walkers use the same tables: spec-parse.c (JSON -> struct, with every
 * type, range and enum check), spec-generate.c (struct -> canonical JSON, properties in
 * table order; and the free walker).  The tables themselves are in config.c and
 * state-json.c and are the documentation of what silo accepts.
 *
 * Rules the walkers apply:
 *  - unknown properties are ignored, as the runtime-spec requires; null counts as absent;
 *  - a property given twice in one object, or a map key given twice, is an error: JSON
 *    parsers disagree on which one wins, and silo must not read a config differently
 *    from the tool that wrote or checked it;
 *  - strings may not contain NUL bytes; string arrays are also NULL-terminated;
 *  - an object's `check` runs after all its properties were parsed (cross-field rules).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_OCI_SPEC_H
#define SILO_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "oci.h"
#include "util.h"

enum oci_kind
{
  OCI_STRING,    /* char * */
  OCI_BOOL,      /* bool */
  OCI_I32, OCI_I64, OCI_U16, OCI_U32, OCI_U64,   /* integers of that C type */
  OCI_ENUM,      /* a string in JSON, the index of it in `values` (a C enum) in memory */
  OCI_STRINGS,   /* char ** + size_t count */
  OCI_U32S,      /* uint32_t * + size_t count */
  OCI_MAP,       /* oci_map: JSON object of strings */
  OCI_OBJECT,    /* pointer to a struct described by `spec` */
  OCI_INLINE,    /* struct described by `spec`, embedded at `offset` */
  OCI_OBJECTS,   /* array of structs described by `spec` + size_t count */
  OCI_KEYED,     /* JSON object of objects -> array of structs, name at spec->key_offset */
};

/* Where an error is: "linux.resources.devices[2].major".  Built as the walkers descend,
 * turned into text only when something fails.  */
#define OCI_PATH_MAX 24
struct oci_path
{
  struct { const char *name; size_t len; size_t index; } segment[OCI_PATH_MAX];
  size_t depth;
};

void oci_path_push (struct oci_path *path, const char *name, size_t len);
void oci_path_push_index (struct oci_path *path, size_t index);
void oci_path_pop (struct oci_path *path);
/* The path as text (PATH.name when name is not NULL); caller frees.  */
char *oci_path_text (const struct oci_path *path, const char *name);
/* silo_fail with "PATH: " before the message (PATH.name when name is not NULL).  */
int oci_path_fail (struct oci_path *path, const char *name, struct silo_error **err,
                   const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

typedef int (*oci_string_check) (const char *value, struct oci_path *path,
                                 struct silo_error **err);
typedef int (*oci_object_check) (void *object, const struct json_value *node,
                                 struct oci_path *path, struct silo_error **err);

struct oci_enum
{
  const char *what;            /* "namespace type", for messages */
  const char *const *names;    /* NULL-terminated */
};

struct oci_spec;

struct oci_field
{
  const char *name;
  enum oci_kind kind;
  size_t offset;
  bool required;
  bool has_flag; size_t has;           /* offset of the `bool has_x` member */
  size_t count;                        /* arrays: offset of the `size_t n_x` member */
  bool ranged; int64_t min, max;       /* tighter than the C type's range */
  const struct oci_spec *spec;         /* OBJECT, INLINE, OBJECTS, KEYED */
  const struct oci_enum *values;       /* STRING, STRINGS, ENUM */
  oci_string_check check;              /* STRING, STRINGS: each value */
};

struct oci_spec
{
  size_t size;
  const struct oci_field *fields;
  size_t n_fields;                     /* at most 64 */
  size_t key_offset;                   /* KEYED elements: the `char *` for the member name */
  oci_object_check check;
};

/* Table-writing shorthands.  */
#define OCI_FIELD(T, json, k, member, ...) \
  { .name = json, .kind = k, .offset = offsetof (T, member), __VA_ARGS__ }
#define OCI_REQUIRED .required = true
#define OCI_HAS(T, member) .has_flag = true, .has = offsetof (T, member)
#define OCI_COUNT(T, member) .count = offsetof (T, member)
#define OCI_RANGE(lo, hi) .ranged = true, .min = (lo), .max = (hi)
#define OCI_SPEC(T, fields_, ...) \
  { .size = sizeof (T), .fields = fields_, .n_fields = SILO_ARRAY_SIZE (fields_), __VA_ARGS__ }

/* Walkers.  `object` is the struct the spec describes.  */
int oci_spec_parse_object (const struct oci_spec *spec, const struct json_value *node,
                           void *object, struct oci_path *path, struct silo_error **err);
void oci_spec_generate_object (const struct oci_spec *spec, const void *object, yajl_gen g);
void oci_spec_free_object (const struct oci_spec *spec, void *object);  /* members only */

/* Whole documents whose top level is an object described by spec.  */
int oci_spec_parse_document (const struct oci_spec *spec, const char *json, size_t len,
                             bool check_utf8, void **out, struct silo_error **err);
char *oci_spec_generate_document (const struct oci_spec *spec, const void *object, size_t *len);
void oci_spec_free_document (const struct oci_spec *spec, void *object);

/* The config.json document (config.c), embedded in silo's state file (state-json.c).  */
extern const struct oci_spec oci_config_spec;

/* Index of value in e->names, or -1.  */
int oci_enum_lookup (const struct oci_enum *e, const char *value);

#endif
