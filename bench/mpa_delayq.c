// SPDX-License-Identifier: MIT
/*
 * mpa-delayq: a delay line for the benchmark lab, where the kernel has no
 * netem. Packets sent to NFQUEUE queue NUM (an iptables rule) are held by
 * the kernel until we give their verdict, which we do DELAY_MS after they
 * arrived: every packet is delayed, in order, by the same amount.
 *   usage: mpa-delayq QUEUE DELAY_MS
 * Runs until killed. Verify with ping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING 65536 /* packets held at once, at most */

struct held {
	uint32_t id;
	int64_t due_us;
};

static struct held ring[RING];
static unsigned int head, tail; /* tail: next to release */
static struct mnl_socket *nl;
static uint16_t queue;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct nlmsghdr *nfq_hdr(char *buf, int type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(queue);
	return nlh;
}

static int send_msg(struct nlmsghdr *nlh)
{
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* Accept every packet up to and including @id (they arrived in order). */
static void release_upto(uint32_t id)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_VERDICT_BATCH);
	struct nfqnl_msg_verdict_hdr v = { htonl(NF_ACCEPT), htonl(id) };

	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(v), &v);
	send_msg(nlh);
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	int64_t delay_us = *(int64_t *)data;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFQA_PACKET_HDR) {
			const struct nfqnl_msg_packet_hdr *ph =
				mnl_attr_get_payload(a);

			if (head - tail >= RING) /* full: let it through now */
				release_upto(ntohl(ph->packet_id));
			ring[head % RING].id = ntohl(ph->packet_id);
			ring[head % RING].due_us = now_us() + delay_us;
			head++;
		}
	}
	return MNL_CB_OK;
}

static int configure(void)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = nfq_hdr(buf, NFQNL_MSG_CONFIG);
	struct nfqnl_msg_config_cmd cmd = { .command = NFQNL_CFG_CMD_BIND };
	struct nfqnl_msg_config_params params = { htonl(0), NFQNL_COPY_META };

	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof(cmd), &cmd);
	if (send_msg(nlh))
		return -1;
	memset(buf, 0, sizeof(buf));
	nlh = nfq_hdr(buf, NFQNL_MSG_CONFIG);
	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof(params), &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(RING / 2));
	return send_msg(nlh);
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	int64_t delay_us;
	unsigned int portid;
	int bufsize = 8 << 20;

	if (argc != 3) {
		fprintf(stderr, "usage: mpa-delayq QUEUE DELAY_MS\n");
		return 2;
	}
	queue = (uint16_t)atoi(argv[1]);
	delay_us = (int64_t)(atof(argv[2]) * 1000);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &(int){ 1 }, sizeof(int));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &bufsize,
		   sizeof(bufsize));
	portid = mnl_socket_get_portid(nl);
	if (configure()) {
		perror("configure queue");
		return 1;
	}
	for (;;) {
		struct pollfd pfd = { mnl_socket_get_fd(nl), POLLIN, 0 };
		int64_t t = now_us();
		int timeout = -1;
		uint32_t last = 0;
		bool any = false;

		while (tail != head && ring[tail % RING].due_us <= t) {
			last = ring[tail % RING].id;
			any = true;
			tail++;
		}
		if (any)
			release_upto(last);
		if (tail != head)
			timeout = (int)((ring[tail % RING].due_us - t + 999) /
					1000);
		if (poll(&pfd, 1, timeout) > 0) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

			if (n > 0)
				mnl_cb_run(buf, (size_t)n, 0, portid, packet_cb,
					   &delay_us);
		}
	}
}
