/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Manager Manager;

/* Every image is an object /org/raind/raind1/image/<id>, interface org.raind.raind1.Image: properties
 * read from the store when asked, methods that do what the Manager's image methods do for that image. */
int image_bus_register(Manager *m);
/* The ObjectManager signals for an image that appeared or went (id: 64 hex digits). */
void image_object_added(Manager *m, const char *id);
void image_object_removed(Manager *m, const char *id);

/* The Manager's image methods, for a given image; they answer m (maybe after a polkit check or a
 * wait for the image workers, through a new dispatch of m). */
int image_remove_call(Manager *manager, sd_bus_message *m, const char *ref, bool force, sd_bus_error *error);
int image_tag_call(Manager *manager, sd_bus_message *m, const char *image, const char *target,
                   sd_bus_error *error);
/* Reads the a{sv} options that follow in m. */
int image_push_call(Manager *manager, sd_bus_message *m, const char *name, const char *destination,
                    sd_bus_error *error);
int image_inspect_call(Manager *manager, sd_bus_message *m, const char *ref, sd_bus_error *error);
