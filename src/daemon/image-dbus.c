/* SPDX-License-Identifier: Apache-2.0 */
/* /org/raind/raind1/image/<id>: the images as D-Bus objects, so that busctl tree, the ObjectManager
 * and any D-Bus client see them next to the containers. Nothing is kept per object: each call reads
 * the image from the store. */

#include "image-dbus.h"
#include "manager.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/validate.h"

#define IMAGE_PATH_PREFIX "/org/raind/raind1/image"
#define IMAGE_INTERFACE   "org.raind.raind1.Image"

static const char *image_id_from_path(const char *path)
{
        const char *id = startswith(path, IMAGE_PATH_PREFIX "/");
        return id && container_id_is_valid(id) ? id : NULL;
}

/* The image of the object path; -ENOENT as a D-Bus error when it is gone meanwhile. */
static int image_from_path(Manager *m, const char *path, Image **ret, sd_bus_error *error)
{
        const char *id = image_id_from_path(path);
        int r;

        if (!id)
                return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_OBJECT, "No such object: %s", path);
        r = image_store_lookup(m->images, id, ret);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, "org.raind.raind1.Error.NoSuchImage", "No such image: %s",
                                         id);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read image %s: %m", id);
        return 0;
}

#define IMAGE_PROPERTY(name, body)                                                                  \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,        \
                                       const char *property, sd_bus_message *reply, void *userdata, \
                                       sd_bus_error *error)                                         \
        {                                                                                           \
                _cleanup_(image_freep) Image *i = NULL;                                             \
                int r = image_from_path(userdata, path, &i, error);                                 \
                if (r < 0)                                                                          \
                        return r;                                                                   \
                body                                                                                \
        }

IMAGE_PROPERTY(id, return sd_bus_message_append(reply, "s", i->id);)
IMAGE_PROPERTY(tags, return sd_bus_message_append_strv(reply, i->references);)
IMAGE_PROPERTY(digests, return sd_bus_message_append_strv(reply, i->digests);)
IMAGE_PROPERTY(created, return sd_bus_message_append(reply, "t", (uint64_t)MAX(i->created, 0));)
IMAGE_PROPERTY(size, return sd_bus_message_append(reply, "t", i->size);)
IMAGE_PROPERTY(architecture, return sd_bus_message_append(reply, "s", strempty(i->architecture));)
IMAGE_PROPERTY(os, return sd_bus_message_append(reply, "s", strempty(i->os));)
IMAGE_PROPERTY(manifest, return sd_bus_message_append(reply, "s", i->manifest.digest);)
IMAGE_PROPERTY(layers, return sd_bus_message_append_strv(reply, i->layers);)
IMAGE_PROPERTY(labels, return sd_bus_message_append_strv(reply, i->labels);)

static int method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        int force, r;

        r = sd_bus_message_read(m, "b", &force);
        if (r < 0)
                return r;
        return image_remove_call(userdata, m, image_id_from_path(sd_bus_message_get_path(m)), force, error);
}

static int method_tag(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *target;
        int r;

        r = sd_bus_message_read(m, "s", &target);
        if (r < 0)
                return r;
        return image_tag_call(userdata, m, image_id_from_path(sd_bus_message_get_path(m)), target, error);
}

static int method_push(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *destination;
        int r;

        r = sd_bus_message_read(m, "s", &destination);
        if (r < 0)
                return r;
        return image_push_call(userdata, m, image_id_from_path(sd_bus_message_get_path(m)), destination,
                               error);
}

static int method_inspect(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        return image_inspect_call(userdata, m, image_id_from_path(sd_bus_message_get_path(m)), error);
}

static const sd_bus_vtable image_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Id", "s", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("RepoTags", "as", property_get_tags, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
    SD_BUS_PROPERTY("RepoDigests", "as", property_get_digests, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
    SD_BUS_PROPERTY("Created", "t", property_get_created, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Size", "t", property_get_size, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Architecture", "s", property_get_architecture, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Os", "s", property_get_os, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Manifest", "s", property_get_manifest, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
    SD_BUS_PROPERTY("Layers", "as", property_get_layers, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Labels", "as", property_get_labels, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_METHOD_WITH_ARGS("Remove", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT, method_remove,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Tag", SD_BUS_ARGS("s", target), SD_BUS_NO_RESULT, method_tag,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Push", SD_BUS_ARGS("s", destination, "a{sv}", options), SD_BUS_RESULT("o", job),
                            method_push, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Inspect", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json), method_inspect,
                            SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

static int image_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                             void **found, sd_bus_error *error)
{
        Manager *m = userdata;
        _cleanup_(image_freep) Image *i = NULL;
        const char *id = image_id_from_path(path);

        if (!id || image_store_lookup(m->images, id, &i) < 0)
                return 0;
        *found = m;
        return 1;
}

static int image_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                 sd_bus_error *error)
{
        Manager *m = userdata;
        _cleanup_strv_free_ char **l = NULL;
        Image **images = NULL;
        size_t n = 0;
        int r;

        r = image_store_list(m->images, &images, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n && r >= 0; k++) {
                char *p;
                if (asprintf(&p, IMAGE_PATH_PREFIX "/%s", images[k]->id) < 0 || strv_push(&l, p) < 0)
                        r = -ENOMEM;
        }
        image_list_free(images);
        if (r < 0)
                return r;
        *nodes = TAKE_PTR(l);
        return 0;
}

int image_bus_register(Manager *m)
{
        int r = sd_bus_add_fallback_vtable(m->bus, NULL, IMAGE_PATH_PREFIX, IMAGE_INTERFACE, image_vtable,
                                           image_object_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(m->bus, NULL, IMAGE_PATH_PREFIX, image_node_enumerator, m);
}

static void image_object_signal(Manager *m, const char *id, bool added)
{
        _cleanup_free_ char *path = NULL;

        if (!m->bus || !container_id_is_valid(id) || asprintf(&path, IMAGE_PATH_PREFIX "/%s", id) < 0)
                return;
        if (added)
                (void)sd_bus_emit_object_added(m->bus, path);
        else
                (void)sd_bus_emit_interfaces_removed(m->bus, path, IMAGE_INTERFACE, NULL);
}

void image_object_added(Manager *m, const char *id)
{
        image_object_signal(m, id, true);
}

void image_object_removed(Manager *m, const char *id)
{
        image_object_signal(m, id, false);
}
