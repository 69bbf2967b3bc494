/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "container.h"
#include "raind/image-store.h"

int container_generate_name(Manager *m, char **ret);
int container_create(Manager *m, const char *name, ContainerConfig *config, const Image *image,
                     Container **ret, char **ret_error);
