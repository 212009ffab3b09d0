/* silo: `silo spec`.  silo_spec_generate (container.h) builds the default config.json of a
 * new bundle; silo_spec_write puts it in place.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SILO_SPEC_H
#define SILO_SILO_SPEC_H

#include <stdbool.h>

#include "error.h"

/* Write the default config (rootless: for a user without privileges) as
 * <bundle>/config.json.  An existing config.json is never replaced.  */
int silo_spec_write (const char *bundle, bool rootless, struct silo_error **err);

/* Write `text` as <bundle>/config.json, never replacing one (quick-run's config too).  */
int silo_spec_write_text (const char *bundle, const char *text, struct silo_error **err);

#endif
