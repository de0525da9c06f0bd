/* SPDX-License-Identifier: MIT */
/* -h: the options that work today, grouped as nmap's help groups them. */
#include <stdio.h>

#include "options.h"

#ifndef PORTSCOUT_VERSION
#define PORTSCOUT_VERSION "0"
#endif

void options_usage(FILE *f)
{
    fprintf(f, "portscout %s - a fast, nmap-compatible port scanner\n", PORTSCOUT_VERSION);
    fputs(
        "Usage: portscout [Scan Type(s)] [Options] {target specification}\n"
        "TARGET SPECIFICATION:\n"
        "  Can pass hostnames, IP addresses, networks, etc.\n"
        "  Ex: scanme.example.org, 192.168.0.0/24, 10.0.0,2.1-254, 192.168.1.*\n"
        "  -iL <inputfilename>: Input from list of hosts/networks (- for stdin)\n"
        "  --exclude <host1[,host2][,host3],...>: Exclude hosts/networks\n"
        "  --excludefile <exclude_file>: Exclude list from file\n"
        "HOST DISCOVERY:\n"
        "  -Pn: Treat all hosts as online -- skip host discovery\n"
        "  -n/-R: Never do DNS resolution/Always resolve [default: sometimes]\n"
        "  (Without -Pn, a host is up when a TCP connect to port 80 or 443 is\n"
        "   answered; this machine's own addresses are always up.)\n"
        "SCAN TECHNIQUES:\n"
        "  -sT: TCP connect scan (the default)\n"
        "PORT SPECIFICATION AND SCAN ORDER:\n"
        "  -p <port ranges>: Only scan specified ports\n"
        "    Ex: -p22; -p1-65535; -p-; -p 1-; -p -100; -p U:53,111,T:21-25,80,8080;\n"
        "        -p http,ssh; -p 'http*'; -p [1-1024] (named ports of that range)\n"
        "  --exclude-ports <port ranges>: Exclude the specified ports from scanning\n"
        "  -F: Fast mode - Scan fewer ports than the default scan (top 100)\n"
        "  -r: Scan ports sequentially - don't randomize\n"
        "  --top-ports <number>: Scan <number> most common ports (default 1000)\n"
        "TIMING AND PERFORMANCE:\n"
        "  Options which take <time> are in seconds, or append 'ms' (milliseconds),\n"
        "  's' (seconds), 'm' (minutes), or 'h' (hours) to the value (e.g. 30m).\n"
        "  -T<0-5>: Set timing template (higher is faster)\n"
        "  --min-hostgroup/max-hostgroup <size>: Parallel host scan group sizes\n"
        "  --min-parallelism/max-parallelism <numprobes>: Probe parallelization\n"
        "  --min-rtt-timeout/max-rtt-timeout/initial-rtt-timeout <time>: Specifies\n"
        "      probe round trip time.\n"
        "  --max-retries <tries>: Caps number of port scan probe retransmissions.\n"
        "  --host-timeout <time>: Give up on target after this long\n"
        "  --scan-delay/--max-scan-delay <time>: Adjust delay between probes\n"
        "  --min-rate <number>: Send packets no slower than <number> per second\n"
        "  --max-rate <number>: Send packets no faster than <number> per second\n"
        "OUTPUT:\n"
        "  -oN <file>: Output scan in normal format to the given filename (- for stdout)\n"
        "  -v: Increase verbosity level (use -vv or more for greater effect)\n"
        "  -d: Increase debugging level (use -dd or more for greater effect)\n"
        "  --reason: Display the reason a port is in a particular state\n"
        "  --open: Only show open (or possibly open) ports\n"
        "  --append-output: Append to rather than clobber specified output files\n"
        "MISC:\n"
        "  -6: Enable IPv6 scanning\n"
        "  --datadir <dirname>: Specify custom portscout data file location\n"
        "  --servicedb <file>: Use this services table instead of portscout's\n"
        "  --seed <number>: Seed for the random port order (reproducible scans)\n"
        "  -V: Print version number\n"
        "  -h: Print this help summary page.\n"
        "EXAMPLES:\n"
        "  portscout -v 127.0.0.1\n"
        "  portscout -sT -p- --reason localhost\n"
        "  portscout -6 -p 22,80,443 ::1\n"
        "Options of nmap that portscout does not have yet are refused with a\n"
        "message saying so.  See the portscout(1) man page for more.\n",
        f);
}
