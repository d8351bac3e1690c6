/*
 * The process platform's net group (hw.h: hw_net_*) and its wait: the instance's one Ethernet
 * link is a descriptor the CLI opened before start (a tap, IFF_TAP | IFF_NO_PI, or a packet
 * socket bound to a veth end in user mode; see nimbus-netfd.c) and handed over as a number on
 * the command line. One frame per read() or write(); the descriptor is non-blocking, so nothing
 * here blocks except the one ppoll in hw_yield.
 *
 * A tap opened with IFF_VNET_HDR (nimbus-netfd does) carries a struct virtio_net_hdr in front
 * of each frame: at start, before the seccomp filter, the header is fixed at 10 bytes and the
 * kernel is told it may hand over partial checksums and TSO/GRO frames (TUNSETOFFLOAD), which
 * become the group's offloads (hw.h). A packet socket, or a tap without the flag, has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "process.h"

/* The line hw_yield reports for the link (bit 0 of its result). */
#define NET_LINE 0

static int net_fd = -1;
static bool tx_blocked; /* a transmit met a full queue: wait for POLLOUT too */
static struct hw_net_info info = {.mtu = 1500, .line = NET_LINE};

bool process_net_start(int fd, const uint8_t mac[6], uint32_t mtu) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return false;
  net_fd = fd;
  for (int i = 0; i < 6; i++) info.mac[i] = mac[i];
  if (mtu) info.mtu = mtu;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  /* Not a tap (a packet socket): TUNGETIFF fails, and frames are bare. */
  if (ioctl(fd, TUNGETIFF, &ifr) == 0 && (ifr.ifr_flags & IFF_VNET_HDR)) {
    int size = HW_NET_VNET_HDR_LEN;
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) return false;
    info.header_len = HW_NET_VNET_HDR_LEN;
    /* Each offload is optional: an older kernel may refuse TSO, and then the stack segments. */
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) == 0) info.offloads = HW_NET_CSUM | HW_NET_TSO4;
    else if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)TUN_F_CSUM) == 0) info.offloads = HW_NET_CSUM;
    else ioctl(fd, TUNSETOFFLOAD, 0ul);
  }
  return true;
}

static unsigned le16(const uint8_t *p) { return p[0] | (unsigned)p[1] << 8; }

/* The largest frame (header included) the link moves: a GSO frame is bounded by IPv4's 64 KiB. */
static size_t max_frame(bool gso) {
  return info.header_len + 14 + (gso ? 65535u : info.mtu + 4);
}

/* hw.h's checks of a virtio_net_hdr the program wrote in front of a frame. */
static bool header_ok(const uint8_t *frame, size_t len) {
  uint8_t flags = frame[0], gso = frame[1];
  if (flags & ~HW_NET_HDR_F_NEEDS_CSUM) return false;
  if (flags && !(info.offloads & HW_NET_CSUM)) return false;
  if (flags & HW_NET_HDR_F_NEEDS_CSUM) {
    size_t start = le16(frame + 6), offset = le16(frame + 8);
    if (start < 14 || info.header_len + start + offset + 2 > len) return false;
  }
  if (gso == HW_NET_HDR_GSO_NONE) return len <= max_frame(false);
  if (gso != HW_NET_HDR_GSO_TCPV4 || !(info.offloads & HW_NET_TSO4)) return false;
  if (!(flags & HW_NET_HDR_F_NEEDS_CSUM) || le16(frame + 4) == 0) return false;
  return len <= max_frame(true);
}

bool hw_has(enum hw_group group) { return group == HW_GROUP_NET && net_fd >= 0; }

hw_result hw_net_info(struct hw_net_info *out) {
  if (net_fd < 0) return HW_EUNSPEC;
  *out = info;
  return HW_OK;
}

hw_result hw_net_receive(uint8_t *buf, size_t cap, size_t *len) {
  if (net_fd < 0) return HW_EUNSPEC;
  for (;;) {
    ssize_t n = read(net_fd, buf, cap);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return HW_AGAIN; /* EAGAIN; a failing link reads as an empty one */
    /* A frame that filled the buffer may have been cut short: drop it, as a NIC drops a giant. */
    if ((size_t)n >= cap || (size_t)n > max_frame(info.offloads & HW_NET_TSO4) || (size_t)n < info.header_len + 14) {
      info.dropped_rx++;
      continue;
    }
    *len = (size_t)n;
    return HW_OK;
  }
}

hw_result hw_net_transmit(const uint8_t *frame, size_t len) {
  if (net_fd < 0) return HW_EUNSPEC;
  if (len < info.header_len + 14) return HW_EINVAL;
  if (info.header_len ? !header_ok(frame, len) : len > info.mtu + 18) return HW_EINVAL;
  for (;;) {
    ssize_t n = write(net_fd, frame, len);
    if (n >= 0) return HW_OK;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == ENOBUFS) {
      tx_blocked = true;
      return HW_AGAIN;
    }
    return HW_OK; /* the link lost it (tap down: EIO), as a wire without carrier would */
  }
}

uint32_t hw_yield(uint64_t deadline_ns) {
  uint64_t now = hw_clock_monotonic_ns();
  uint64_t d = deadline_ns > now ? deadline_ns - now : 0;
  /* No deadline: wake hourly anyway; the event loop re-checks and yields again. */
  if (deadline_ns == UINT64_MAX || d > 3600ull * 1000000000u) d = 3600ull * 1000000000u;
  struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
  if (net_fd < 0) {
    if (d) ppoll(NULL, 0, &ts, NULL);
    return 0;
  }
  /* One wait on the link and the timer (a zero timeout still reports a waiting frame). */
  struct pollfd p = {.fd = net_fd, .events = POLLIN | (tx_blocked ? POLLOUT : 0)};
  if (ppoll(&p, 1, &ts, NULL) <= 0) return 0;
  if (p.revents & POLLOUT) tx_blocked = false;
  if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
    /* The link is gone (the other end closed): stop waiting on it, keep the program running. */
    net_fd = -1;
    return 0;
  }
  return 1u << NET_LINE;
}
