/* sanitize: linked only into the SANITIZE=1 build.  The runtime's own
 * defaults, so that every run of that build (the tests, a user's) gets
 * them without an environment variable.
 *
 * intercept_tls_get_addr=0: up to GCC 13 and LLVM 16, the sanitizers'
 * __tls_get_addr interceptor takes a dynamic TLS block whose address is
 * 16 bytes into a page for glibc 2.19's layout, and reads the two words
 * before it as the block's start and size.  glibc has had no such header
 * since 2.25: its blocks come from malloc, and one lands at that offset
 * whenever the heap's layout puts it there.  libvirt's QEMU driver, which
 * the embedded connection dlopens, has dynamic TLS; the heap's layout moves
 * with everything before it, down to the length of $TMPDIR and of the disk
 * names, so one run always crashed and the next never did.  LeakSanitizer
 * then scans the bogus range at exit and its tracer dies of SIGSEGV
 * ("Tracer caught signal 11").  Leak detection stays on: the blocks are
 * heap chunks, reachable through glibc's own thread vectors. */
const char *__asan_default_options(void);

const char *__asan_default_options(void)
{
	return "intercept_tls_get_addr=0";
}

/* libvirt 9.0's QEMU driver leaks two strings (35 bytes) when it hot-adds
 * a qcow2 disk with a backing chain, as a warm launch does.  Its frames
 * are beyond the fast unwinder (libvirt has no frame pointers), so the
 * suppression names where all of libvirt's and GLib's formatted strings
 * are allocated, vasprintf, which leanboot itself does not call
 * (util_vprintf). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

const char *__lsan_default_suppressions(void)
{
	return "leak:__vasprintf_internal\n";
}

/* Quiet about it: a launch's stderr is the user's. */
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
