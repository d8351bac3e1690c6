/*
 * nimbus-netfd: opens a network link for the process platform and runs a command with it as a
 * descriptor, so that the confined instance itself never opens anything. Node (the CLI) cannot
 * make the ioctl a tap needs; this small launcher does, then execs the runner:
 *
 *     nimbus-netfd tap:IFNAME FD CMD [ARG...]     the tap IFNAME (IFF_TAP | IFF_NO_PI |
 *                                                  IFF_VNET_HDR: the runner sets the header size
 *                                                  and offloads, net.c; created if missing, which
 *                                                  needs CAP_NET_ADMIN)
 *     nimbus-netfd packet:IFNAME[:PEER] FD CMD...  a raw packet socket bound to IFNAME (user mode:
 *                                                  a veth end in a user + network namespace);
 *                                                  PEER, the veth's other end, stops offloading
 *                                                  its transmit checksums (a packet socket would
 *                                                  see them unfilled)
 *
 * The link is placed at descriptor FD (not close-on-exec) and CMD is executed in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static void die(const char *what, const char *name) {
  int e = errno;
  dprintf(2, "nimbus-netfd: %s %s: %s%s\n", what, name, strerror(e),
          e == EACCES || e == EPERM ? " (a tap needs root, or access to /dev/net/tun and to the tap; without root, publish ports with -p: user mode)" : "");
  exit(125);
}

static int open_tap(const char *name) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) die("cannot open /dev/net/tun for", name);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("cannot attach to the tap", name);
  return fd;
}

/* ethtool -K PEER tx off: Linux then fills in checksums itself (and segments in software). */
static void no_tx_checksum_offload(int fd, const char *peer) {
  struct ethtool_value v = {.cmd = ETHTOOL_STXCSUM, .data = 0};
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, peer, IFNAMSIZ - 1);
  ifr.ifr_data = (char *)&v;
  if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) die("cannot turn off checksum offload on", peer);
}

static int open_packet(char *name) {
  char *peer = strchr(name, ':');
  if (peer) *peer++ = 0;
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) die("cannot open a packet socket for", name);
  unsigned index = if_nametoindex(name);
  if (!index) die("no such interface", name);
  struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)index};
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) die("cannot bind a packet socket to", name);
  /* Frames the namespace's own kernel sends out of this end are not for the instance. */
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  if (peer && *peer) no_tx_checksum_offload(fd, peer);
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    dprintf(2, "usage: nimbus-netfd tap:IFNAME|packet:IFNAME FD CMD [ARG...]\n");
    return 2;
  }
  char *spec = argv[1];
  int want = atoi(argv[2]);
  if (want < 3 || want > 1023) {
    dprintf(2, "nimbus-netfd: FD must be 3 to 1023\n");
    return 2;
  }
  int fd;
  if (!strncmp(spec, "tap:", 4) && spec[4]) fd = open_tap(spec + 4);
  else if (!strncmp(spec, "packet:", 7) && spec[7]) fd = open_packet(spec + 7);
  else {
    dprintf(2, "nimbus-netfd: the link must be tap:IFNAME or packet:IFNAME, not '%s'\n", spec);
    return 2;
  }
  if (fd != want) {
    if (dup2(fd, want) < 0) die("cannot place the link of", spec);
    close(fd);
  } else if (fcntl(fd, F_SETFD, 0) < 0) {
    die("cannot pass on the link of", spec);
  }
  execvp(argv[3], argv + 3);
  die("cannot run", argv[3]);
}
