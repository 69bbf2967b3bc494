/* SPDX-License-Identifier: Apache-2.0 */
/* Untagging and removing images. Order on disk: repositories.json first, then the image file, then
 * its layers: a crash in between leaves an untagged image or unused layers, never a reference to
 * nothing or an image without layers. */

#include "raind/json-util.h"
#include "raind/strv.h"

#include "image-internal.h"

int image_store_remove(ImageStore *s, const char *ref_or_id, char **ret_removed_id)
{
        _cleanup_json_ struct json_object *repos = NULL;
        _cleanup_free_ char *id = NULL, *ref = NULL;
        _cleanup_image_free_ Image *image = NULL;
        char name[SHA256_HEX_SIZE + sizeof(".json")];
        int r;

        _cleanup_close_ int lock = image_store_lock(s);
        if (lock < 0)
                return lock;
        r = repositories_load(s, &repos);
        if (r < 0)
                return r;
        r = image_resolve(s, repos, ref_or_id, &id, &ref);
        if (r < 0)
                return r;

        if (ref) {
                _cleanup_strv_free_ char **refs = NULL;

                json_object_object_del(repos, ref);
                r = repositories_references_of(repos, id, &refs);
                if (r < 0)
                        return r;
                /* As Docker: removing the last tag removes the image (its digest references go with it);
                 * a digest reference only goes by itself while anything else names the image. */
                bool tagged = false;
                STRV_FOREACH (other, refs)
                        tagged = tagged || !strchr(*other, '@');
                if (tagged || (refs && strchr(ref, '@'))) {
                        /* Still named otherwise: only the reference goes. */
                        r = repositories_save(s, repos);
                        if (r < 0)
                                return r;
                        if (ret_removed_id)
                                *ret_removed_id = NULL;
                        return 0;
                }
        }

        /* Its layers, to see which are unused afterwards. A damaged image file is removed all the same;
         * its layers are then collected by the next image_store_open(). */
        r = image_load(s, repos, id, &image);
        if (r < 0 && r != -EBADMSG)
                return r;

        if (repositories_drop_image(repos, id) > 0 || ref) {
                r = repositories_save(s, repos);
                if (r < 0)
                        return r;
        }
        snprintf(name, sizeof(name), "%s.json", id);
        if (unlinkat(s->images_fd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        r = RET_NERRNO(fsync(s->images_fd));
        if (r < 0)
                return r;

        /* The image is gone; layers that cannot be removed now are retried at the next open. */
        if (image && !s->defer_collect) {
                (void)layers_remove_unused(s, image->layers);
                (void)blobs_remove_unused(s, NULL);
        }

        if (ret_removed_id)
                *ret_removed_id = TAKE_PTR(id);
        return 0;
}

void image_store_defer_collect(ImageStore *s, bool defer)
{
        s->defer_collect = defer;
}

int image_store_collect(ImageStore *s)
{
        int r;

        _cleanup_close_ int lock = image_store_lock(s);
        if (lock < 0)
                return lock;
        r = layers_remove_unused(s, NULL);
        if (r < 0)
                return r;
        return blobs_remove_unused(s, NULL);
}
