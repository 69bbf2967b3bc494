/* SPDX-License-Identifier: Apache-2.0 */
/* User and group names as images use them ("User": "nginx", "app:staff"), resolved like Docker does:
 * in the image's own /etc/passwd and /etc/group, never the host's. */

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "raind/fileio.h"
#include "raind/image-store.h"
#include "raind/strv.h"
#include "raind/validate.h"

#define ACCOUNT_FILE_MAX (4U << 20)
#define ACCOUNT_NAME_MAX 256

/* The image's etc/<name>: the top-most layer that has it, unless a layer above whites it out (a
 * character device) or replaced etc/ by something else. Nothing is followed out of a layer. */
static int layers_read_etc(char *const *lowerdirs, const char *name, char **ret)
{
        STRV_FOREACH (dir, lowerdirs) {
                _cleanup_close_ int root = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct stat st;

                if (root < 0)
                        return -errno;
                _cleanup_close_ int etc =
                    openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (etc < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -ENOENT; /* etc is a whiteout, a symlink or a file here */
                }
                if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (!S_ISREG(st.st_mode))
                        return -ENOENT;
                _cleanup_close_ int fd = openat(etc, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                return read_full_fd(fd, ACCOUNT_FILE_MAX, ret, NULL);
        }
        return -ENOENT;
}

static bool is_number(const char *s)
{
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* Finds the line whose first field is name (or, with by_id, whose third field is name) and returns
 * its third and fourth fields ("name:x:uid:gid:…" in passwd, "name:x:gid:…" in group). */
static int account_find(const char *data, const char *key, bool by_id, uint32_t *ret_id, uint32_t *ret_gid)
{
        for (const char *line = data; line && *line;) {
                const char *end = strchrnul(line, '\n');
                char buf[1024], *fields[5] = {};
                size_t n = (size_t)(end - line);

                if (n < sizeof(buf)) {
                        memcpy(buf, line, n);
                        buf[n] = 0;
                        char *p = buf;
                        for (size_t k = 0; k < ELEMENTSOF(fields) && p; k++) {
                                fields[k] = p;
                                p = strchr(p, ':');
                                if (p)
                                        *p++ = 0;
                        }
                        const char *match = by_id ? fields[2] : fields[0];
                        if (match && streq(match, key) && fields[2] && is_number(fields[2])) {
                                uint32_t id, gid = 0;
                                if (parse_user(fields[2], &id, &gid, &(bool){false}) < 0)
                                        return -EBADMSG;
                                if (ret_gid) {
                                        if (!fields[3] || !is_number(fields[3]) ||
                                            parse_user(fields[3], &gid, &gid, &(bool){false}) < 0)
                                                return -EBADMSG;
                                        *ret_gid = gid;
                                }
                                *ret_id = id;
                                return 0;
                        }
                }
                line = *end ? end + 1 : NULL;
        }
        return -ESRCH;
}

int image_resolve_user(char *const *lowerdirs, const char *user, uid_t *ret_uid, gid_t *ret_gid,
                       char **ret_error)
{
        _cleanup_free_ char *copy = NULL, *passwd = NULL, *group = NULL;
        uint32_t uid = 0, gid = 0;
        char *name, *grp;
        int r;

        if (isempty(user) || strlen(user) > ACCOUNT_NAME_MAX)
                return -EINVAL;
        copy = strdup(user);
        if (!copy)
                return -ENOMEM;
        name = copy;
        grp = strchr(copy, ':');
        if (grp)
                *grp++ = 0;
        if (isempty(name) || (grp && isempty(grp)))
                goto invalid;

        if (is_number(name)) {
                if (parse_user(name, &uid, &gid, &(bool){false}) < 0)
                        goto invalid;
                /* A uid the image knows gets its primary group, like Docker. */
                if (!grp && layers_read_etc(lowerdirs, "passwd", &passwd) >= 0)
                        (void)account_find(passwd, name, true, &uid, &gid);
        } else {
                r = layers_read_etc(lowerdirs, "passwd", &passwd);
                if (r >= 0)
                        r = account_find(passwd, name, false, &uid, &gid);
                if (r < 0) {
                        if (ret_error &&
                            asprintf(ret_error, "unable to find user %s: no matching entries in passwd file",
                                     name) < 0)
                                *ret_error = NULL;
                        return -ESRCH;
                }
        }
        if (grp) {
                if (is_number(grp)) {
                        if (parse_user(grp, &gid, &gid, &(bool){false}) < 0)
                                goto invalid;
                } else {
                        r = layers_read_etc(lowerdirs, "group", &group);
                        if (r >= 0)
                                r = account_find(group, grp, false, &gid, NULL);
                        if (r < 0) {
                                if (ret_error &&
                                    asprintf(ret_error,
                                             "unable to find group %s: no matching entries in group file",
                                             grp) < 0)
                                        *ret_error = NULL;
                                return -ESRCH;
                        }
                }
        }
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;

invalid:
        if (ret_error &&
            asprintf(ret_error, "invalid user '%s', expected USER[:GROUP] or UID[:GID]", user) < 0)
                *ret_error = NULL;
        return -EINVAL;
}
