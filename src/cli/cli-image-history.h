/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* "raind image history": the rows of an image's history, from InspectImage's JSON. Pure, no bus. */

#define HISTORY_CREATED_BY_MAX 45

/* The table IMAGE CREATED "CREATED BY" SIZE COMMENT, newest first: History's entries, each with the
 * size of its layer (LayerBlobs, in order of the entries that are not empty_layer; 0 for those that
 * are). IMAGE is the image's id for the top entry and "<missing>" for the others. Unless no_trunc, ids
 * are cut to 12 characters and CREATED BY to HISTORY_CREATED_BY_MAX. With quiet, just the IMAGE
 * column, no header. Times are shown relative to now. -EBADMSG when image is not such an object. */
int image_history_format(json_object *image, bool no_trunc, bool quiet, uint64_t now, char **ret);
