/* SPDX-License-Identifier: Apache-2.0 */
/* raind image pull / push. */
#include <fcntl.h>
#include <unistd.h>

#include "raind/log.h"
#include "raind/macro.h"
#include "raind/strv.h"

#include "cli-bus.h"
#include "cli-error.h"
#include "cli-image-job.h"
#include "cli-json.h"
#include "cli-prompt.h"
#include "cli-registry-options.h"
#include "cli-usage.h"
#include "cli.h"

static void help_pull(void)
{
        printf("Usage: %s [OPTIONS] NAME[:TAG|@DIGEST]\n"
               "\n"
               "Pull an image from a registry, like \"docker pull\". Short names are looked up on\n"
               "docker.io (or the unqualified-search-registries of raindd's registries.conf).\n"
               "Ctrl-C cancels the pull.\n"
               "\n"
               "Options:\n"
               "  -q, --quiet                   Print the image id only\n"
               "      --platform OS/ARCH[/VAR]  Pull this platform's image (default: the host's)\n"
               "      --tls-verify=false        Use plain http and skip certificate checks\n"
               "      --creds USER[:PASSWORD]   Log in with these credentials (asks for the\n"
               "                                password when it is left out)\n"
               "      --authfile FILE           Read credentials from FILE (default: see\n"
               "                                'raind login --help')\n"
               "  -h, --help                    Show this help\n",
               cli_command());
}

static void help_push(void)
{
        printf("Usage: %s [OPTIONS] IMAGE [DESTINATION]\n"
               "\n"
               "Push an image to a registry, like \"docker push\": to DESTINATION\n"
               "(REGISTRY/NAME[:TAG]) if given, else to the image's own reference.\n"
               "Ctrl-C cancels the push.\n"
               "\n"
               "Options:\n"
               "      --tls-verify=false        Use plain http and skip certificate checks\n"
               "      --creds USER[:PASSWORD]   Log in with these credentials (asks for the\n"
               "                                password when it is left out)\n"
               "      --authfile FILE           Read credentials from FILE (default: see\n"
               "                                'raind login --help')\n"
               "  -h, --help                    Show this help\n",
               cli_command());
}

/* Credentials for the registry of reference: --creds (asking for a missing password), else what
 * "raind login" stored, else none. Returns 0 or an exit status after saying why. */
static int transfer_credentials(TransferOptions *o, const char *reference)
{
        _cleanup_free_ char *registry = NULL, *path = NULL;
        int r;

        if (o->username) {
                if (o->password)
                        return 0;
                r = prompt_line("Password: ", false, &o->password);
                if (r == -ENOTTY)
                        return cli_usage_error("--creds without a password needs a terminal to ask for it");
                if (r < 0) {
                        log_error_errno(r, "raind: Cannot read the password: %m");
                        return EXIT_USAGE;
                }
                return 0;
        }

        /* An image id has no registry of its own: nothing to look up. */
        if (reference_registry(reference, &registry) < 0)
                return 0;
        r = registry_credentials_find(o->authfile, registry, &o->username, &o->password);
        if (r == -ENOENT || (r == -ENXIO && !o->authfile))
                return 0;
        if (r < 0) {
                (void)auth_file_path(o->authfile, &path);
                log_error_errno(r, "raind: Cannot read the credentials for %s from %s: %m", registry,
                                path ?: "the auth file");
                return EXIT_USAGE;
        }
        log_debug("Using the stored credentials of %s for %s.", o->username, registry);
        return 0;
}

/* "sha256:…" of the manifest the image was pulled by, from InspectImage's RepoDigests; NULL if
 * unknown. */
static char *image_repo_digest(const char *image_id)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_json_ json_object *o = NULL;
        json_object *digests, *first;
        const char *json, *at;

        /* A new connection: the one the job was followed on closed with its event loop. */
        if (sd_bus_open_system(&bus) < 0 ||
            cli_call(bus, RAIND_MANAGER_PATH, RAIND_MANAGER_INTERFACE, "InspectImage", 0, &error, &reply,
                     "s", image_id) < 0 ||
            sd_bus_message_read(reply, "s", &json) < 0)
                return NULL;
        o = json_tokener_parse(json);
        if (!o || !json_object_object_get_ex(o, "RepoDigests", &digests) ||
            !json_object_is_type(digests, json_type_array) || json_object_array_length(digests) == 0)
                return NULL;
        first = json_object_array_get_idx(digests, 0);
        at = strchr(strempty(json_object_get_string(first)), '@');
        return at ? strdup(at + 1) : NULL;
}

static int run_transfer(int argc, char *argv[], bool push)
{
        _cleanup_(transfer_options_freep) TransferOptions *o = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(image_job_result_done) ImageJobResult result = {};
        _cleanup_free_ char *error = NULL;
        const char *reference;
        int r;

        r = transfer_options_parse(argc, argv, push, &o, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return cli_usage_error("%s", error);
        if (r == TRANSFER_OPTIONS_HELP) {
                push ? help_push() : help_pull();
                return 0;
        }

        reference = o->destination ?: o->image;
        r = transfer_credentials(o, reference);
        if (r != 0)
                return r;

        if (cli_bus_open(&bus) < 0)
                return EXIT_DAEMON_ERROR;
        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, RAIND_MANAGER_PATH,
                                           RAIND_MANAGER_INTERFACE, push ? "PushImage" : "PullImage");
        if (r >= 0)
                r = push ? sd_bus_message_append(m, "ss", o->image, strempty(o->destination))
                         : sd_bus_message_append(m, "s", o->image);
        if (r >= 0)
                r = bus_append_registry_options(m, o->platform, o->tls_verify, o->username, o->password);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot ask raindd: %m");
                return EXIT_DAEMON_ERROR;
        }

        r = image_job_follow(bus, m, reference, push, o->quiet, push ? "push images" : "pull images",
                             POLKIT_MANAGE_IMAGES, &result);
        if (r != 0)
                return r;

        if (push) {
                if (!o->quiet)
                        printf("%s: pushed%s%s\n", result.target ?: reference,
                               isempty(result.image_id) ? "" : ", digest: ", strempty(result.image_id));
                return 0;
        }
        if (o->quiet) {
                puts(strempty(result.image_id));
                return 0;
        }
        _cleanup_free_ char *digest = image_repo_digest(result.image_id);
        if (digest)
                printf("Digest: %s\n", digest);
        printf("Status: %s for %s\n", result.transferred ? "Downloaded newer image" : "Image is up to date",
               o->image);
        puts(result.target ?: o->image);
        return 0;
}

int image_pull_for_run(const char *image)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(image_job_result_done) ImageJobResult result = {};
        TransferOptions o = {.tls_verify = true};
        int r, saved = -EBADF;

        r = transfer_credentials(&o, image);
        if (r != 0)
                goto finish;
        /* Its own connection: following the job ends the event loop of the one it uses. */
        if (cli_bus_open(&bus) < 0) {
                r = EXIT_DAEMON_ERROR;
                goto finish;
        }
        r = sd_bus_message_new_method_call(bus, &m, RAIND_BUS_NAME, RAIND_MANAGER_PATH,
                                           RAIND_MANAGER_INTERFACE, "PullImage");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", image);
        if (r >= 0)
                r = bus_append_registry_options(m, NULL, o.tls_verify, o.username, o.password);
        if (r < 0) {
                log_error_errno(r, "raind: Cannot ask raindd: %m");
                r = EXIT_DAEMON_ERROR;
                goto finish;
        }
        /* The progress goes where docker run puts it: stderr. */
        fflush(stdout);
        saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (saved >= 0)
                (void)dup2(STDERR_FILENO, STDOUT_FILENO);
        r = image_job_follow(bus, m, image, false, false, "pull images", POLKIT_MANAGE_IMAGES, &result);
        fflush(stdout);
        /* docker run: a failed pull is raind's failure, not the container's. */
        if (r != 0 && r != 130)
                r = EXIT_DAEMON_ERROR;
        if (saved >= 0) {
                (void)dup2(saved, STDOUT_FILENO);
                safe_close(saved);
        }

finish:
        free(o.username);
        free(o.password);
        free(o.authfile);
        return r;
}

int verb_image_pull(int argc, char *argv[])
{
        return run_transfer(argc, argv, false);
}

int verb_image_push(int argc, char *argv[])
{
        return run_transfer(argc, argv, true);
}
