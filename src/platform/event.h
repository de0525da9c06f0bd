/* SPDX-License-Identifier: MIT */
/* The event loop: file-descriptor readiness with a timeout.  The engine
 * keeps its own deadlines and passes the nearest one to ev_wait, so the loop
 * needs no timer wheel.  One implementation file per OS (event_epoll.c on
 * Linux); porting is adding a file. */
#ifndef PORTSCOUT_EVENT_H
#define PORTSCOUT_EVENT_H

#include <stdint.h>

#define EV_READ 1u
#define EV_WRITE 2u
#define EV_ERROR 4u /* error or hang-up; always reported */
#define EV_ONESHOT 8u /* disarm after one report; ev_mod re-arms */

struct ev_loop;

typedef void (*ev_cb)(struct ev_loop *loop, int fd, unsigned events, void *arg);

/* NULL on failure (errno set). */
struct ev_loop *ev_new(void);
void ev_free(struct ev_loop *loop);
/* Watch fd for `events`, one-shot or persistent as given.  0 or -errno. */
int ev_add(struct ev_loop *loop, int fd, unsigned events, ev_cb cb, void *arg);
/* Change what a watched fd waits for (and re-arm a one-shot). */
int ev_mod(struct ev_loop *loop, int fd, unsigned events, ev_cb cb, void *arg);
/* Stop watching fd. */
int ev_del(struct ev_loop *loop, int fd);
/* Say fd is about to be closed (which ends the kernel's watch): events of
 * it already collected in this round are dropped, not delivered.  A
 * callback may still see a spurious wake-up if the number is reused at once,
 * so callbacks must tolerate them. */
void ev_forget(struct ev_loop *loop, int fd);
/* Wait at most timeout_us (<0: forever) and run the callbacks of ready
 * descriptors.  Returns how many ran, or -errno (-EINTR on a signal). */
int ev_wait(struct ev_loop *loop, int64_t timeout_us);

#endif
