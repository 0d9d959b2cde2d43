/* LD_PRELOAD shim for the power-loss test: log every write, truncate, sync,
 * rename and unlink on files under $PL_DIR to $PL_LOG, and every write to
 * stdout (the child's acknowledgements), in the order they happened.
 *
 * Record: 1 byte op, u32 path length, path, i64 offset, i64 length, then
 * `length` bytes of data for W (write) and A (stdout). Ops: W write, T
 * truncate (offset = new size), S fsync/fdatasync, R rename (path = old,
 * data = new path), U unlink, A acknowledgement. The test rebuilds each file
 * as a power cut would leave it. Compiled by the test with `cc`. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_FD 4096
static char *paths[MAX_FD];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static const char *dir;
static size_t dir_len;

static void setup(void) {
    if (dir == NULL) {
        dir = getenv("PL_DIR");
        dir_len = dir ? strlen(dir) : 0;
    }
    if (log_fd < 0 && getenv("PL_LOG"))
        log_fd = (int)syscall(SYS_openat, AT_FDCWD, getenv("PL_LOG"),
                              O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

static int ours(const char *path) {
    setup();
    return dir_len && path && strncmp(path, dir, dir_len) == 0;
}

static void put(const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = syscall(SYS_write, log_fd, p, n);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static void record(char op, const char *path, int64_t off, const void *data,
                   int64_t len) {
    int saved = errno;
    pthread_mutex_lock(&lock);
    setup();
    if (log_fd >= 0) {
        uint32_t plen = path ? (uint32_t)strlen(path) : 0;
        put(&op, 1);
        put(&plen, 4);
        if (plen) put(path, plen);
        put(&off, 8);
        put(&len, 8);
        if (data && len > 0) put(data, (size_t)len);
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
}

static const char *tracked(int fd) {
    return (fd >= 0 && fd < MAX_FD) ? paths[fd] : NULL;
}

static char *absolute(int dirfd, const char *path) {
    char buf[PATH_MAX * 2];
    if (path[0] == '/') return strdup(path);
    char base[PATH_MAX];
    if (dirfd == AT_FDCWD) {
        if (!getcwd(base, sizeof base)) return strdup(path);
    } else if (tracked(dirfd)) {
        strncpy(base, tracked(dirfd), sizeof base - 1);
        base[sizeof base - 1] = 0;
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        ssize_t n = readlink(link, base, sizeof base - 1);
        if (n < 0) return strdup(path);
        base[n] = 0;
    }
    snprintf(buf, sizeof buf, "%s/%s", base, path);
    return strdup(buf);
}

static void opened(int fd, int dirfd, const char *path, int flags) {
    if (fd < 0 || fd >= MAX_FD) return;
    char *full = absolute(dirfd, path);
    pthread_mutex_lock(&lock);
    free(paths[fd]);
    paths[fd] = NULL;
    pthread_mutex_unlock(&lock);
    if (ours(full)) {
        paths[fd] = full;
        if (flags & O_TRUNC) record('T', full, 0, NULL, 0);
    } else {
        free(full);
    }
}

#define REAL(name, ret, ...)                                   \
    static ret (*real_##name)(__VA_ARGS__);                    \
    if (!real_##name) real_##name = dlsym(RTLD_NEXT, #name);

static int do_openat(int dirfd, const char *path, int flags,
                     mode_t mode) {
    static int (*real_openat)(int, const char *, int, ...);
    if (!real_openat) real_openat = dlsym(RTLD_NEXT, "openat");
    int fd = real_openat(dirfd, path, flags, mode);
    if (fd >= 0) opened(fd, dirfd, path, flags);
    return fd;
}

int open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
    va_end(ap);
    return do_openat(AT_FDCWD, path, flags, mode);
}
int open64(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
    va_end(ap);
    return do_openat(AT_FDCWD, path, flags, mode);
}
int openat(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
    va_end(ap);
    return do_openat(dirfd, path, flags, mode);
}
int openat64(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
    va_end(ap);
    return do_openat(dirfd, path, flags, mode);
}

int close(int fd) {
    REAL(close, int, int)
    if (fd >= 0 && fd < MAX_FD && paths[fd]) {
        pthread_mutex_lock(&lock);
        free(paths[fd]);
        paths[fd] = NULL;
        pthread_mutex_unlock(&lock);
    }
    return real_close(fd);
}

ssize_t write(int fd, const void *buf, size_t n) {
    REAL(write, ssize_t, int, const void *, size_t)
    const char *path = tracked(fd);
    off_t off = path ? lseek(fd, 0, SEEK_CUR) : 0;
    ssize_t done = real_write(fd, buf, n);
    if (done > 0 && path) record('W', path, off, buf, done);
    if (done > 0 && fd == 1) record('A', NULL, 0, buf, done);
    return done;
}

static ssize_t logged_pwrite(int fd, const void *buf, ssize_t done, off_t off) {
    const char *path = tracked(fd);
    if (done > 0 && path) record('W', path, off, buf, done);
    return done;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite, ssize_t, int, const void *, size_t, off_t)
    return logged_pwrite(fd, buf, real_pwrite(fd, buf, n, off), off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    REAL(pwrite64, ssize_t, int, const void *, size_t, off_t)
    return logged_pwrite(fd, buf, real_pwrite64(fd, buf, n, off), off);
}

int ftruncate(int fd, off_t size) {
    REAL(ftruncate, int, int, off_t)
    int r = real_ftruncate(fd, size);
    if (r == 0 && tracked(fd)) record('T', tracked(fd), size, NULL, 0);
    return r;
}
int ftruncate64(int fd, off_t size) {
    REAL(ftruncate64, int, int, off_t)
    int r = real_ftruncate64(fd, size);
    if (r == 0 && tracked(fd)) record('T', tracked(fd), size, NULL, 0);
    return r;
}

int fsync(int fd) {
    REAL(fsync, int, int)
    int r = real_fsync(fd);
    if (r == 0 && tracked(fd)) record('S', tracked(fd), 0, NULL, 0);
    return r;
}
int fdatasync(int fd) {
    REAL(fdatasync, int, int)
    int r = real_fdatasync(fd);
    if (r == 0 && tracked(fd)) record('S', tracked(fd), 0, NULL, 0);
    return r;
}

static int renamed(int r, int olddir, const char *old, int newdir,
                   const char *new) {
    if (r != 0) return r;
    char *a = absolute(olddir, old), *b = absolute(newdir, new);
    if (ours(a) || ours(b)) record('R', a, 0, b, (int64_t)strlen(b));
    free(a);
    free(b);
    return r;
}
int rename(const char *old, const char *new) {
    REAL(rename, int, const char *, const char *)
    return renamed(real_rename(old, new), AT_FDCWD, old, AT_FDCWD, new);
}
int renameat(int od, const char *old, int nd, const char *new) {
    REAL(renameat, int, int, const char *, int, const char *)
    return renamed(real_renameat(od, old, nd, new), od, old, nd, new);
}
int renameat2(int od, const char *old, int nd, const char *new, unsigned f) {
    REAL(renameat2, int, int, const char *, int, const char *, unsigned)
    return renamed(real_renameat2(od, old, nd, new, f), od, old, nd, new);
}

static int unlinked(int r, int dirfd, const char *path) {
    if (r != 0) return r;
    char *a = absolute(dirfd, path);
    if (ours(a)) record('U', a, 0, NULL, 0);
    free(a);
    return r;
}
int unlink(const char *path) {
    REAL(unlink, int, const char *)
    return unlinked(real_unlink(path), AT_FDCWD, path);
}
int unlinkat(int dirfd, const char *path, int flags) {
    REAL(unlinkat, int, int, const char *, int)
    return unlinked(real_unlinkat(dirfd, path, flags), dirfd, path);
}
