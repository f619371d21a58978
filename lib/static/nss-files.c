/* nss-files: the account databases of pm's static programs are the files,
 * /etc/passwd and /etc/group, alone. Linked into the static programs only
 * (Makefile, STATIC_OBJ), never into libpm.
 *
 * A static glibc answers from the files itself, but for a name or id they
 * lack it goes on to the next module nsswitch.conf names and dlopen()s it
 * (libnss_systemd on Debian), which brings a second libc into a process
 * that never set it up: getpwnam("no-such-account") died of SIGSEGV there
 * (pm user add --unix, an unmapped uid's getpwuid, pm init --group; t1936).
 * Files alone, a missing account is the "no Unix account" it is in the
 * dynamic programs. A site whose accounts come from LDAP or sssd links
 * every program dynamically: make STATIC=0 (README "Installing"). */
#include <nss.h>

__attribute__((constructor)) static void nss_files_only(void)
{
	(void)__nss_configure_lookup("passwd", "files");
	(void)__nss_configure_lookup("group", "files");
}
