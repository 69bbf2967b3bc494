/* SPDX-License-Identifier: Apache-2.0 */
/* The Manager's image methods. */

#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>

#include "config.h"
#include "events.h"
#include "image-dbus.h"
#include "image-job.h"
#include "manager.h"
#include "polkit.h"
#include "raind/bus-errors.h"
#include "raind/json-util.h"
#include "raind/log.h"
#include "raind/registry.h"
#include "raind/strv.h"
#include "raind/util.h"

#define CREDENTIAL_MAX  4096
#define SAVE_IMAGES_MAX 256

static int invalid(sd_bus_error *error, const char *fmt, const char *arg)
{
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, fmt, arg);
}

static int lookup_error(sd_bus_error *error, int r, const char *ref)
{
        if (r == -ENOENT || r == -EINVAL)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_IMAGE, "No such image: %s", ref);
        if (r == -ENOTUNIQ)
                return sd_bus_error_setf(error, BUS_ERROR_AMBIGUOUS_ID, "Image id prefix %s is ambiguous.",
                                         ref);
        return sd_bus_error_set_errnof(error, r, "Failed to look up image %s: %m", ref);
}

static int fd_check(int fd, bool want_write, sd_bus_error *error)
{
        int flags = fcntl(fd, F_GETFL);
        int mode = flags & O_ACCMODE;

        if (flags < 0 || (want_write ? mode == O_RDONLY : mode == O_WRONLY))
                return invalid(error, "The file descriptor is not %s.",
                               want_write ? "writable" : "readable");
        return 0;
}

/* Options of PullImage, PushImage and CheckRegistryLogin: Platform (s), TLSVerify (b), Username (s),
 * Password (s). */
static int read_registry_options(sd_bus_message *m, ImageJobParams *p, bool platform_ok, sd_bus_error *error)
{
        int r;

        p->tls_verify = true;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key, *s;
                int b;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "TLSVerify")) {
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r < 0)
                                return r;
                        p->tls_verify = b;
                } else if ((platform_ok && streq(key, "Platform")) || streq(key, "Username") ||
                           streq(key, "Password")) {
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r < 0)
                                return r;
                        if (strlen(s) > CREDENTIAL_MAX)
                                return invalid(error, "Option %s is too long.", key);
                        char **dest = streq(key, "Platform")   ? &p->platform
                                      : streq(key, "Username") ? &p->username
                                                               : &p->password;
                        if (free_and_strdup(dest, s) < 0)
                                return -ENOMEM;
                } else
                        return invalid(error, "Unknown option %s.", key);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        if (!p->username != !p->password)
                return invalid(error, "%s", "Username and Password go together.");
        return 0;
}

/* Once polkit says yes (the call comes back here then), the worker starts, with a copy of fd of its
 * own (none: -EBADF). */
static int start_job(Manager *manager, sd_bus_message *m, ImageJobParams *p, int fd, sd_bus_error *error)
{
        const char *what = strempty(p->target);
        int r;

        r = polkit_verify_async(manager, m, POLKIT_ACTION_MANAGE_IMAGES, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        if (fd >= 0) {
                p->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                if (p->fd < 0)
                        return -errno;
        }
        r = image_job_start(manager, m, p);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start working on %s: %m", what);
        return 1;
}

static int method_import_image(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(image_job_params_done) ImageJobParams p = {.type = IMAGE_JOB_IMPORT, .fd = -EBADF};
        const char *reference;
        int fd, r;

        r = sd_bus_message_read(m, "hs", &fd, &reference);
        if (r < 0)
                return r;
        if (!isempty(reference) &&
            (image_reference_normalize(reference, &p.target) < 0 || strchr(p.target, '@')))
                return invalid(error, "Invalid image reference '%s', expected NAME[:TAG].", reference);
        r = fd_check(fd, false, error);
        if (r < 0)
                return r;
        return start_job(manager, m, &p, fd, error);
}

static int method_pull_image(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(image_job_params_done) ImageJobParams p = {.type = IMAGE_JOB_PULL, .fd = -EBADF};
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        const char *reference;
        int r;

        r = sd_bus_message_read(m, "s", &reference);
        if (r < 0)
                return r;
        r = read_registry_options(m, &p, true, error);
        if (r < 0)
                return r;
        if (registry_reference_parse(reference, &ref) < 0)
                return invalid(error,
                               "Invalid image reference '%s', expected [REGISTRY/]NAME[:TAG|@DIGEST].",
                               reference);
        p.target = strdup(reference);
        if (!p.target)
                return -ENOMEM;
        return start_job(manager, m, &p, -EBADF, error);
}

static int method_push_image(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *name, *destination;
        int r;

        r = sd_bus_message_read(m, "ss", &name, &destination);
        if (r < 0)
                return r;
        return image_push_call(userdata, m, name, destination, error);
}

int image_push_call(Manager *manager, sd_bus_message *m, const char *name, const char *destination,
                    sd_bus_error *error)
{
        _cleanup_(image_job_params_done) ImageJobParams p = {.type = IMAGE_JOB_PUSH, .fd = -EBADF};
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        int r;

        r = read_registry_options(m, &p, false, error);
        if (r < 0)
                return r;
        if (!isempty(destination) && (registry_reference_parse(destination, &ref) < 0 || ref->digest))
                return invalid(error, "Invalid destination '%s', expected [REGISTRY/]NAME[:TAG].",
                               destination);
        r = image_store_lookup(manager->images, name, &image);
        if (r < 0)
                return lookup_error(error, r, name);
        if (isempty(destination) && strv_isempty(image->references))
                return invalid(error, "Image %s has no tag: name a destination.", name);
        p.target = strdup(name);
        p.destination = isempty(destination) ? NULL : strdup(destination);
        if (!p.target || (!isempty(destination) && !p.destination))
                return -ENOMEM;
        return start_job(manager, m, &p, -EBADF, error);
}

static int method_save_images(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(image_job_params_done) ImageJobParams p = {.type = IMAGE_JOB_SAVE, .fd = -EBADF};
        const char *format;
        int fd, r;

        r = sd_bus_message_read_strv(m, &p.names);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "sh", &format, &fd);
        if (r < 0)
                return r;
        if (strv_isempty(p.names) || strv_length(p.names) > SAVE_IMAGES_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Name 1 to %d images to save.",
                                         SAVE_IMAGES_MAX);
        if (!streq(format, "docker-archive") && !streq(format, "oci-archive"))
                return invalid(error, "Unknown archive format '%s', expected docker-archive or oci-archive.",
                               format);
        /* Names are checked now: a typo must not leave half an archive behind. */
        STRV_FOREACH (name, p.names) {
                _cleanup_(image_freep) Image *image = NULL;
                r = image_store_lookup(manager->images, *name, &image);
                if (r < 0)
                        return lookup_error(error, r, *name);
        }
        r = fd_check(fd, true, error);
        if (r < 0)
                return r;
        p.target = strdup(format);
        if (!p.target)
                return -ENOMEM;
        return start_job(manager, m, &p, fd, error);
}

static int method_load_images(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(image_job_params_done) ImageJobParams p = {.type = IMAGE_JOB_LOAD, .fd = -EBADF};
        int fd, r;

        r = sd_bus_message_read(m, "h", &fd);
        if (r < 0)
                return r;
        r = fd_check(fd, false, error);
        if (r < 0)
                return r;
        p.target = strdup("archive");
        if (!p.target)
                return -ENOMEM;
        return start_job(manager, m, &p, fd, error);
}

static int method_check_registry_login(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(image_job_params_done) ImageJobParams p = {.type = IMAGE_JOB_LOGIN, .fd = -EBADF};
        _cleanup_registry_reference_free_ RegistryReference *ref = NULL;
        _cleanup_free_ char *probe = NULL;
        const char *registry;
        int r;

        r = sd_bus_message_read(m, "s", &registry);
        if (r < 0)
                return r;
        r = read_registry_options(m, &p, false, error);
        if (r < 0)
                return r;
        if (isempty(registry) || strchr(registry, '/') || asprintf(&probe, "%s/x", registry) < 0 ||
            registry_reference_parse(probe, &ref) < 0)
                return invalid(error, "Invalid registry '%s', expected HOST[:PORT].", registry);
        if (!p.username)
                return invalid(error, "%s", "CheckRegistryLogin needs Username and Password.");
        p.target = strdup(registry);
        if (!p.target)
                return -ENOMEM;
        return start_job(manager, m, &p, -EBADF, error);
}

static int method_list_images(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Image **images = NULL;
        size_t n = 0;
        int r;

        r = image_store_list(manager->images, &images, &n);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to list images: %m");
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sastt)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = sd_bus_message_open_container(reply, 'r', "sastt");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", images[i]->id);
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, images[i]->references);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "tt", (uint64_t)images[i]->created,
                                                  images[i]->size);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        image_list_free(images);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int image_remove_call(Manager *manager, sd_bus_message *m, const char *ref, bool force, sd_bus_error *error)
{
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_free_ char *removed = NULL;
        int r;

        r = polkit_verify_async(manager, m, POLKIT_ACTION_MANAGE_IMAGES, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        image_store_defer_collect(manager->images, manager->image_jobs != NULL);

        r = image_store_lookup(manager->images, ref, &image);
        if (r < 0)
                return lookup_error(error, r, ref);

        /* Untagging one of several tags never deletes the image, nor does removing a digest reference
         * while anything else names it; anything else does (as image_store_remove() decides). */
        _cleanup_free_ char *normalized = NULL;
        bool untag = false;
        if (image_reference_normalize(ref, &normalized) >= 0) {
                if (strv_contains(image->references, normalized))
                        untag = strv_length(image->references) > 1;
                else if (strv_contains(image->digests, normalized))
                        untag = strv_length(image->references) + strv_length(image->digests) > 1;
        }
        if (!untag && manager_image_in_use(manager, image->id, force))
                return sd_bus_error_setf(
                    error, BUS_ERROR_IMAGE_IN_USE,
                    force ? "Image %s is used by a running container: stop it first."
                          : "Image %s is used by a container: remove the container first or use force.",
                    ref);
        r = image_store_remove(manager->images, ref, &removed);
        image_store_removed(manager);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to remove image %s: %m", ref);
        log_info("Removed image reference %s%s%s.", ref, removed ? ", deleted image " : "",
                 strempty(removed));
        if (untag || strv_contains(image->references, strempty(normalized)))
                image_event(manager, "untag", image->id, normalized);
        if (removed) {
                image_event(manager, "delete", removed, NULL);
                image_object_removed(manager, removed);
        }
        return sd_bus_reply_method_return(m, NULL);
}

static int method_remove_image(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *ref;
        int force, r;

        r = sd_bus_message_read(m, "sb", &ref, &force);
        if (r < 0)
                return r;
        return image_remove_call(userdata, m, ref, force, error);
}

int image_tag_call(Manager *manager, sd_bus_message *m, const char *image, const char *target,
                   sd_bus_error *error)
{
        _cleanup_free_ char *message = NULL, *normalized = NULL;
        int r;

        if (image_reference_normalize(target, &normalized) < 0 || strchr(normalized, '@'))
                return invalid(error, "Invalid target reference '%s', expected [REGISTRY/]NAME[:TAG].",
                               target);
        r = polkit_verify_async(manager, m, POLKIT_ACTION_MANAGE_IMAGES, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = image_store_tag(manager->images, image, target, &message);
        if (r == -ENOENT || r == -ENOTUNIQ)
                return lookup_error(error, r, image);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "Cannot tag %s: %s", image,
                                         message ?: strerror(-r));
        log_info("Tagged image %s as %s.", image, normalized);
        image_event(manager, "tag", NULL, normalized);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_tag_image(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *image, *target;
        int r;

        r = sd_bus_message_read(m, "ss", &image, &target);
        if (r < 0)
                return r;
        return image_tag_call(userdata, m, image, target, error);
}

static int json_add(struct json_object *o, const char *key, struct json_object *v)
{
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static struct json_object *blob_json(const ImageBlob *b, const char *diff_id)
{
        struct json_object *o = image_blob_to_json(b);
        _cleanup_free_ char *d = NULL;

        if (o && diff_id) {
                if (asprintf(&d, "sha256:%s", diff_id) < 0) {
                        json_object_put(o);
                        return NULL;
                }
                json_add_string(o, "diffID", d);
        }
        return o;
}

/* Docker's image inspect fields, plus the manifest and layer blobs. */
static int image_inspect_json(Manager *manager, const Image *i, char **ret)
{
        _cleanup_json_ struct json_object *o = json_object_new_object(), *config = NULL;
        _cleanup_free_ char *raw = NULL, *id = NULL, *created = NULL;
        struct json_object *v, *layers, *rootfs, *diff_ids;
        size_t size;
        int r;

        if (!o)
                return -ENOMEM;
        r = image_store_read_config(manager->images, i, &raw, &size);
        if (r < 0)
                return r;
        config = json_tokener_parse(raw);
        if (!config)
                return -EBADMSG;
        if (asprintf(&id, "sha256:%s", i->id) < 0)
                return -ENOMEM;
        json_add_string(o, "Id", id);
        if (json_add(o, "RepoTags", json_new_strv(i->references)) < 0 ||
            json_add(o, "RepoDigests", json_new_strv(i->digests)) < 0)
                return -ENOMEM;
        if (json_object_object_get_ex(config, "created", &v))
                (void)json_add(o, "Created", json_object_get(v));
        json_add_string(o, "Architecture", i->architecture);
        if (i->variant)
                json_add_string(o, "Variant", i->variant);
        json_add_string(o, "Os", i->os);
        if (json_add(o, "Size", json_object_new_int64((int64_t)i->size)) < 0)
                return -ENOMEM;
        if (json_object_object_get_ex(config, "config", &v))
                (void)json_add(o, "Config", json_object_get(v));
        if (json_object_object_get_ex(config, "author", &v))
                (void)json_add(o, "Author", json_object_get(v));
        if (json_add(o, "RootFS", rootfs = json_object_new_object()) < 0)
                return -ENOMEM;
        json_add_string(rootfs, "Type", "layers");
        if (json_add(rootfs, "Layers", diff_ids = json_object_new_array()) < 0 ||
            json_add(o, "Manifest", blob_json(&i->manifest, NULL)) < 0 ||
            json_add(o, "LayerBlobs", layers = json_object_new_array()) < 0)
                return -ENOMEM;
        for (size_t k = 0; i->layers[k]; k++) {
                _cleanup_free_ char *d = NULL;
                struct json_object *b = blob_json(&i->layer_blobs[k], i->layers[k]);
                uint64_t unpacked;

                if (b && image_store_layer_size(manager->images, i->layers[k], &unpacked) >= 0 &&
                    json_add(b, "unpackedSize", json_object_new_int64((int64_t)unpacked)) < 0) {
                        json_object_put(b);
                        return -ENOMEM;
                }
                if (!b || json_object_array_add(layers, b) < 0) {
                        json_object_put(b);
                        return -ENOMEM;
                }
                if (asprintf(&d, "sha256:%s", i->layers[k]) < 0 ||
                    json_object_array_add(diff_ids, json_object_new_string(d)) < 0)
                        return -ENOMEM;
        }
        if (json_object_object_get_ex(config, "history", &v))
                (void)json_add(o, "History", json_object_get(v));

        const char *s =
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

static int method_inspect_image(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *ref;
        int r;

        r = sd_bus_message_read(m, "s", &ref);
        if (r < 0)
                return r;
        return image_inspect_call(userdata, m, ref, error);
}

int image_inspect_call(Manager *manager, sd_bus_message *m, const char *ref, sd_bus_error *error)
{
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_free_ char *json = NULL;
        int r;

        r = image_store_lookup(manager->images, ref, &image);
        if (r < 0)
                return lookup_error(error, r, ref);
        r = image_inspect_json(manager, image, &json);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the config of image %s: %m", ref);
        return sd_bus_reply_method_return(m, "s", json);
}

static int method_prune_images(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        Manager *manager = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **removed = NULL;
        Image **images = NULL;
        size_t n = 0;
        int all, r;

        r = sd_bus_message_read(m, "b", &all);
        if (r < 0)
                return r;
        r = polkit_verify_async(manager, m, POLKIT_ACTION_MANAGE_IMAGES, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        image_store_defer_collect(manager->images, manager->image_jobs != NULL);

        r = image_store_list(manager->images, &images, &n);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to list images: %m");
        /* Dangling images (no tag), or with all every image no container uses. */
        for (size_t k = 0; k < n; k++) {
                Image *i = images[k];
                if ((!all && !strv_isempty(i->references)) || manager_image_in_use(manager, i->id, false))
                        continue;
                r = image_store_remove(manager->images, i->id, NULL);
                image_store_removed(manager);
                if (r < 0) {
                        log_warning_errno(r, "Cannot remove image %.12s: %m", i->id);
                        continue;
                }
                log_info("Pruned image %.12s.", i->id);
                image_event(manager, "delete", i->id, NULL);
                image_object_removed(manager, i->id);
                if (strv_extend(&removed, i->id) < 0) {
                        image_list_free(images);
                        return -ENOMEM;
                }
        }
        image_list_free(images);
        /* Partial downloads of interrupted pulls go too: a prune is a clean slate. Not while pulls run:
         * one may have just created its download file and not locked it yet. */
        uint64_t bytes = 0;
        r = manager->image_jobs ? 0 : image_store_prune_downloads(manager->images, &bytes);
        if (r < 0)
                log_warning_errno(r, "Cannot remove partial downloads: %m");
        else if (bytes > 0)
                log_info("Pruned %" PRIu64 " bytes of interrupted downloads.", bytes);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, removed);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable manager_image_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("ImportImage", SD_BUS_ARGS("h", tarball, "s", reference),
                            SD_BUS_RESULT("s", image_id), method_import_image, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PullImage", SD_BUS_ARGS("s", reference, "a{sv}", options),
                            SD_BUS_RESULT("o", job), method_pull_image, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PushImage", SD_BUS_ARGS("s", image, "s", destination, "a{sv}", options),
                            SD_BUS_RESULT("o", job), method_push_image, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("SaveImages", SD_BUS_ARGS("as", images, "s", format, "h", output),
                            SD_BUS_NO_RESULT, method_save_images, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("LoadImages", SD_BUS_ARGS("h", archive), SD_BUS_RESULT("as", images),
                            method_load_images, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CheckRegistryLogin", SD_BUS_ARGS("s", registry, "a{sv}", options),
                            SD_BUS_NO_RESULT, method_check_registry_login, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ListImages", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sastt)", images),
                            method_list_images, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("InspectImage", SD_BUS_ARGS("s", image), SD_BUS_RESULT("s", json),
                            method_inspect_image, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("TagImage", SD_BUS_ARGS("s", image, "s", target), SD_BUS_NO_RESULT,
                            method_tag_image, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("RemoveImage", SD_BUS_ARGS("s", reference, "b", force), SD_BUS_NO_RESULT,
                            method_remove_image, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("PruneImages", SD_BUS_ARGS("b", all), SD_BUS_RESULT("as", removed),
                            method_prune_images, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS(
        "JobRemoved", SD_BUS_ARGS("u", id, "o", job, "s", type, "s", result, "s", image_id, "s", error), 0),
    SD_BUS_VTABLE_END,
};

int manager_image_bus_register(Manager *m)
{
        return sd_bus_add_object_vtable(m->bus, NULL, "/org/raind/raind1", "org.raind.raind1.Manager",
                                        manager_image_vtable, m);
}
