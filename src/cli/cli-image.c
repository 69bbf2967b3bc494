/* SPDX-License-Identifier: Apache-2.0 */
/* raind image import / ls / rm. */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"
#include "raind/validate.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-format.h"
#include "cli-image-inspect.h"
#include "cli-json.h"
#include "cli-table.h"
#include "cli-usage.h"
#include "cli.h"

#define IMAGE_ID_LEN 64

static void help_import(void)
{
        printf("Usage: %s FILE NAME[:TAG]\n"
               "\n"
               "Create an image from a root file system tarball (plain, gzip, xz, bzip2 or zstd),\n"
               "like \"docker import\", and print its id. FILE \"-\" reads standard input.\n"
               "\n"
               "Options:\n"
               "  -h, --help   Show this help\n",
               cli_command());
}

int verb_image_import(int argc, char *argv[])
{
        static const struct option options[] = {
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *file, *reference, *id;
        struct stat st;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help_import();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (argc - optind != 2)
                return cli_usage_error("Expected FILE and NAME[:TAG]");
        file = argv[optind];
        reference = argv[optind + 1];
        if (!image_reference_is_valid(reference))
                return cli_usage_error("Invalid image reference '%s': expected NAME[:TAG], lowercase",
                                       reference);

        if (streq(file, "-"))
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        else
                fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(-errno, "raind: Cannot open %s: %m", file);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "raind: Cannot read %s: %m", file);
        if (S_ISDIR(st.st_mode))
                return log_error_errno(-EISDIR, "raind: %s is a directory, expected a tarball", file);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "ImportImage", CLI_CALL_NO_TIMEOUT,
                     &error, &reply, "hs", fd, reference);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, "import images", POLKIT_MANAGE_IMAGES);
        r = sd_bus_message_read(reply, "s", &id);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the image id: %m");
        puts(id);
        return 0;
}

/* One entry of ListImages' a(sastt). */
typedef struct ImageEntry {
        const char *id;
        char **references;
        uint64_t created_at;
        uint64_t size;
        char **digests; /* RepoDigests, with --digests */
} ImageEntry;

static void image_entries_free(ImageEntry *entries, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                strv_free(entries[i].references);
                strv_free(entries[i].digests);
        }
        free(entries);
}

static int image_compare_newest_first(const void *a, const void *b)
{
        const ImageEntry *x = a, *y = b;

        if (x->created_at != y->created_at)
                return x->created_at > y->created_at ? -1 : 1;
        return strcmp(x->id, y->id);
}

static int read_images(sd_bus_message *reply, ImageEntry **ret, size_t *ret_n)
{
        ImageEntry *entries = NULL;
        size_t n = 0;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(sastt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, "sastt")) > 0) {
                ImageEntry e = {}, *grown = NULL;

                r = sd_bus_message_read(reply, "s", &e.id);
                if (r >= 0)
                        r = sd_bus_message_read_strv(reply, &e.references);
                if (r >= 0)
                        r = sd_bus_message_read(reply, "tt", &e.created_at, &e.size);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r >= 0) {
                        grown = reallocarray(entries, n + 1, sizeof(ImageEntry));
                        r = grown ? 0 : -ENOMEM;
                }
                if (r < 0) {
                        strv_free(e.references);
                        image_entries_free(entries, n);
                        return r;
                }
                entries = grown;
                entries[n++] = e;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r < 0) {
                image_entries_free(entries, n);
                return r;
        }

        if (n > 0)
                qsort(entries, n, sizeof(ImageEntry), image_compare_newest_first);
        *ret = entries;
        *ret_n = n;
        return 0;
}

/* "registry:5000/app:1.0" → "registry:5000/app", "1.0": the tag follows the last ':' after the
 * last '/'. */
static int split_reference(const char *reference, char **ret_repository, const char **ret_tag)
{
        const char *slash = strrchr(reference, '/');
        const char *colon = strrchr(slash ?: reference, ':');
        char *repository;

        repository = colon ? strndup(reference, (size_t)(colon - reference)) : strdup(reference);
        if (!repository)
                return -ENOMEM;
        *ret_repository = repository;
        *ret_tag = colon ? colon + 1 : "latest";
        return 0;
}

/* The digest of RepoDigests' entry "repository@sha256:…", "<none>" if there is none. */
static const char *repository_digest(char **digests, const char *repository)
{
        STRV_FOREACH (d, digests) {
                const char *rest = repository ? startswith(*d, repository) : NULL;

                if (rest && rest[0] == '@')
                        return rest + 1;
        }
        return "<none>";
}

static int image_row(Table *t, const ImageEntry *e, const char *reference, bool no_trunc, bool digests,
                     uint64_t now)
{
        _cleanup_free_ char *repository = NULL;
        const char *tag = "<none>", *id = startswith(e->id, "sha256:") ?: e->id;
        char short_id[IMAGE_ID_LEN + 1], created[FORMAT_DURATION_MAX + 8], size[FORMAT_SIZE_MAX];
        int r;

        if (reference) {
                r = split_reference(reference, &repository, &tag);
                if (r < 0)
                        return r;
        }
        snprintf(short_id, sizeof(short_id), "%.*s", no_trunc ? IMAGE_ID_LEN : SHORT_ID_LEN, id);
        if (digests)
                return table_add_row(
                    t, (const char *const[]){
                           repository ?: "<none>", tag, repository_digest(e->digests, repository), short_id,
                           format_time_ago(created, e->created_at, now), format_size_human(size, e->size)});
        return table_add_row(t, (const char *const[]){repository ?: "<none>", tag, short_id,
                                                      format_time_ago(created, e->created_at, now),
                                                      format_size_human(size, e->size)});
}

static int print_images_table(const ImageEntry *entries, size_t n, bool no_trunc, bool digests)
{
        static const char *const headers[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"};
        static const char *const headers_digests[] = {"REPOSITORY", "TAG",     "DIGEST",
                                                      "IMAGE ID",   "CREATED", "SIZE"};
        _cleanup_table_ Table *t = digests ? table_new(ELEMENTSOF(headers_digests), headers_digests)
                                           : table_new(ELEMENTSOF(headers), headers);
        uint64_t now = now_usec(CLOCK_REALTIME);
        int r;

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (strv_length(entries[i].references) == 0) {
                        r = image_row(t, entries + i, NULL, no_trunc, digests, now);
                        if (r < 0)
                                return r;
                }
                STRV_FOREACH (reference, entries[i].references) {
                        r = image_row(t, entries + i, *reference, no_trunc, digests, now);
                        if (r < 0)
                                return r;
                }
        }
        return table_print(t, stdout);
}

static int image_to_json(const ImageEntry *e, bool digests, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_new(o, "Id", json_object_new_string(e->id));
        if (r >= 0)
                r = json_add_new(o, "References", json_new_strv(e->references));
        if (r >= 0 && digests)
                r = json_add_new(o, "RepoDigests", json_new_strv(e->digests));
        if (r >= 0)
                r = json_add_timestamp(o, "CreatedAt", e->created_at);
        if (r >= 0)
                r = json_add_new(o, "Size", json_object_new_uint64(e->size));
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int print_images_json(const ImageEntry *entries, size_t n, bool digests)
{
        _cleanup_json_ json_object *array = json_object_new_array();
        int r;

        if (!array)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o;

                r = image_to_json(entries + i, digests, &o);
                if (r < 0)
                        return r;
                if (json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }
        return json_print(array, stdout);
}

static void help_image_ls(void)
{
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "List images, one line per reference.\n"
               "\n"
               "Options:\n"
               "  -q, --quiet      Print the image ids only\n"
               "      --digests    Show the manifest digest each reference was pulled by\n"
               "                   (DIGEST column; RepoDigests in JSON)\n"
               "      --json       Print a JSON array of objects with Id, References,\n"
               "                   CreatedAt (RFC 3339) and Size (bytes)\n"
               "      --no-trunc   Do not shorten ids\n"
               "  -h, --help       Show this help\n",
               cli_command());
}

int verb_image_ls(int argc, char *argv[])
{
        enum { ARG_JSON = 0x100, ARG_NO_TRUNC, ARG_DIGESTS };
        static const struct option options[] = {
            {"quiet", no_argument, NULL, 'q'},     {"digests", no_argument, NULL, ARG_DIGESTS},
            {"json", no_argument, NULL, ARG_JSON}, {"no-trunc", no_argument, NULL, ARG_NO_TRUNC},
            {"help", no_argument, NULL, 'h'},      {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        ImageEntry *entries = NULL;
        bool quiet = false, json = false, no_trunc = false, digests = false;
        size_t n;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":qh", options, NULL)) >= 0)
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_NO_TRUNC:
                        no_trunc = true;
                        break;
                case ARG_DIGESTS:
                        digests = true;
                        break;
                case 'h':
                        help_image_ls();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind < argc)
                return cli_usage_error("Unexpected argument '%s'", argv[optind]);

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "ListImages", 0, &error, &reply,
                     NULL);
        if (r < 0)
                return cli_log_bus_error(&error, r, NULL, NULL, NULL);
        r = read_images(reply, &entries, &n);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot read the list of images: %m");

        if (digests && !quiet)
                for (size_t i = 0; i < n; i++) {
                        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                        _cleanup_json_ json_object *o = NULL;
                        json_object *list;

                        /* Gone since ListImages: it has no digest to show any more. */
                        if (image_inspect_json(bus, entries[i].id, &e, &o) < 0 ||
                            !json_object_object_get_ex(o, "RepoDigests", &list) ||
                            !json_object_is_type(list, json_type_array))
                                continue;
                        for (size_t k = 0; k < json_object_array_length(list); k++) {
                                const char *d = json_object_get_string(json_object_array_get_idx(list, k));

                                if (d && strv_extend(&entries[i].digests, d) < 0) {
                                        image_entries_free(entries, n);
                                        return log_oom();
                                }
                        }
                }

        if (quiet) {
                for (size_t i = 0; i < n; i++) {
                        const char *id = startswith(entries[i].id, "sha256:") ?: entries[i].id;

                        printf("%.*s\n", no_trunc ? IMAGE_ID_LEN : SHORT_ID_LEN, id);
                }
                r = 0;
        } else
                r = json ? print_images_json(entries, n, digests)
                         : print_images_table(entries, n, no_trunc, digests);
        image_entries_free(entries, n);
        if (r < 0)
                return log_error_errno(r, "raind: Cannot show the list of images: %m");
        return 0;
}

static void help_image_rm(void)
{
        printf("Usage: %s [OPTIONS] IMAGE...\n"
               "\n"
               "Remove image references (NAME[:TAG] or id); an image goes once no reference is left.\n"
               "\n"
               "Options:\n"
               "  -f, --force   Remove even if a container uses the image\n"
               "  -h, --help    Show this help\n",
               cli_command());
}

int verb_image_rm(int argc, char *argv[])
{
        static const struct option options[] = {
            {"force", no_argument, NULL, 'f'},
            {"help", no_argument, NULL, 'h'},
            {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        bool force = false;
        int c, r, status = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, ":fh", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        help_image_rm();
                        return 0;
                default:
                        return cli_getopt_error(c, argv);
                }
        if (optind >= argc)
                return cli_usage_error("Missing image reference");

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;

        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                if (!image_reference_is_valid(argv[i]) && !id_prefix_is_valid(argv[i])) {
                        log_error("raind: %s: Invalid image reference", argv[i]);
                        status = EXIT_USAGE;
                        continue;
                }
                r = cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "RemoveImage",
                             CLI_CALL_TIMEOUT_USEC, &error, NULL, "sb", argv[i], (int)force);
                if (r < 0) {
                        if (bus_error_means_unreachable(error.name, r))
                                return cli_log_bus_error(&error, r, NULL, "remove images",
                                                         POLKIT_MANAGE_IMAGES);
                        cli_log_bus_error(&error, r, argv[i], "remove images", POLKIT_MANAGE_IMAGES);
                        status = EXIT_USAGE;
                        continue;
                }
                printf("Untagged: %s\n", argv[i]);
                fflush(stdout);
        }
        return status;
}
