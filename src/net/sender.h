/* SPDX-License-Identifier: MIT */
/* Putting a batch of packets on the wire as fast as the machine allows.
 *
 * Sending is where a raw scan spends its time, nearly all of it inside the
 * kernel (routing, netfilter, the driver; on a virtual link even the
 * receiver's stack runs in the sender's context).  A batch large enough is
 * split between the calling thread and one worker thread, each with its own
 * socket, so that this kernel work runs on two cores at once.  On a
 * one-core machine everything is sent from the calling thread. */
#ifndef PORTSCOUT_SENDER_H
#define PORTSCOUT_SENDER_H

#include <sys/socket.h>

struct sender;

/* A sender for sockets fd (the caller's) and fd2 (the worker's, same
 * family and options; -1: no worker).  NULL on failure (errno set). */
struct sender *sender_new(int fd, int fd2);
void sender_free(struct sender *s);

/* Send msgs[0..n).  Returns how many could not be sent, with the errno of
 * the first failure in *err. */
unsigned sender_send(struct sender *s, struct mmsghdr *msgs, unsigned n, int *err);

#endif
