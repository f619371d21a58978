/* pm-backup: daily copies of the store kept off the machine (a path,
 * file://, https:// by PUT, sftp://), encrypted on request, with
 * retention; and restore from them. Its own program so that pm never
 * links libcurl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pm/backup.h"
#include "pm/cli.h"
#include "pm/http.h"
#include "pm/i18n.h"

/* PM_BACKUP_OPTS' order. */
enum { O_TO = 0x100, O_ENCRYPT, O_KEEP_DAILY, O_KEEP_MONTHLY, O_KEY, O_CACERT, O_SSH_KEY, O_KNOWN_HOSTS };
/* PM_BACKUP_RESTORE_OPTS' order, from O_KEY: its options' keys are run's. */
#define O_RESTORE_CACERT (O_KEY + 1)
#define O_RESTORE_SSH_KEY (O_KEY + 2)
#define O_RESTORE_KNOWN_HOSTS (O_KEY + 3)

struct target {
	const char *url;
	const char *dir; /* a local directory, else NULL */
	int remote;
};

/* Where url points: a path, file://PATH, or a server's URL. */
static int target_parse(struct pm_ctx *c, const char *url, struct target *t)
{
	const char *sep = strstr(url, "://");

	t->url = url;
	t->dir = NULL;
	t->remote = 0;
	if (!sep) {
		t->dir = url;
	} else if (strncmp(url, "file://", 7) == 0) {
		t->dir = url + 7;
	} else if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0 ||
		   strncmp(url, "sftp://", 7) == 0) {
		t->remote = 1;
		if (strncmp(url, "sftp://", 7) == 0 && !pm_http_has("sftp"))
			return pm_err_set(&c->err, PM_ECONFIG, _("this libcurl cannot do sftp://: use https:// or a path"));
	} else {
		return pm_cli_usage(c, _("'%s': expected a path, file://, https:// or sftp://"), url);
	}
	if (t->dir && !*t->dir)
		return pm_cli_usage(c, _("'%s': no directory"), url);
	return PM_OK;
}

/* url with name after it, a slash between. */
static char *url_join(const char *url, const char *name)
{
	size_t n = strlen(url) + strlen(name) + 16;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", url, url[strlen(url) - 1] == '/' ? "" : "/", name);
	return s;
}

static int put(struct pm_ctx *c, const char *url, const char *dir, const char *name,
	       const struct pm_http_peer *peer)
{
	char path[4400], *to = url_join(url, name);
	int rc;

	if (!to)
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	snprintf(path, sizeof path, "%s/%s", dir, name);
	rc = pm_http_put_file(to, path, peer, &c->err);
	free(to);
	return rc;
}

/* The copy in tmp, and its manifest when it has one, sent to url. */
static int send_copy(struct pm_ctx *c, const char *url, const char *tmp, const char *name, int encrypted,
		     const struct pm_http_peer *peer)
{
	char manifest[300];

	if (put(c, url, tmp, name, peer))
		return c->err.code;
	snprintf(manifest, sizeof manifest, "%s.manifest", name);
	return encrypted ? PM_OK : put(c, url, tmp, manifest, peer);
}

static void removed(void *ctx, const char *name)
{
	pm_cli_out_new(ctx, json_pack("{s:s, s:s}", "type", "backup_removed", "name", name));
}

static const struct pm_opt run_opts[] = {
	PM_BACKUP_OPTS(O_TO),
	{NULL, 0, NULL, NULL},
};

struct run_args {
	const char *to, *key;
	struct pm_http_peer peer;
	int encrypt;
	int64_t daily, monthly;
};

static int run_parse(struct pm_ctx *c, int argc, char **argv, struct run_args *a)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0) {
		if (k == O_TO)
			a->to = arg;
		else if (k == O_ENCRYPT)
			a->encrypt = 1;
		else if (k == O_KEY)
			a->key = arg;
		else if (k == O_CACERT)
			a->peer.cacert = arg;
		else if (k == O_SSH_KEY)
			a->peer.ssh_key = arg;
		else if (k == O_KNOWN_HOSTS)
			a->peer.known_hosts = arg;
		else if (k == O_KEEP_DAILY && pm_cli_arg_count(c, "--keep-daily", arg, &a->daily))
			return PM_EUSAGE;
		else if (k == O_KEEP_MONTHLY && pm_cli_arg_count(c, "--keep-monthly", arg, &a->monthly))
			return PM_EUSAGE;
	}
	if (k < 0)
		return -1;
	if (argc != c->optind)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (a->key && !a->encrypt)
		return pm_cli_usage(c, _("--key goes with --encrypt"));
	return PM_OK;
}

/* The store's directory, for a run without --to. */
static char *store_dir(struct pm_ctx *c)
{
	const char *s = pm_cli_store(c), *slash = strrchr(s, '/');

	return slash ? strndup(s, slash == s ? 1 : (size_t)(slash - s)) : strdup(".");
}

static int cmd_run(struct pm_ctx *c, int argc, char **argv)
{
	unsigned char key[PM_BACKUP_KEY_BYTES];
	struct run_args a = {0};
	struct target t;
	struct pm_db *db;
	char *name = NULL, *tmp = NULL, *here = NULL;
	int rc;

	if ((rc = run_parse(c, argc, argv, &a)))
		return rc < 0 ? c->stop : rc;
	if (!a.to && !(a.to = here = store_dir(c)))
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	if ((rc = target_parse(c, a.to, &t)))
		goto out;
	if (t.remote && (a.daily || a.monthly)) {
		rc = pm_cli_usage(c, _("--keep-daily and --keep-monthly apply to a directory or file:// only"));
		goto out;
	}
	if ((rc = pm_cli_db(c, "backup", &db)) || (a.encrypt && (rc = pm_backup_key(db, a.key, key, &c->err))))
		goto out;
	if (t.remote && (rc = pm_backup_tmpdir(&tmp, &c->err)))
		goto out;
	if ((rc = pm_backup_make(db, t.remote ? tmp : t.dir, a.encrypt ? key : NULL, &name, &c->err)))
		goto out;
	if (t.remote && (rc = send_copy(c, t.url, tmp, name, a.encrypt, &a.peer)))
		goto out;
	pm_cli_out_new(c, json_pack("{s:s, s:s, s:s, s:b}", "type", "backup", "to", t.url, "name", name,
				    "encrypted", a.encrypt));
	if (!t.remote && (a.daily || a.monthly))
		rc = pm_backup_prune(db, t.dir, a.encrypt ? key : NULL, name, (int)a.daily, (int)a.monthly, removed,
				     c, &c->err);
out:
	sodium_memzero(key, sizeof key);
	pm_backup_tmpdir_free(tmp);
	free(name);
	free(here);
	return rc;
}

static const struct pm_opt restore_opts[] = {
	PM_BACKUP_RESTORE_OPTS(O_KEY),
	{NULL, 0, NULL, NULL},
};

/* The copy at url (and its manifest, if the server has one) fetched
 * into tmp; *file names it there. */
static int fetch(struct pm_ctx *c, const char *url, const char *tmp, const struct pm_http_peer *peer, char *file,
		 size_t n)
{
	const char *base = strrchr(url, '/');
	char murl[4400];
	FILE *f;
	int rc;

	if (!base || !base[1] || strcmp(base + 1, "..") == 0 || strcmp(base + 1, ".") == 0)
		return pm_cli_usage(c, _("'%s': expected the URL of a copy, not of a directory"), url);
	snprintf(file, n, "%s/%s", tmp, base + 1);
	for (int i = 0; i < 2; i++) {
		char path[4500];

		snprintf(murl, sizeof murl, "%s%s", url, i ? ".manifest" : "");
		snprintf(path, sizeof path, "%s%s", file, i ? ".manifest" : "");
		if (!(f = fopen(path, "wbx")))
			return pm_err_set(&c->err, PM_ECANTCREAT, _("cannot create '%s'"), path);
		rc = pm_http_get_file(murl, f, peer, &c->err);
		if (fclose(f) != 0 && rc == PM_OK)
			rc = pm_err_set(&c->err, PM_ECANTCREAT, _("cannot write '%s'"), path);
		if (i == 1 && rc == PM_ENOINPUT) {
			remove(path);
			rc = PM_OK;
		}
		if (rc)
			return rc;
	}
	return PM_OK;
}

static int cmd_restore(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg, *key = NULL, *from;
	char file[4300], *tmp = NULL, *aside = NULL;
	struct pm_http_peer peer = {NULL, NULL, NULL};
	struct target t;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_KEY)
			key = arg;
		else if (k == O_RESTORE_CACERT)
			peer.cacert = arg;
		else if (k == O_RESTORE_SSH_KEY)
			peer.ssh_key = arg;
		else if (k == O_RESTORE_KNOWN_HOSTS)
			peer.known_hosts = arg;
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one FILE or URL"));
	if ((rc = target_parse(c, argv[c->optind], &t)))
		return rc;
	from = t.dir;
	if (t.remote && (rc = pm_backup_tmpdir(&tmp, &c->err)) == PM_OK &&
	    (rc = fetch(c, t.url, tmp, &peer, file, sizeof file)) == PM_OK)
		from = file;
	if (rc == PM_OK)
		rc = pm_backup_restore(pm_cli_store(c), from, key, pm_cli_as(c), &aside, &c->err);
	if (rc == PM_OK && aside)
		pm_cli_note(c, _("restored '%s'; the store as it was is in '%s'"), t.url, aside);
	else if (rc == PM_OK)
		pm_cli_note(c, _("restored '%s' into '%s'"), t.url, pm_cli_store(c));
	free(aside);
	pm_backup_tmpdir_free(tmp);
	return rc;
}

static const struct pm_cmd cmds[] = {
	{"run", cmd_run, NULL, N_("copy the store and send it, then apply retention"), run_opts, NULL},
	{"restore", cmd_restore, "FILE|URL", N_("fetch, decrypt and check a copy, then replace the store with it"), restore_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-backup", N_("pm-backup: copies of the store kept off the machine, and restore from them"), cmds, NULL, "run",
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
