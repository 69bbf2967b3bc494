/* SPDX-License-Identifier: Apache-2.0 */
#include "raind/image-store.h"
#include "raind/strv.h"

void image_blob_done(ImageBlob *b)
{
        free(b->digest);
        free(b->media_type);
        *b = (ImageBlob){};
}

Image *image_free(Image *i)
{
        if (!i)
                return NULL;
        free(i->id);
        strv_free(i->references);
        strv_free(i->digests);
        image_blob_done(&i->manifest);
        image_blob_done(&i->config);
        /* As many blobs as layers. */
        for (size_t k = 0; i->layer_blobs && i->layers && i->layers[k]; k++)
                image_blob_done(&i->layer_blobs[k]);
        free(i->layer_blobs);
        strv_free(i->layers);
        free(i->os);
        free(i->architecture);
        free(i->variant);
        strv_free(i->labels);
        strv_free(i->exposed_ports);
        strv_free(i->other_blobs);
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
