/* SPDX-License-Identifier: MIT */
/* Linux event loop on epoll. */
#include "event.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/xalloc.h"

#define EV_BATCH 1024

/* The callback and its argument travel in epoll_event.data, which holds one
 * pointer: each registered fd owns a small record. */
struct ev_watch {
    ev_cb cb;
    void *arg;
    int fd;
    int active;
};

struct ev_loop {
    int epfd;
    struct epoll_event events[EV_BATCH];
    struct ev_watch **watch; /* by fd */
    int nwatch;
};

struct ev_loop *ev_new(void)
{
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct ev_loop *loop = xcalloc(1, sizeof *loop);
    loop->epfd = fd;
    return loop;
}

void ev_free(struct ev_loop *loop)
{
    if (!loop)
        return;
    close(loop->epfd);
    for (int i = 0; i < loop->nwatch; i++)
        free(loop->watch[i]);
    free(loop->watch);
    free(loop);
}

static struct ev_watch *watch_for(struct ev_loop *loop, int fd)
{
    if (fd >= loop->nwatch) {
        int n = loop->nwatch ? loop->nwatch : 256;
        while (n <= fd)
            n *= 2;
        loop->watch = xreallocarray(loop->watch, (size_t)n, sizeof *loop->watch);
        for (int i = loop->nwatch; i < n; i++)
            loop->watch[i] = NULL;
        loop->nwatch = n;
    }
    if (!loop->watch[fd])
        loop->watch[fd] = xmalloc(sizeof(struct ev_watch));
    return loop->watch[fd];
}

static int ctl(struct ev_loop *loop, int op, int fd, unsigned events, ev_cb cb, void *arg)
{
    struct ev_watch *w = watch_for(loop, fd);
    w->cb = cb;
    w->arg = arg;
    w->fd = fd;
    w->active = 1;
    struct epoll_event ev = {.data.ptr = w};
    if (events & EV_READ)
        ev.events |= EPOLLIN;
    if (events & EV_WRITE)
        ev.events |= EPOLLOUT;
    if (events & EV_ONESHOT)
        ev.events |= EPOLLONESHOT;
    if (epoll_ctl(loop->epfd, op, fd, &ev) == 0)
        return 0;
    return -errno;
}

int ev_add(struct ev_loop *loop, int fd, unsigned events, ev_cb cb, void *arg)
{
    int r = ctl(loop, EPOLL_CTL_ADD, fd, events, cb, arg);
    return r == -EEXIST ? ctl(loop, EPOLL_CTL_MOD, fd, events, cb, arg) : r;
}

int ev_mod(struct ev_loop *loop, int fd, unsigned events, ev_cb cb, void *arg)
{
    int r = ctl(loop, EPOLL_CTL_MOD, fd, events, cb, arg);
    return r == -ENOENT ? ctl(loop, EPOLL_CTL_ADD, fd, events, cb, arg) : r;
}

void ev_forget(struct ev_loop *loop, int fd)
{
    if (fd >= 0 && fd < loop->nwatch && loop->watch[fd])
        loop->watch[fd]->active = 0;
}

int ev_del(struct ev_loop *loop, int fd)
{
    ev_forget(loop, fd);
    if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) != 0)
        return -errno;
    return 0;
}

int ev_wait(struct ev_loop *loop, int64_t timeout_us)
{
    int ms;
    if (timeout_us < 0)
        ms = -1;
    else if (timeout_us > 3600 * 1000000LL)
        ms = 3600 * 1000;
    else
        ms = (int)((timeout_us + 999) / 1000); /* never wake early */
    int n = epoll_wait(loop->epfd, loop->events, EV_BATCH, ms);
    if (n < 0)
        return -errno;
    for (int i = 0; i < n; i++) {
        struct ev_watch *w = loop->events[i].data.ptr;
        if (!w->active)
            continue; /* closed by an earlier callback of this batch */
        unsigned ev = 0;
        uint32_t e = loop->events[i].events;
        if (e & EPOLLIN)
            ev |= EV_READ;
        if (e & EPOLLOUT)
            ev |= EV_WRITE;
        if (e & (EPOLLERR | EPOLLHUP))
            ev |= EV_ERROR;
        w->cb(loop, w->fd, ev, w->arg);
    }
    return n;
}
