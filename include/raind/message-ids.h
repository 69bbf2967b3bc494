/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* MESSAGE_ID of each container event raindd writes to the journal (random 128-bit ids made once, as
 * `journalctl --new-id128` makes them; never change them: users filter on them). */
#define RAIND_MESSAGE_CREATE  "75d2b9a6b47c498caa64a1c37e2fc995"
#define RAIND_MESSAGE_START   "b1dd7c05ef684c5fba84f03c909593f0"
#define RAIND_MESSAGE_DIE     "58dca99fffe441fb8d97e3be1add4f7b"
#define RAIND_MESSAGE_OOM     "1d70f1df564c40f781414725841e56be"
#define RAIND_MESSAGE_RESTART "84582f7905824de8b1f87f62d7ddfb0f"
#define RAIND_MESSAGE_STOP    "e241b7ef0ff947d39b9d1c45ffb539a8"
#define RAIND_MESSAGE_KILL    "560ea95d89ac4cfb900701170ee8ccd2"
#define RAIND_MESSAGE_RENAME  "b57c45598cbb45e293d2c0c09dccf62b"
#define RAIND_MESSAGE_REMOVE  "da1a76156b644d50ae46e2181b0c4714"

/* Image events (RAIND_EVENT_TYPE=image). */
#define RAIND_MESSAGE_IMAGE_PULL   "aab6c27dd0314e56b433b252efc16085"
#define RAIND_MESSAGE_IMAGE_PUSH   "2a053b107cd14752879db8dfb1733515"
#define RAIND_MESSAGE_IMAGE_TAG    "bdd0ac82296b47878abffeb9531adaa7"
#define RAIND_MESSAGE_IMAGE_UNTAG  "7380d630da254f369b2eb306562a8aa7"
#define RAIND_MESSAGE_IMAGE_DELETE "5308483388994862ab2f59dd5579355e"
#define RAIND_MESSAGE_IMAGE_IMPORT "51f692a503ae40a1a9644176259be4be"
#define RAIND_MESSAGE_IMAGE_LOAD   "2a9506828c3741069b3a00f92e64f4cd"
#define RAIND_MESSAGE_IMAGE_SAVE   "ba0d0d02ad9541008e3542379606596c"
