/* libocispec: JSON input.  yajl's event parser feeds a builder that keeps the values of
 * every open container on one stack; when a container closes, its values are copied into
 * the arena as one array.  Every step is amortised O(1): a 10 MB config parses in one pass.
 * See json.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "util.h"

#define ARENA_FIRST_BLOCK (64 * 1024)
#define ARENA_MAX_BLOCK (8 * 1024 * 1024)

struct arena_block
{
  struct arena_block *next;
  size_t used, size;
  _Alignas (16) char data[];
};

struct json_document
{
  struct arena_block *blocks;
  size_t first_block;   /* sized to the text: a small state file is not a 64 KiB memset */
  struct json_value root;
};

struct json_frame
{
  size_t start;          /* first stack slot of this container's values */
  const char *key;       /* the member name this container is the value of */
  size_t key_len;
};

struct json_builder
{
  struct json_document *doc;
  struct json_member *stack;
  size_t n_stack, stack_size;
  struct json_frame frames[JSON_MAX_DEPTH];
  size_t depth;
  const char *key;
  size_t key_len;
  bool too_deep;
};

static void *
arena_alloc (struct json_document *doc, size_t size)
{
  struct arena_block *b = doc->blocks;
  size = (size + 15) & ~(size_t) 15;
  if (b == NULL || b->size - b->used < size)
    {
      size_t block_size = b == NULL ? doc->first_block : b->size * 2;
      if (block_size > ARENA_MAX_BLOCK)
        block_size = ARENA_MAX_BLOCK;
      if (block_size < size)
        block_size = size;
      b = xmalloc0 (sizeof (*b) + block_size);
      b->size = block_size;
      b->next = doc->blocks;
      doc->blocks = b;
    }
  b->used += size;
  return b->data + b->used - size;
}

static const char *
arena_text (struct json_document *doc, const unsigned char *s, size_t len)
{
  char *copy = arena_alloc (doc, len + 1);
  memcpy (copy, s, len);
  copy[len] = '\0';
  return copy;
}

static int
push_value (struct json_builder *b, const struct json_value *v)
{
  if (b->n_stack == b->stack_size)
    {
      b->stack_size = b->stack_size ? b->stack_size * 2 : 256;
      b->stack = xrealloc (b->stack, b->stack_size * sizeof (*b->stack));
    }
  b->stack[b->n_stack++] = (struct json_member) { b->key, b->key_len, *v };
  b->key = NULL;
  b->key_len = 0;
  return 1;
}

static int
on_null (void *ctx)
{
  return push_value (ctx, &(struct json_value) { .type = JSON_NULL });
}

static int
on_boolean (void *ctx, int value)
{
  return push_value (ctx, &(struct json_value) { .type = JSON_BOOL, .boolean = value != 0 });
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  struct json_builder *b = ctx;
  struct json_value v = { .type = JSON_NUMBER, .len = len };
  v.text = arena_text (b->doc, (const unsigned char *) s, len);
  return push_value (b, &v);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  struct json_builder *b = ctx;
  struct json_value v = { .type = JSON_STRING, .len = len };
  v.text = arena_text (b->doc, s, len);
  return push_value (b, &v);
}

static int
on_key (void *ctx, const unsigned char *s, size_t len)
{
  struct json_builder *b = ctx;
  b->key = arena_text (b->doc, s, len);
  b->key_len = len;
  return 1;
}

static int
open_container (struct json_builder *b)
{
  if (b->depth == JSON_MAX_DEPTH)
    {
      b->too_deep = true;
      return 0;   /* cancels the parse */
    }
  b->frames[b->depth++] = (struct json_frame) { b->n_stack, b->key, b->key_len };
  b->key = NULL;
  b->key_len = 0;
  return 1;
}

static int
close_container (struct json_builder *b, enum json_type type)
{
  struct json_frame frame = b->frames[--b->depth];
  size_t n = b->n_stack - frame.start;
  struct json_value v = { .type = type, .len = n };

  if (type == JSON_OBJECT)
    {
      v.members = n ? arena_alloc (b->doc, n * sizeof (struct json_member)) : NULL;
      if (n)
        memcpy (v.members, b->stack + frame.start, n * sizeof (struct json_member));
    }
  else
    {
      v.items = n ? arena_alloc (b->doc, n * sizeof (struct json_value)) : NULL;
      for (size_t i = 0; i < n; i++)
        v.items[i] = b->stack[frame.start + i].value;
    }
  b->n_stack = frame.start;
  b->key = frame.key;
  b->key_len = frame.key_len;
  return push_value (b, &v);
}

static int on_start_map (void *ctx) { return open_container (ctx); }
static int on_end_map (void *ctx) { return close_container (ctx, JSON_OBJECT); }
static int on_start_array (void *ctx) { return open_container (ctx); }
static int on_end_array (void *ctx) { return close_container (ctx, JSON_ARRAY); }

static const yajl_callbacks json_callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,    /* set: yajl hands over the text, not a long long */
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_key,
  .yajl_end_map = on_end_map,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end_array,
};

static int
report_syntax_error (yajl_handle h, const struct json_builder *b, const char *text, size_t len,
                     struct silo_error **err)
{
  unsigned char *raw;
  const char *msg;
  size_t at = yajl_get_bytes_consumed (h), n;
  int ret;

  if (b->too_deep)
    return silo_fail (err, 0, "invalid JSON: nested deeper than %d levels", JSON_MAX_DEPTH);
  raw = yajl_get_error (h, 0, (const unsigned char *) text, len);
  msg = raw ? (const char *) raw : "malformed input";
  if (strncmp (msg, "parse error: ", 13) == 0)
    msg += 13;
  else if (strncmp (msg, "lexical error: ", 15) == 0)
    msg += 15;
  n = strcspn (msg, "\n");
  if (strncmp (msg, "premature EOF", 13) == 0)
    ret = silo_fail (err, 0, "invalid JSON: the document ends early (truncated?)");
  else
    ret = silo_fail (err, 0, "invalid JSON at byte %zu: %.*s", at, (int) n, msg);
  if (raw != NULL)
    yajl_free_error (h, raw);
  return ret;
}

static bool
only_whitespace (const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (strchr (" \t\r\n", text[i]) == NULL || text[i] == '\0')
      return false;
  return true;
}

static int
hex4 (const unsigned char *s, size_t len, size_t i, unsigned *out)
{
  unsigned v = 0;

  if (i + 6 > len || s[i] != '\\' || s[i + 1] != 'u')
    return -1;
  for (size_t k = i + 2; k < i + 6; k++)
    {
      int d = s[k] >= '0' && s[k] <= '9' ? s[k] - '0'
              : (s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'f' ? (s[k] | 0x20) - 'a' + 10 : -1;
      if (d < 0)
        return -1;
      v = v << 4 | (unsigned) d;
    }
  *out = v;
  return 0;
}

/* A \u escape at I: its length, or 0 for a UTF-16 surrogate without its other half.  */
static size_t
escape_length (const unsigned char *s, size_t len, size_t i)
{
  unsigned u, low;

  if (hex4 (s, len, i, &u) < 0)
    return 2;                    /* not ours to judge: yajl reports it */
  if (u >= 0xDC00 && u <= 0xDFFF)
    return 0;
  if (u < 0xD800 || u > 0xDBFF)
    return 6;
  return hex4 (s, len, i + 6, &low) == 0 && low >= 0xDC00 && low <= 0xDFFF ? 12 : 0;
}

/* One UTF-8 sequence at I: its length, or 0 with *why set.  */
static size_t
utf8_length (const unsigned char *s, size_t len, size_t i, const char **why)
{
  unsigned char c = s[i];
  size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  unsigned cp = n == 2 ? c & 0x1Fu : n == 3 ? c & 0x0Fu : c & 0x07u;
  static const unsigned least[] = { 0, 0, 0x80, 0x800, 0x10000 };

  *why = "an invalid UTF-8 byte";
  if (n == 0 || i + n > len)
    return 0;
  for (size_t k = 1; k < n; k++)
    {
      if ((s[i + k] & 0xC0) != 0x80)
        return 0;
      cp = cp << 6 | (s[i + k] & 0x3Fu);
    }
  *why = cp < least[n] ? "an overlong UTF-8 sequence"
         : cp >= 0xD800 && cp <= 0xDFFF ? "a UTF-16 surrogate encoded as UTF-8"
         : cp > 0x10FFFF ? "a code point past U+10FFFF" : NULL;
  return *why == NULL ? n : 0;
}

/* yajl checks UTF-8 loosely (overlong forms and surrogates pass) and turns a lone \u
 * surrogate into "?": text is held to RFC 3629 and RFC 8259 here first.  */
static int
check_strict_text (const unsigned char *s, size_t len, struct silo_error **err)
{
  bool in_string = false;
  const char *why = NULL;

  for (size_t i = 0, n; i < len; i += n)
    {
      n = 1;
      if (s[i] >= 0x80)
        n = utf8_length (s, len, i, &why);
      else if (in_string && s[i] == '\\' && i + 1 < len)
        {
          n = s[i + 1] == 'u' ? escape_length (s, len, i) : 2;
          why = "a UTF-16 surrogate escape without its other half";
        }
      else if (s[i] == '"')
        in_string = !in_string;
      if (n == 0)
        return silo_fail (err, 0, "invalid JSON at byte %zu: %s", i, why);
    }
  return 0;
}

void
json_document_free (struct json_document *doc)
{
  if (doc == NULL)
    return;
  for (struct arena_block *b = doc->blocks, *next; b != NULL; b = next)
    {
      next = b->next;
      free (b);
    }
  free (doc);
}

int
json_parse (const char *text, size_t len, bool check_utf8, struct json_document **out,
            struct silo_error **err)
{
  struct json_builder b = { .doc = xmalloc0 (sizeof (struct json_document)) };
  yajl_handle h;
  yajl_status status;

  b.doc->first_block = len < (ARENA_FIRST_BLOCK - 4096) / 2 ? 2 * len + 4096 : ARENA_FIRST_BLOCK;
  if (only_whitespace (text, len))
    {
      json_document_free (b.doc);
      return silo_fail (err, 0, "invalid JSON: the document is empty");
    }
  if (check_utf8 && check_strict_text ((const unsigned char *) text, len, err) < 0)
    {
      json_document_free (b.doc);
      return -1;
    }
  h = yajl_alloc (&json_callbacks, NULL, &b);
  if (h == NULL)
    abort ();
  yajl_config (h, yajl_dont_validate_strings, check_utf8 ? 0 : 1);
  status = yajl_parse (h, (const unsigned char *) text, len);
  if (status == yajl_status_ok)
    status = yajl_complete_parse (h);
  if (status != yajl_status_ok || b.n_stack != 1)
    {
      report_syntax_error (h, &b, text, len, err);
      json_document_free (b.doc);
      b.doc = NULL;
    }
  else
    b.doc->root = b.stack[0].value;
  yajl_free (h);
  free (b.stack);
  *out = b.doc;
  return b.doc == NULL ? -1 : 0;
}

const struct json_value *
json_document_root (const struct json_document *doc)
{
  return &doc->root;
}

const char *
json_describe (const struct json_value *v)
{
  switch (v->type)
    {
    case JSON_NULL:
      return "null";
    case JSON_BOOL:
      return "a boolean";
    case JSON_NUMBER:
      return "a number";
    case JSON_STRING:
      return "a string";
    case JSON_OBJECT:
      return "an object";
    case JSON_ARRAY:
      return "an array";
    }
  return "a value";
}

const struct json_value *
json_object_get (const struct json_value *object, const char *key)
{
  size_t key_len = strlen (key);
  if (object->type != JSON_OBJECT)
    return NULL;
  for (size_t i = object->len; i-- > 0;)
    {
      const struct json_member *m = &object->members[i];
      if (m->key_len == key_len && memcmp (m->key, key, key_len) == 0)
        return &m->value;
    }
  return NULL;
}

