/* libocispec: JSON output helpers over yajl_gen, and the re-indenter that gives the
 * pretty-printed documents the layout of Go's json.MarshalIndent.  See json.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct text_buffer
{
  char *data;
  size_t len, size;
};

static void
buffer_add (struct text_buffer *b, const char *s, size_t n)
{
  if (b->size - b->len < n + 1)
    {
      b->size = (b->size + n + 1) * 2;
      b->data = xrealloc (b->data, b->size);
    }
  memcpy (b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void
buffer_newline (struct text_buffer *b, size_t depth)
{
  buffer_add (b, "\n", 1);
  for (size_t i = 0; i < depth; i++)
    buffer_add (b, "  ", 2);
}

yajl_gen
json_gen_new (void)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    abort ();
  return g;
}

void
json_gen_key (yajl_gen g, const char *key)
{
  yajl_gen_string (g, (const unsigned char *) key, strlen (key));
}

void
json_gen_text (yajl_gen g, const char *s)
{
  if (s == NULL)
    yajl_gen_null (g);
  else
    yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

void
json_gen_u64 (yajl_gen g, uint64_t v)
{
  char text[24];   /* yajl_gen_integer stops at LLONG_MAX: write the digits ourselves */
  int n = snprintf (text, sizeof (text), "%" PRIu64, v);
  yajl_gen_number (g, text, (size_t) n);
}

void
json_gen_i64 (yajl_gen g, int64_t v)
{
  yajl_gen_integer (g, (long long) v);
}

char *
json_gen_finish (yajl_gen g, size_t *len)
{
  const unsigned char *buf = NULL;
  size_t n = 0;
  char *copy;

  yajl_gen_get_buf (g, &buf, &n);
  copy = xmalloc0 (n + 1);
  if (n)
    memcpy (copy, buf, n);
  yajl_gen_free (g);
  if (len != NULL)
    *len = n;
  return copy;
}

/* Copy the string starting at the quote s[i]; return the index after its closing quote.  */
static size_t
copy_string (struct text_buffer *b, const char *s, size_t len, size_t i, bool go_strings)
{
  buffer_add (b, "\"", 1);
  for (i++; i < len && s[i] != '"';)
    {
      unsigned char c = (unsigned char) s[i];
      size_t n;

      if (c == '\\')
        {
          n = (i + 1 < len && s[i + 1] == 'u') ? 6 : 2;
          n = n > len - i ? len - i : n;
          buffer_add (b, s + i, n);
          if (go_strings && n == 6)   /* Go writes hex digits in lower case */
            for (char *h = b->data + b->len - 4; h < b->data + b->len; h++)
              *h = (char) (*h >= 'A' && *h <= 'F' ? *h + ('a' - 'A') : *h);
          i += n;
          continue;
        }
      if (!go_strings)
        n = 1;
      else if (c == '<' || c == '>' || c == '&')
        {
          char esc[8];
          snprintf (esc, sizeof (esc), "\\u00%02x", c);
          buffer_add (b, esc, 6);
          i++;
          continue;
        }
      else if ((n = utf8_sequence ((const unsigned char *) s + i, len - i)) == 0)
        {
          buffer_add (b, "\\ufffd", 6);
          i++;
          continue;
        }
      else if (n == 3 && c == 0xe2 && (unsigned char) s[i + 1] == 0x80
               && ((unsigned char) s[i + 2] & 0xfe) == 0xa8)
        {
          buffer_add (b, (unsigned char) s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
          i += 3;
          continue;
        }
      buffer_add (b, s + i, n);
      i += n;
    }
  buffer_add (b, "\"", 1);
  return i + 1;
}

char *
json_indent (const char *s, size_t len, bool go_strings, size_t *out_len)
{
  struct text_buffer b = { 0 };
  size_t depth = 0;

  buffer_add (&b, "", 0);
  for (size_t i = 0; i < len;)
    {
      char c = s[i];
      if (c == '"')
        i = copy_string (&b, s, len, i, go_strings);
      else if ((c == '{' || c == '[') && i + 1 < len && s[i + 1] == (c == '{' ? '}' : ']'))
        {
          buffer_add (&b, s + i, 2);
          i += 2;
        }
      else
        {
          if (c == '}' || c == ']')
            buffer_newline (&b, depth ? --depth : 0);
          buffer_add (&b, c == ':' ? ": " : s + i, c == ':' ? 2 : 1);
          if (c == '{' || c == '[')
            buffer_newline (&b, ++depth);
          else if (c == ',')
            buffer_newline (&b, depth);
          i++;
        }
    }
  if (out_len != NULL)
    *out_len = b.len;
  return b.data;
}

