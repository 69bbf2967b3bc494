/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/image-store.h"
#include "raind/strv.h"

Image *image_free(Image *i)
{
        if (!i)
                return NULL;
        free(i->id);
        strv_free(i->references);
        strv_free(i->layers);
        strv_free(i->env);
        strv_free(i->entrypoint);
        strv_free(i->cmd);
        free(i->working_dir);
        free(i->user);
        free(i->stop_signal);
        free(i);
        return NULL;
}

Image **image_list_free(Image **l)
{
        if (!l)
                return NULL;
        for (Image **i = l; *i; i++)
                image_free(*i);
        free(l);
        return NULL;
}
