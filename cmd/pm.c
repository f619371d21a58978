/* pm: the store and the community; runs pm-X for `pm X`, git-style. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/audit.h"
#include "pm/backup.h"
#include "pm/changefeed.h"
#include "pm/check.h"
#include "pm/cli.h"
#include "pm/spawn.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/desk.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/import.h"
#include "pm/timeutil.h"
#include "pm/transfer.h"

enum { O_COMMUNITY = 0x100, O_EMAIL, O_WECOM, O_TZ, O_BUILDING, O_UNIT, O_PERSON, O_ROLE,
       O_SINCE, O_UNTIL, O_PASSWORD_STDIN, O_VERSION_N, O_OBJECT, O_VERIFY,
       O_GROUP, O_MODE, O_UNIX, O_HEAD, O_ANCHOR, O_REKEY,
       O_NAME, O_PHONE, O_ACTOR, O_LIMIT,
       O_TO, O_ENCRYPT, O_KEEP_DAILY, O_KEEP_MONTHLY, O_KEY, O_CACERT, O_SSH_KEY, O_KNOWN_HOSTS, /* PM_BACKUP_OPTS' order */
       O_AT, O_SETTLE, O_TABLES, O_PRUNE_BEFORE };

/* ---- init and config ---- */

static const struct pm_opt init_opts[] = {
	{"community", O_COMMUNITY, "NAME", N_("the community's name (default 小区)")},
	{"tz", O_TZ, "ZONE", N_("its time zone, an IANA name (default Asia/Shanghai)")},
	{"group", O_GROUP, "GROUP", N_("staff group that may use the store (mode 0660 unless --mode)")},
	{"mode", O_MODE, "MODE", N_("600 (the default), or 640 or 660 with --group")},
	{NULL, 0, NULL, NULL},
};

/* --group and --mode as the store's file mode. */
static int init_mode(struct pm_ctx *c, const char *group, const char *mode, struct pm_file_mode *m)
{
	struct group *g = group ? getgrnam(group) : NULL;
	char *end;
	long bits = mode ? strtol(mode, &end, 8) : group ? 0660 : 0600;

	if (group && !g)
		return pm_err_set(&c->err, PM_EDATA, _("no Unix group '%s'"), group);
	if (mode && (*end || (bits != 0600 && bits != 0640 && bits != 0660)))
		return pm_cli_usage(c, _("--mode wants 600, 640 or 660, not '%s'"), mode);
	if (bits != 0600 && !group)
		return pm_cli_usage(c, _("--mode %s lets a group in: name it with --group"), mode);
	*m = (struct pm_file_mode){(mode_t)bits, g ? g->gr_gid : (gid_t)-1};
	return PM_OK;
}

/* The new store's first rows: who made it (the audit key's first row) and
 * its first configuration. */
static int init_store(struct pm_ctx *c, const char *name, const char *tz, const char *group, mode_t mode)
{
	char octal[8];
	json_t *who;
	int rc;

	if ((rc = pm_auth_actor(c->db, NULL, &c->actor, &c->err)))
		return rc;
	pm_db_set_actor(c->db, c->actor.login);
	snprintf(octal, sizeof octal, "%04o", (unsigned)mode);
	who = json_pack("{s:s, s:I, s:s, s:s?}", "owner", c->actor.login, "uid", (json_int_t)getuid(),
			"mode", octal, "group", group);
	rc = pm_audit_key_create(c->db, who, &c->err);
	json_decref(who);
	return rc ? rc : pm_config_init(c->db, name, tz, &c->err);
}

static int cmd_init(struct pm_ctx *c, int argc, char **argv)
{
	const char *name = "小区", *tz = PM_DEFAULT_TZ, *group = NULL, *mode = NULL, *arg;
	struct pm_file_mode m;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_COMMUNITY: name = arg; break;
		case O_TZ: tz = arg; break;
		case O_GROUP: group = arg; break;
		case O_MODE: mode = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_tz_check(tz, &c->err) || init_mode(c, group, mode, &m))
		return c->err.code ? c->err.code : PM_EUSAGE;
	if (pm_db_create(pm_cli_store(c), &m, &c->db, &c->err))
		return c->err.code;
	if ((rc = init_store(c, name, tz, group, m.mode))) {
		pm_db_discard(c->db);
		c->db = NULL;
		return rc;
	}
	pm_cli_note(c, _("made '%s' for %s"), pm_cli_store(c), name);
	return PM_OK;
}

static int config_load_arg(struct pm_ctx *c, int argc, char **argv, struct pm_config **cfg)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one FILE"));
	return pm_config_load_file(argv[c->optind], cfg, &c->err);
}

static int cmd_config_check(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_config *cfg;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (config_load_arg(c, argc, argv, &cfg))
		return c->err.code ? c->err.code : PM_EUSAGE;
	pm_config_free(cfg);
	pm_cli_note(c, _("'%s' is valid"), argv[c->optind]);
	return PM_OK;
}

/* A fee item the version before had and the new one has not: applied,
 * but said, as it may be a slip (a fee forgotten in a copied file). */
static int warn_dropped(struct pm_ctx *c, struct pm_db *db, int64_t version)
{
	int64_t before;
	json_t *dropped, *fee;
	size_t i;

	if (pm_config_dropped(db, version, &before, &dropped, &c->err))
		return c->err.code;
	json_array_foreach(dropped, i, fee)
		pm_cli_warn(c, _("version %lld drops fee item '%s' (%s) that version %lld had: its bills will not charge it"),
			    (long long)version, json_string_value(json_object_get(fee, "name")),
			    json_string_value(json_object_get(fee, "label")), (long long)before);
	json_decref(dropped);
	return PM_OK;
}

/* A time zone the new version changes: applied, but said, as a file
 * without community.timezone moves the community to the default zone,
 * and with it where every day and month begins. */
static int warn_timezone(struct pm_ctx *c, struct pm_db *db, int64_t version)
{
	char was[128], now[128];

	if (pm_config_timezones(db, version, was, now, sizeof was, &c->err))
		return c->err.code;
	if (*was && strcmp(was, now) != 0)
		pm_cli_warn(c, _("version %lld changes the time zone from %s to %s: set community.timezone to keep %s"),
			    (long long)version, was, now, was);
	return PM_OK;
}

static int cmd_config_apply(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_config *cfg;
	struct pm_db *db;
	int64_t version;
	int rc;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_db(c, "config.apply", &db))
		return c->err.code;
	if ((rc = config_load_arg(c, argc, argv, &cfg)))
		return c->err.code ? c->err.code : rc;
	rc = pm_config_apply(db, cfg, argv[c->optind], &version, &c->err);
	pm_config_free(cfg);
	if (rc == PM_OK)
		pm_cli_note(c, _("applied '%s' as version %lld"), argv[c->optind], (long long)version);
	if (rc == PM_OK && version && !(rc = warn_dropped(c, db, version)))
		rc = warn_timezone(c, db, version);
	return rc;
}

static int cmd_config_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (pm_cli_db(c, "config.read", &db))
		return c->err.code;
	return pm_config_each(db, pm_cli_out_each, c, &c->err);
}

static int cmd_config_diff(struct pm_ctx *c, int argc, char **argv)
{
	int64_t a, b;
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 2)
		return pm_cli_usage(c, _("expected two versions, A and B"));
	if (pm_cli_arg_count(c, "A", argv[c->optind], &a) || pm_cli_arg_count(c, "B", argv[c->optind + 1], &b))
		return PM_EUSAGE;
	if (pm_cli_db(c, "config.read", &db))
		return c->err.code;
	return pm_config_diff(db, a, b, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt config_show_opts[] = {
	{"version", O_VERSION_N, "N", N_("that version, not the one in force today")},
	{NULL, 0, NULL, NULL},
};

static int cmd_config_show(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	const char *arg;
	int64_t version = 0;
	json_t *rec;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_VERSION_N && pm_cli_arg_count(c, "--version", arg, &version))
			return PM_EUSAGE;
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "config.read", &db))
		return c->err.code;
	if ((rc = pm_config_stored(db, version, &rec, &c->err)))
		return rc;
	if (c->format == PM_FMT_TABLE) {
		fputs(json_string_value(json_object_get(rec, "yaml")), stdout);
		json_decref(rec);
		return PM_OK;
	}
	rc = pm_cli_out(c, rec);
	json_decref(rec);
	return rc;
}

/* ---- units and people ---- */

static int cmd_unit_import(struct pm_ctx *c, int argc, char **argv)
{
	return pm_import_upserts(c, argc, argv, "unit.import", "unit.write", pm_unit_fields, pm_unit_upsert);
}

static int cmd_person_import(struct pm_ctx *c, int argc, char **argv)
{
	return pm_import_upserts(c, argc, argv, "person.import", "person.write", pm_person_fields,
				     pm_person_upsert);
}

static const struct pm_opt unit_list_opts[] = {
	{"building", O_BUILDING, "B", N_("only the units of building B")},
	{NULL, 0, NULL, NULL},
};

static int cmd_unit_list(struct pm_ctx *c, int argc, char **argv)
{
	const char *building = NULL, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_BUILDING)
			building = arg;
	if (k < 0)
		return c->stop;
	if (pm_cli_db(c, "unit.read", &db))
		return c->err.code;
	if (pm_unit_may_read(db, &c->actor, NULL, &c->err))
		return c->err.code;
	return pm_unit_each(db, building, pm_cli_out_each, c, &c->err);
}

/* The one operand of a show command, the store, and the permission:
 * PM_OK, or -1 when the handler should return c->stop. */
static int show_args(struct pm_ctx *c, int argc, char **argv, const char *action,
		     struct pm_db **db, const char **code)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		;
	if (k < 0)
		return -1;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one code")), -1;
	*code = argv[c->optind];
	if (pm_cli_db(c, action, db))
		return c->stop = c->err.code, -1;
	return PM_OK;
}

static int cmd_unit_show(struct pm_ctx *c, int argc, char **argv)
{
	const char *code;
	struct pm_db *db;
	json_t *rec;

	if (show_args(c, argc, argv, "unit.read", &db, &code))
		return c->stop;
	if (pm_unit_may_read(db, &c->actor, code, &c->err) || pm_unit_get(db, code, 1, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

static const struct pm_opt unit_transfer_opts[] = {
	{"to", O_TO, "PERSON", N_("the new owner's person code (required)")},
	{"at", O_AT, "DATE", N_("the day the new owner takes over, YYYY-MM-DD (default today)")},
	{"settle", O_SETTLE, NULL, N_("transfer with bills still open, listing what must be paid")},
	{NULL, 0, NULL, NULL},
};

static int cmd_unit_transfer(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_transfer t = {0};
	char today[PM_TIME_BUF];
	struct pm_db *db;
	const char *arg;
	json_t *out;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_TO: t.to = arg; break;
		case O_AT: t.at = arg; break;
		case O_SETTLE: t.settle = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !t.to)
		return pm_cli_usage(c, _("expected one UNIT and --to PERSON"));
	if (t.at && pm_cli_arg_date(c, "--at", t.at, &day))
		return PM_EUSAGE;
	t.unit = argv[c->optind];
	if (pm_cli_db(c, "unit.transfer", &db))
		return c->err.code;
	if (!t.at)
		t.at = pm_community_today(db, today);
	if (pm_unit_transfer(db, &t, &out, &c->err))
		return c->err.code;
	if (json_array_size(json_object_get(out, "settle")))
		pm_cli_note(c, _("to be paid first: %s on %zu open bills"),
			    pm_money_display(json_integer_value(json_object_get(out, "open_fen")), (char[PM_MONEY_BUF]){0}),
			    json_array_size(json_object_get(out, "settle")));
	return pm_cli_out_new(c, out);
}

static const struct pm_opt person_list_opts[] = {
	{"name", O_NAME, "TEXT", N_("only people whose name holds TEXT")},
	{"phone", O_PHONE, "DIGITS", N_("only people whose phone number holds DIGITS (four or more; its last digits will do)")},
	{NULL, 0, NULL, NULL},
};

/* A card: in a table the unit's row, with its occupants and open
 * tickets as tables of their own below it; elsewhere one record. */
static int unit_card(void *ctx, json_t *card)
{
	struct pm_ctx *c = ctx;
	int rc = pm_cli_out(c, card);

	return rc ? rc : pm_cli_next_table(c);
}

static const struct pm_opt unit_find_opts[] = {
	{"limit", O_LIMIT, "N", N_("at most N units (default 20)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_unit_find(struct pm_ctx *c, int argc, char **argv)
{
	const char *arg;
	struct pm_db *db;
	int64_t limit = 20;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_LIMIT && pm_cli_arg_count(c, "--limit", arg, &limit))
			return PM_EUSAGE;
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !*argv[c->optind])
		return pm_cli_usage(c, _("expected one TEXT: a unit code, a resident's name or phone number"));
	if (pm_cli_db(c, "unit.read", &db))
		return c->err.code;
	if (limit > 1000)
		limit = 1000;
	return pm_unit_find(db, &c->actor, argv[c->optind], (int)limit, unit_card, c, &c->err);
}

static int cmd_person_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_person_filter f = {NULL, NULL};
	const char *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_NAME: f.name = arg; break;
		case O_PHONE: f.phone = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("unexpected argument '%s'"), argv[c->optind]);
	if (f.phone && !pm_phone_digits(f.phone))
		return pm_cli_usage(c, _("--phone wants four digits or more, not '%s'"), f.phone);
	if (pm_cli_db(c, "person.read", &db))
		return c->err.code;
	return pm_person_each(db, &c->actor, &f, pm_cli_out_each, c, &c->err);
}

static int cmd_person_show(struct pm_ctx *c, int argc, char **argv)
{
	const char *code;
	struct pm_db *db;
	json_t *rec;

	if (show_args(c, argc, argv, "person.read", &db, &code))
		return c->stop;
	if (pm_person_get(db, code, &rec, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, rec);
}

/* ---- occupancy ---- */

static const struct pm_opt occupancy_set_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit, like 3-2-1101")},
	{"person", O_PERSON, "CODE", N_("the person's code")},
	{"role", O_ROLE, "ROLE", N_("owner, tenant or family (default owner)")},
	{"since", O_SINCE, "DATE", N_("move-in date, YYYY-MM-DD (default today)")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt occupancy_end_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit, like 3-2-1101")},
	{"person", O_PERSON, "CODE", N_("the person's code")},
	{"until", O_UNTIL, "DATE", N_("move-out date, the first day not lived there (default today)")},
	{NULL, 0, NULL, NULL},
};

static int occupancy(struct pm_ctx *c, int argc, char **argv, int end)
{
	const char *unit = NULL, *person = NULL, *role = "owner", *date = NULL, *arg;
	struct pm_db *db;
	int32_t day;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: unit = arg; break;
		case O_PERSON: person = arg; break;
		case O_ROLE: role = arg; break;
		case O_SINCE: case O_UNTIL: date = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (!unit || !person)
		return pm_cli_usage(c, _("--unit and --person are required"));
	if (date && pm_cli_arg_date(c, end ? "--until" : "--since", date, &day))
		return PM_EUSAGE;
	if (pm_cli_db(c, "person.write", &db))
		return c->err.code;
	if (end)
		return pm_occupancy_end(db, unit, person, date, &c->err);
	return pm_occupancy_set(db, unit, person, role, date, &c->err);
}

static int cmd_occupancy_set(struct pm_ctx *c, int argc, char **argv)
{
	return occupancy(c, argc, argv, 0);
}

static int cmd_occupancy_end(struct pm_ctx *c, int argc, char **argv)
{
	return occupancy(c, argc, argv, 1);
}

/* ---- users ---- */

static const struct pm_opt user_add_opts[] = {
	{"role", O_ROLE, "ROLE", N_("admin, finance, frontdesk, technician, guard, owner, viewer or service")},
	{"person", O_PERSON, "CODE", N_("the person this user is (required for owners)")},
	{"unix", O_UNIX, "NAME", N_("the Unix account that is this user when it runs pm")},
	{"phone", O_PHONE, "NUMBER", N_("the phone number pm-notify's sms goes to")},
	{"email", O_EMAIL, "ADDRESS", N_("the e-mail address pm-notify's email goes to")},
	{"wecom", O_WECOM, "USERID", N_("the WeCom user id pm-notify's wecom robot mentions")},
	{"password-stdin", O_PASSWORD_STDIN, NULL, N_("read a web password from the first line of stdin")},
	{NULL, 0, NULL, NULL},
};

static const struct pm_opt user_set_opts[] = {
	{"role", O_ROLE, "ROLE", N_("a new role")},
	{"person", O_PERSON, "CODE", N_("the person this user is ('' for none)")},
	{"unix", O_UNIX, "NAME", N_("the Unix account that is this user ('' for none)")},
	{"phone", O_PHONE, "NUMBER", N_("the phone number pm-notify's sms goes to ('' for none)")},
	{"email", O_EMAIL, "ADDRESS", N_("the e-mail address pm-notify's email goes to ('' for none)")},
	{"wecom", O_WECOM, "USERID", N_("the WeCom user id pm-notify's wecom robot mentions ('' for none)")},
	{NULL, 0, NULL, NULL},
};

static int read_password(struct pm_ctx *c, char *buf, size_t n)
{
	size_t len;

	if (!fgets(buf, (int)n, stdin))
		return pm_err_set(&c->err, PM_EDATA, _("no password on standard input"));
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return PM_OK;
}

static int one_login(struct pm_ctx *c, int argc, char **argv, const char **login)
{
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one LOGIN"));
	*login = argv[c->optind];
	return PM_OK;
}

static int cmd_user_add(struct pm_ctx *c, int argc, char **argv)
{
	const char *role_name = NULL, *person = NULL, *unix_name = NULL, *login = NULL, *arg;
	struct pm_user_addr at = {NULL, NULL, NULL};
	char pw[256];
	int k, want_pw = 0;
	enum pm_role role;
	struct pm_db *db;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ROLE: role_name = arg; break;
		case O_PERSON: person = arg; break;
		case O_UNIX: unix_name = arg; break;
		case O_PHONE: at.phone = arg; break;
		case O_EMAIL: at.email = arg; break;
		case O_WECOM: at.wecom = arg; break;
		case O_PASSWORD_STDIN: want_pw = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (one_login(c, argc, argv, &login))
		return PM_EUSAGE;
	if (!role_name)
		return pm_cli_usage(c, _("--role is required"));
	if (pm_role_parse(role_name, &role, &c->err))
		return pm_cli_usage(c, "--role: %s", c->err.msg);
	if ((want_pw && read_password(c, pw, sizeof pw)) || pm_cli_db(c, "user.admin", &db))
		return c->err.code;
	return pm_user_add_at(db, login, role, person, unix_name, want_pw ? pw : NULL, &at, &c->err);
}

static int cmd_user_set(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_user_change ch = PM_USER_CHANGE_NONE;
	const char *login = NULL, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_ROLE:
			if (pm_role_parse(arg, &ch.role, &c->err))
				return pm_cli_usage(c, "--role: %s", c->err.msg);
			break;
		case O_PERSON: ch.person = arg; break;
		case O_UNIX: ch.unix_name = arg; break;
		case O_PHONE: ch.at.phone = arg; break;
		case O_EMAIL: ch.at.email = arg; break;
		case O_WECOM: ch.at.wecom = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (one_login(c, argc, argv, &login))
		return PM_EUSAGE;
	if (pm_user_change_empty(&ch))
		return pm_cli_usage(c, _("nothing to change: give --role, --person, --unix, --phone, --email or --wecom"));
	if (pm_cli_db(c, "user.admin", &db))
		return c->err.code;
	return pm_user_set(db, login, &ch, &c->err);
}

static int cmd_user_passwd(struct pm_ctx *c, int argc, char **argv)
{
	const char *login = NULL;
	struct pm_db *db;
	char pw[256];

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (one_login(c, argc, argv, &login))
		return PM_EUSAGE;
	if (pm_cli_db(c, NULL, &db))
		return c->err.code;
	if (pm_user_may_passwd(&c->actor, login, &c->err))
		return c->err.code;
	if (read_password(c, pw, sizeof pw))
		return c->err.code;
	return pm_user_passwd(db, login, pw, &c->err);
}

static int cmd_user_disable(struct pm_ctx *c, int argc, char **argv)
{
	const char *login = NULL;
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (one_login(c, argc, argv, &login))
		return PM_EUSAGE;
	if (pm_cli_db(c, "user.admin", &db))
		return c->err.code;
	return pm_user_disable(db, login, &c->err);
}

static int user_row(void *ctx, const struct pm_user_row *u)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:b}", "type", "user",
				"login", u->login, "role", u->role, "person", u->person, "unix", u->unix_name,
				"phone", u->phone, "email", u->email, "wecom", u->wecom, "disabled", u->disabled);

	return pm_cli_out_new(ctx, rec);
}

static int cmd_user_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_db(c, "user.admin", &db))
		return c->err.code;
	return pm_user_each(db, user_row, c, &c->err);
}

/* ---- backup, restore, check, audit ---- */

static int run_program(struct pm_ctx *c, int argc, char **argv);

/* pm-backup's options: pm backup hands over to it when one is given, so
 * that pm itself never links libcurl. */
static const struct pm_opt backup_opts[] = {
	PM_BACKUP_OPTS(O_TO),
	{NULL, 0, NULL, NULL},
};

/* pm-backup SUB ARGS... for pm's own argv (its first word the command). */
static int hand_over(struct pm_ctx *c, const char *sub, int argc, char **argv)
{
	char **v = calloc((size_t)argc + 2, sizeof *v);
	int n = 0;

	if (!v)
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	v[n++] = (char *)"backup";
	if (sub)
		v[n++] = (char *)sub;
	for (int i = 1; i < argc; i++)
		v[n++] = argv[i];
	c->stop = run_program(c, n, v);
	free(v);
	return c->stop;
}

static int cmd_backup(struct pm_ctx *c, int argc, char **argv)
{
	const char *file, *arg;
	struct pm_db *db;
	int k, other = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		other = 1;
	if (k < 0)
		return c->stop;
	if (other)
		return hand_over(c, NULL, argc, argv);
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one FILE, or --to URL"));
	file = argv[c->optind];
	if (pm_cli_db(c, "backup", &db) || pm_backup_file(db, file, &c->err))
		return c->err.code;
	pm_cli_note(c, _("backed up to '%s', its audit head in '%s.manifest'"), file, file);
	return PM_OK;
}

static const struct pm_opt restore_opts[] = {
	PM_BACKUP_RESTORE_OPTS(O_KEY),
	{NULL, 0, NULL, NULL},
};

static int cmd_restore(struct pm_ctx *c, int argc, char **argv)
{
	const char *file, *arg, *key = NULL;
	char *aside;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		if (k == O_KEY)
			key = arg;
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one FILE or URL"));
	file = argv[c->optind];
	/* A copy elsewhere is fetched by pm-backup, which links libcurl. */
	if (strstr(file, "://"))
		return hand_over(c, "restore", argc, argv);
	rc = pm_backup_restore(pm_cli_store(c), file, key, pm_cli_as(c), &aside, &c->err);
	if (rc == PM_OK && aside)
		pm_cli_note(c, _("restored '%s'; the store as it was is in '%s'"), file, aside);
	else if (rc == PM_OK)
		pm_cli_note(c, _("restored '%s' into '%s'"), file, pm_cli_store(c));
	free(aside);
	return rc;
}

static void check_failure(void *ctx, const char *check, const char *problem)
{
	struct pm_ctx *c = ctx;
	json_t *rec = json_pack("{s:s, s:s, s:s}", "type", "problem", "check", check, "problem", problem);

	pm_cli_out_new(c, rec);
}

static int cmd_check(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (pm_cli_db(c, "check", &db))
		return c->err.code;
	if (pm_check_run(db, check_failure, c, &c->err))
		return c->err.code;
	pm_cli_note(c, _("the store is sound"));
	return PM_OK;
}

static const struct pm_opt audit_opts[] = {
	{"since", O_SINCE, "TIME", N_("only records at or after TIME (RFC 3339 or YYYY-MM-DD)")},
	{"until", O_UNTIL, "TIME", N_("only records before TIME (RFC 3339, or YYYY-MM-DD: before that day)")},
	{"actor", O_ACTOR, "LOGIN", N_("only records of what LOGIN did, or had done for them")},
	{"object", O_OBJECT, "PREFIX", N_("only records about an object starting with PREFIX, like unit:3-2, imports that changed one included")},
	{"verify", O_VERIFY, NULL, N_("check the hash chain instead; exit 1 naming the first bad row")},
	{"head", O_HEAD, NULL, N_("print the number of records and the last hash")},
	{"anchor", O_ANCHOR, "FILE", N_("verify against FILE's heads, then append the head (with --verify: only verify)")},
	{"rekey", O_REKEY, NULL, N_("make the key of a store from an older pm and key its chain from now on")},
	{NULL, 0, NULL, NULL},
};

static json_t *time_or_null(struct pm_ctx *c, int64_t t, int has)
{
	char buf[PM_TIME_BUF];

	return has ? json_string(pm_time_fmt(t, pm_db_tz(c->db), buf)) : json_null();
}

static int audit_row(void *ctx, const struct pm_audit_row *r)
{
	struct pm_ctx *c = ctx;
	json_t *rec = json_pack("{s:s, s:I, s:o, s:o, s:s, s:s?, s:s, s:s, s:o?, s:o?}", "type", "audit",
		"id", (json_int_t)r->id, "ts", time_or_null(c, r->ts, 1),
		"business_ts", time_or_null(c, r->business_ts, r->has_business),
		"actor", r->actor, "caller", r->caller, "action", r->action, "object", r->object,
		"before", r->before ? json_loads(r->before, 0, NULL) : NULL,
		"after", r->after ? json_loads(r->after, 0, NULL) : NULL);

	return pm_cli_out_new(c, rec);
}

static int audit_verify(struct pm_ctx *c, struct pm_db *db, const char *anchor)
{
	struct pm_audit_verdict v;

	if (pm_audit_verify(db, anchor, &v, &c->err))
		return c->err.code;
	if (anchor)
		pm_cli_note(c, _("%lld audit records, chain intact, %lld anchored heads hold"), (long long)v.rows,
			    (long long)v.anchors);
	else if (v.keyed_from)
		pm_cli_note(c, _("%lld audit records, chain intact"), (long long)v.rows);
	else
		pm_cli_note(c, _("%lld audit records, chain intact but not keyed: run 'pm audit --rekey'"),
			    (long long)v.rows);
	return PM_OK;
}

static int cmd_audit(struct pm_ctx *c, int argc, char **argv)
{
	const char *since = NULL, *until = NULL, *anchor = NULL, *arg;
	struct pm_audit_filter f = {0, 0, NULL, NULL};
	struct pm_audit_head h;
	struct pm_db *db;
	int k, verify = 0, head = 0, rekey = 0;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_SINCE: since = arg; break;
		case O_UNTIL: until = arg; break;
		case O_ACTOR: f.actor = arg; break;
		case O_OBJECT: f.object = arg; break;
		case O_VERIFY: verify = 1; break;
		case O_HEAD: head = 1; break;
		case O_ANCHOR: anchor = arg; break;
		case O_REKEY: rekey = 1; break;
		}
	if (k < 0)
		return c->stop;
	if (verify + head + rekey + (anchor && !verify) > 1)
		return pm_cli_usage(c, _("give one of --verify, --head, --anchor and --rekey"));
	if (pm_cli_db(c, rekey ? "audit.key" : "audit.read", &db))
		return c->err.code;
	if ((since && pm_cli_arg_when(c, "--since", since, &f.since)) ||
	    (until && pm_cli_arg_when(c, "--until", until, &f.until)))
		return PM_EUSAGE;
	if (verify)
		return audit_verify(c, db, anchor);
	if (rekey) {
		if (pm_audit_key_create(db, NULL, &c->err))
			return c->err.code;
		pm_cli_note(c, _("the audit log is keyed from now on"));
		return PM_OK;
	}
	if (anchor && pm_audit_anchor(db, anchor, &h, &c->err))
		return c->err.code;
	if (head && pm_audit_head(db, &h, &c->err))
		return c->err.code;
	if (head || anchor)
		return pm_cli_out_new(c, pm_audit_head_json(db, &h));
	return pm_audit_each(db, &f, audit_row, c, &c->err);
}

/* ---- the change feed ---- */

static const struct pm_opt export_opts[] = {
	{"since", O_SINCE, "CURSOR", N_("only what changed after CURSOR, the last line of the previous export (default 0: every row)")},
	{"tables", O_TABLES, "LIST", N_("only these tables, comma-separated")},
	{"prune-before", O_PRUNE_BEFORE, "CURSOR",
	 N_("export nothing: delete the change log before CURSOR, the one the group has loaded (pm-rollup cursor)")},
	{NULL, 0, NULL, NULL},
};

static int export_prune(struct pm_ctx *c, struct pm_db *db, const char *before)
{
	int64_t deleted;
	int rc = pm_changefeed_prune(db, before, &deleted, &c->err);

	if (rc == PM_EUSAGE)
		return pm_cli_usage(c, "%s", c->err.msg);
	if (rc)
		return rc;
	pm_cli_note(c, _("deleted %lld rows of the change log before %s"), (long long)deleted, before);
	return pm_cli_out_new(c, json_pack("{s:s, s:s, s:I}", "type", "pruned", "before", before, "deleted",
					   (json_int_t)deleted));
}

static int cmd_export(struct pm_ctx *c, int argc, char **argv)
{
	const char *since = NULL, *tables = NULL, *prune = NULL, *arg;
	struct pm_db *db;
	int k, rc;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_SINCE: since = arg; break;
		case O_TABLES: tables = arg; break;
		case O_PRUNE_BEFORE: prune = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (prune && (since || tables))
		return pm_cli_usage(c, _("--prune-before exports nothing: give it alone"));
	if (pm_cli_db(c, "export", &db))
		return c->err.code;
	if (prune)
		return export_prune(c, db, prune);
	/* A bad cursor or table is the command line's fault: say so as usage. */
	if ((rc = pm_changefeed_export(db, since, tables, pm_cli_out_each, c, &c->err)) == PM_EUSAGE)
		return pm_cli_usage(c, "%s", c->err.msg);
	return rc;
}

/* ---- the toolkit ---- */

static const struct {
	const char *name, *summary;
} programs[] = {
	{"pm-meter", N_("meters, readings, device frames, usage per period, anomalies")},
	{"pm-bill", N_("fees, monthly bills, payments, late fees, statements, exports")},
	{"pm-repair", N_("repair and complaint tickets, SLA, assets, inspections, patrols")},
	{"pm-gate", N_("access, visitor passes, gate events, door control, parking")},
	{"pm-notify", N_("messages to residents and staff, outbox, announcements")},
	{"pm-pay", N_("online payment orders, verified notifications, sync with the channels")},
	{"pm-report", N_("collection, arrears, consumption, SLA and traffic reports")},
	{"pm-rollup", N_("a property group's communities in PostgreSQL, from each store's change feed")},
	{"pm-web", N_("the CGI front end for owners and staff")},
	{"pm-mqtt", N_("the MQTT bridge: device messages in, commands out")},
	{"pm-govern", N_("owners' votes under Civil Code art. 278, paper ballots, surveys")},
};

static int cmd_help(struct pm_ctx *c, int argc, char **argv)
{
	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	printf(_("pm: property management for residential communities\n\n"));
	printf(_("Commands of pm itself: pm --help\n\nPrograms (pm X runs pm-X):\n"));
	for (size_t i = 0; i < sizeof programs / sizeof *programs; i++)
		printf("  %-10s %s\n", programs[i].name, _(programs[i].summary));
	return PM_OK;
}

/* pm X ARGS: exec pm-X from pm's own directory, else from PATH. */
static int run_program(struct pm_ctx *c, int argc, char **argv)
{
	char path[PATH_MAX], name[64];

	if (strchr(argv[0], '/') || snprintf(name, sizeof name, "pm-%s", argv[0]) >= (int)sizeof name)
		return pm_cli_usage(c, _("unknown command '%s'"), argv[0]);
	/* pm's own --db and --as reach pm-X the way they reach any program. */
	if ((c->db_path && setenv("PM_DB", c->db_path, 1)) || (c->as && setenv("PM_USER", c->as, 1)))
		return pm_err_set(&c->err, PM_EFAIL, _("cannot set the environment: %s"), strerror(errno));
	argv[0] = name;
	if (pm_spawn_sibling(name, path, sizeof path))
		execv(path, argv);
	execvp(name, argv);
	if (errno == ENOENT)
		return pm_cli_usage(c, _("unknown command '%s' (no program '%s')"), name + 3, name);
	return pm_err_set(&c->err, PM_EFAIL, _("cannot run '%s': %s"), name, strerror(errno));
}

static const struct pm_cmd config_cmds[] = {
	{"apply", cmd_config_apply, "FILE", N_("validate FILE and store it as the new version"), NULL, NULL},
	{"show", cmd_config_show, NULL, N_("print the configuration in force"), config_show_opts, NULL},
	{"check", cmd_config_check, "FILE", N_("validate FILE only"), NULL, NULL},
	{"list", cmd_config_list, NULL, N_("list the stored versions, their effective dates and who applied them"), NULL, NULL},
	{"diff", cmd_config_diff, "A B", N_("what changed from version A to version B"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd unit_cmds[] = {
	{"import", cmd_unit_import, "[FILE...]", N_("add or update units from JSON lines or CSV"), pm_import_opts, NULL},
	{"list", cmd_unit_list, NULL, N_("list units"), unit_list_opts, NULL},
	{"show", cmd_unit_show, "CODE", N_("show a unit and who lives there"), NULL, NULL},
	{"find", cmd_unit_find, "TEXT", N_("find units by code, resident's name or phone: occupants, balance, open tickets"), unit_find_opts, NULL},
	{"transfer", cmd_unit_transfer, "UNIT", N_("ownership transfer (过户): the owners move out, the new one in"),
	 unit_transfer_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd person_cmds[] = {
	{"import", cmd_person_import, "[FILE...]", N_("add or update people from JSON lines or CSV"), pm_import_opts, NULL},
	{"list", cmd_person_list, NULL, N_("list people, or find them by name or phone"), person_list_opts, NULL},
	{"show", cmd_person_show, "CODE", N_("show a person"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd occupancy_cmds[] = {
	{"set", cmd_occupancy_set, NULL, N_("record a move-in"), occupancy_set_opts, NULL},
	{"end", cmd_occupancy_end, NULL, N_("record a move-out"), occupancy_end_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd user_cmds[] = {
	{"add", cmd_user_add, "LOGIN", N_("add a user with a role"), user_add_opts, NULL},
	{"set", cmd_user_set, "LOGIN", N_("change a user's role, person, Unix account or addresses"), user_set_opts, NULL},
	{"passwd", cmd_user_passwd, "LOGIN", N_("set a web password from the first line of stdin"), NULL, NULL},
	{"disable", cmd_user_disable, "LOGIN", N_("disable a user"), NULL, NULL},
	{"list", cmd_user_list, NULL, N_("list users"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_cmd cmds[] = {
	{"init", cmd_init, NULL, N_("create a new store"), init_opts, NULL},
	{"config", NULL, NULL, N_("apply, show, check, list or compare the YAML configuration"), NULL, config_cmds},
	{"unit", NULL, NULL, N_("buildings, entrances and units"), NULL, unit_cmds},
	{"person", NULL, NULL, N_("owners, tenants and family members"), NULL, person_cmds},
	{"occupancy", NULL, NULL, N_("who lives where: move-in and move-out"), NULL, occupancy_cmds},
	{"user", NULL, NULL, N_("users and their roles"), NULL, user_cmds},
	{"backup", cmd_backup, "FILE | --to URL", N_("copy the store while it is in use"), backup_opts, NULL},
	{"restore", cmd_restore, "FILE|URL", N_("replace the store with a checked backup"), restore_opts, NULL},
	{"check", cmd_check, NULL, N_("check integrity and invariants; exit 1 on any problem"), NULL, NULL},
	{"audit", cmd_audit, NULL, N_("print or verify the audit log"), audit_opts, NULL},
	{"export", cmd_export, NULL, N_("the change feed: rows changed since a cursor, for pm-rollup"), export_opts, NULL},
	{"help", cmd_help, NULL, N_("list the programs of the toolkit"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm", N_("pm: the store and the community; pm X runs pm-X"), cmds, run_program, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
