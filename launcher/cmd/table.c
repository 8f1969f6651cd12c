/* cmd: the command table.  Each command's name, option groups (cmd.c),
 * synopsis, one line of help and handler: main() dispatches on it, and
 * --help, the man page's synopsis check and the bash completion read
 * it, so none of them can name a command the others do not. */
#include <stddef.h>

#include "cmd/cmd.h"

const struct cmd cmd_table[] = {
	{ CMD_XML, "xml", { cmd_plan_opts, cmd_boot_opts, cmd_channel_opts, cmd_xml_opts },
	  "[--topology T] [--arch {arch}] [--machine {machine}] [--disk FILE]... [BOOT OPTIONS] [--argv]",
	  "print the domain XML (or qemu argv) of a topology", cmd_xml, 0 },
	{ CMD_RUN, "run", { cmd_plan_opts, cmd_boot_opts, cmd_run_opts, cmd_start_opts },
	  "[--topology T] [--disk FILE[:rw]]... [--timeout S] [--env NAME=VALUE]... [-i]\n"
	  "       [--start {start}] [BOOT OPTIONS] -- COMMAND [ARG]...",
	  "run a command in a throwaway appliance VM", cmd_run, 1 },
	{ CMD_INSPECT, "inspect", { cmd_inspect_opts, cmd_start_opts },
	  "[--json | --sbom {sbom}] [--format {format}] [--key SEL:key:PASS|SEL:file:FILE]...\n"
	  "       [--keys-from-stdin] [--timeout S] [--memory MiB] [--arch A] [--start S] DISK...",
	  "report what is on disk images, attached read-only", cmd_inspect, 1 },
	{ CMD_CHECK, "check", { cmd_plan_opts, cmd_boot_opts, cmd_channel_opts, cmd_check_opts },
	  "(--topology T [--arch A] [--machine M] [--disk FILE]... | FILE.xml) [--expect SPEC] [--boot] [--json]\n"
	  "       [--junit FILE]\n"
	  "       leanboot [GLOBAL OPTIONS] check --golden DIR [--regen] [--junit FILE]\n"
	  "       leanboot [GLOBAL OPTIONS] check FILE.xml (--against URI | --diff FILE.xml) [--json]",
	  "count controllers as written, as libvirt expands them and as the guest sees them", cmd_check, 0 },
	{ CMD_BENCH, "bench", { cmd_bench_opts, cmd_boot_opts, cmd_channel_opts },
	  "[--topology T[,T]...] [--backend B[,B]] [--start S[,S]] [--runs N] [--warmup N]\n"
	  "       [--peer {peer}] [--plain] [--timeout S] [BOOT OPTION LISTS] [--append ARGS]... [--json FILE] [--csv FILE]\n"
	  "       [--svg FILE] [--logs DIR] [--expect SPEC] [--junit FILE]",
	  "measure boot time by stage, topology against topology", cmd_bench, 0 },
	{ CMD_APPLIANCE, "appliance", { cmd_appliance_opts }, "[--arch A] (build|info|clean)",
	  "build, describe or remove the appliance", cmd_appliance, 1 },
	{ CMD_COMPLETION, "completion", { NULL }, "bash",
	  "print a shell completion script made from these tables", cmd_completion, 0 },
	{ CMD_COUNT, NULL, { NULL }, NULL, NULL, NULL, 0 },
};
