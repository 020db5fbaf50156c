// tc-bpf programs that emulate an 802.1Q trunk on a veth (the kernel here has
// no 8021q module): egress pushes VLAN tag VID 100, ingress pops it.
// Frames on the link therefore carry a real 802.1Q tag (as a NIC with VLAN
// offload does); libpcap/tcpdump/dumpcap see and record the tag.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>

#define SEC(n) __attribute__((section(n), used))
static long (*bpf_skb_vlan_push)(struct __sk_buff *skb, __be16 proto, __u16 tci) = (void *)BPF_FUNC_skb_vlan_push;
static long (*bpf_skb_vlan_pop)(struct __sk_buff *skb) = (void *)BPF_FUNC_skb_vlan_pop;

SEC("egress") int vlan_push(struct __sk_buff *skb)
{
    if (!skb->vlan_present)
        bpf_skb_vlan_push(skb, __builtin_bswap16(ETH_P_8021Q), 100);
    return TC_ACT_OK;
}

SEC("ingress") int vlan_pop(struct __sk_buff *skb)
{
    if (skb->vlan_present && skb->vlan_tci == 100)
        bpf_skb_vlan_pop(skb);
    return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
