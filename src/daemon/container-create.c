/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "container-create.h"
#include "container.h"
#include "manager.h"
#include "raind/fileio.h"
#include "raind/json-util.h"
#include "raind/log.h"
#include "raind/strv.h"
#include "raind/unit-name.h"
#include "raind/util.h"
#include "spec.h"

static const char *const adjectives[] = {
    "admiring", "bold",  "brave", "calm",  "clever", "eager",   "elastic",  "focused", "gentle",
    "happy",    "jolly", "keen",  "kind",  "lucid",  "modest",  "nifty",    "quirky",  "relaxed",
    "serene",   "sharp", "stoic", "sweet", "tender", "vibrant", "wizardly", "zealous",
};
static const char *const nouns[] = {
    "babbage", "bell",    "curie",    "darwin",   "euclid",  "fermat",  "galileo", "hopper",
    "hypatia", "kepler",  "lamarr",   "lovelace", "meitner", "newton",  "noether", "pascal",
    "ritchie", "shannon", "thompson", "torvalds", "turing",  "wozniak", "yalow",   "zuse",
};

/* Docker-style "adjective_noun", with a number added on a clash. */
int container_generate_name(Manager *m, char **ret)
{
        for (unsigned attempt = 0; attempt < 64; attempt++) {
                uint32_t rnd[2];
                char *name;
                if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                        return -errno;
                if (asprintf(&name, attempt < 8 ? "%s_%s" : "%s_%s%u",
                             adjectives[rnd[0] % ELEMENTSOF(adjectives)], nouns[rnd[1] % ELEMENTSOF(nouns)],
                             attempt) < 0)
                        return -ENOMEM;
                if (!manager_container_by_name(m, name)) {
                        *ret = name;
                        return 0;
                }
                free(name);
        }
        return -EBUSY;
}

static int write_bundle(const char *dir, const char *name, struct json_object *o)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return json_write_file_atomic(path, o, JSON_C_TO_STRING_PLAIN);
}

/* Creates the container's directory under a temporary name and renames it into place at the end, so a
 * failure or crash never leaves a half-made container behind. Takes the config over on success. */
int container_create(Manager *m, const char *name, ContainerConfig *config, const Image *image,
                     Container **ret, char **ret_error)
{
        _cleanup_free_ char *tmpdir = NULL, *dir = NULL, *upper = NULL, *work = NULL, *rootfs = NULL;
        _cleanup_strv_free_ char **lowerdirs = NULL;
        _cleanup_json_ struct json_object *spec = NULL;
        char id[CONTAINER_ID_LEN + 1];
        Container *c = NULL;
        int r;

        r = random_id(id);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s/containers/%s", m->state_dir, id) < 0 ||
            asprintf(&tmpdir, "%s/containers/.tmp-%s", m->state_dir, id) < 0 ||
            asprintf(&upper, "%s/upper", dir) < 0 || asprintf(&work, "%s/work", dir) < 0)
                return -ENOMEM;

        r = image_store_layer_dirs(m->images, image, &lowerdirs);
        if (r < 0)
                return log_error_errno(r, "Failed to find layers of image %s: %m", image->id);

        SpecPaths paths = {.lowerdirs = lowerdirs, .upperdir = upper, .workdir = work};
        const char *user = config->user ?: image->user;
        if (!isempty(user)) {
                r = image_resolve_user(lowerdirs, user, &paths.uid, &paths.gid, ret_error);
                if (r == -ESRCH || r == -EINVAL)
                        return -EINVAL;
                if (r < 0)
                        return log_error_errno(r, "Failed to resolve user %s in image %s: %m", user,
                                               image->id);
                paths.have_ids = true;
        }
        r = spec_generate(id, name, config, image, &paths, &spec, ret_error);
        if (r < 0)
                return r;

        r = container_new(m, id, &c);
        if (r < 0)
                return r;
        c->name = strdup(name);
        c->unit = container_scope_name(name);
        if (!c->name || !c->unit) {
                container_free(c);
                return -ENOMEM;
        }
        c->config = *config;
        c->state = CONTAINER_CREATED;
        c->created_at = now_usec(CLOCK_REALTIME);

        static const char *const subdirs[] = {"rootfs", "upper", "work"};
        r = mkdir_p(tmpdir, 0700);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(subdirs); i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", tmpdir, subdirs[i]) < 0)
                        r = -ENOMEM;
                else if (mkdir(p, 0755) < 0)
                        r = -errno;
        }
        if (r >= 0)
                r = write_bundle(tmpdir, "config.json", spec);
        if (r >= 0 && rename(tmpdir, dir) < 0)
                r = -errno;
        if (r >= 0)
                r = container_save(c);
        if (r < 0) {
                log_error_errno(r, "Failed to create container %s: %m", name);
                (void)rm_rf(tmpdir);
                (void)rm_rf(dir);
                memset(&c->config, 0, sizeof(c->config)); /* still the caller's */
                container_free(c);
                return r;
        }
        memset(config, 0, sizeof(*config));
        *ret = c;
        return 0;
}
