#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/db.h"
#include "tstore.h"

/* The permission table as a user would read it: 1 where the role may. */
static const struct {
	const char *action;
	int admin, finance, frontdesk, technician, guard, owner, viewer, service;
} matrix[] = {
	/*                      adm fin desk tech guard owner view serv */
	{"asset.read",           1,  1,  1,   1,   1,    0,    1,   0},
	{"audit.key",            1,  0,  0,   0,   0,    0,    0,   0},
	{"audit.read",           1,  1,  0,   0,   0,    0,    0,   0},
	{"backup",               1,  0,  0,   0,   0,    0,    0,   0},
	{"bill.pay",             1,  1,  1,   0,   0,    0,    0,   0},
	/* Points off a parking bill: the web's form and pay-points alike. */
	{"bill.points",          1,  1,  1,   0,   0,    1,    0,   0},
	{"bill.read",            1,  1,  1,   0,   0,    1,    0,   0},
	{"check",                1,  1,  0,   0,   0,    0,    0,   0},
	{"config.apply",         1,  0,  0,   0,   0,    0,    0,   0},
	{"config.read",          1,  1,  1,   1,   1,    0,    1,   0},
	{"meter.ingest",         1,  0,  0,   1,   0,    0,    0,   0},
	{"meter.read",           1,  1,  1,   1,   1,    0,    1,   0},
	{"person.read",          1,  1,  1,   0,   0,    0,    0,   0},
	{"person.write",         1,  0,  1,   0,   0,    0,    0,   0},
	{"restore",              1,  0,  0,   0,   0,    0,    0,   0},
	{"ticket.read",          1,  1,  1,   1,   1,    1,    0,   0},
	{"unit.read",            1,  1,  1,   1,   1,    1,    1,   0},
	{"unit.write",           1,  0,  1,   0,   0,    0,    0,   0},
	{"user.admin",           1,  0,  0,   0,   0,    0,    0,   0},
	{"user.passwd.self",     1,  1,  1,   1,   1,    1,    0,   0},
	/* Actions nobody listed are refused to everyone, admin included. */
	{"no.such.action",       0,  0,  0,   0,   0,    0,    0,   0},
	{"",                     0,  0,  0,   0,   0,    0,    0,   0},
	{"unit",                 0,  0,  0,   0,   0,    0,    0,   0},
	{"unit.read.extra",      0,  0,  0,   0,   0,    0,    0,   0},
};

static void test_permission_matrix(void **state)
{
	for (size_t i = 0; i < sizeof matrix / sizeof *matrix; i++) {
		const int want[PM_ROLE_COUNT] = {
			matrix[i].admin, matrix[i].finance, matrix[i].frontdesk,
			matrix[i].technician, matrix[i].guard, matrix[i].owner,
			matrix[i].viewer, matrix[i].service,
		};
		for (int r = 0; r < PM_ROLE_COUNT; r++)
			if (pm_auth_allowed((enum pm_role)r, matrix[i].action) != want[r])
				fail_msg("%s may%s do '%s'", pm_role_name((enum pm_role)r),
					 want[r] ? " not" : "", matrix[i].action);
	}
}

static void test_roles(void **state)
{
	static const char *const names[PM_ROLE_COUNT] = {
		"admin", "finance", "frontdesk", "technician", "guard", "owner", "viewer", "service",
	};
	struct pm_err e = {0};
	enum pm_role r;

	for (int i = 0; i < PM_ROLE_COUNT; i++) {
		assert_string_equal(pm_role_name((enum pm_role)i), names[i]);
		assert_int_equal(pm_role_parse(names[i], &r, &e), PM_OK);
		assert_int_equal(r, i);
	}
	assert_string_equal(pm_role_name(PM_ROLE_COUNT), "?");
	assert_int_equal(pm_role_parse("Admin", &r, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown role 'Admin': expected admin, finance, frontdesk, technician, guard, owner, viewer or service");
	assert_int_equal(pm_role_parse("", &r, &e), PM_EDATA);
}

static void test_check_messages(void **state)
{
	struct pm_actor a = {.login = "li.finance", .role = PM_ROLE_FINANCE};
	struct pm_err e = {0};

	assert_int_equal(pm_auth_check(&a, "audit.read", &e), PM_OK);
	assert_int_equal(pm_auth_check(&a, "backup", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'li.finance' (finance) may not do 'backup'");
	a = (struct pm_actor){.login = "owner.p0001", .role = PM_ROLE_OWNER, .person_id = 1};
	assert_int_equal(pm_auth_check(&a, "person.read", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'owner.p0001' (owner) may not do 'person.read'");
	a.role = PM_ROLE_ADMIN;
	assert_int_equal(pm_auth_check(&a, "no.such.action", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'owner.p0001' (admin) may not do 'no.such.action'");
	/* Callers that want only the code may pass no error. */
	assert_int_equal(pm_auth_check(&a, "no.such.action", NULL), PM_ENOPERM);
}

static void add_person(struct pm_db *db, const char *code)
{
	struct pm_err e = {0};
	enum pm_upsert did;
	json_t *rec = json_pack("{s:s, s:s}", "code", code, "name", "张伟");

	assert_int_equal(pm_db_begin(db, &e), PM_OK);
	assert_int_equal(pm_person_upsert(db, rec, &did, &e), PM_OK);
	assert_int_equal(pm_db_commit(db, &e), PM_OK);
	json_decref(rec);
}

static void test_user_add(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct pm_actor a;
	char longname[80];

	setenv("PM_NOW", "2024-03-01T08:00:00Z", 1);
	pm_db_set_actor(t->db, "root");
	assert_int_equal(pm_user_add(t->db, "wang.manager", PM_ROLE_ADMIN, NULL, NULL, NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db,
		"SELECT login || '|' || role || '|' || coalesce(person_id, '-') || '|' || coalesce(pwhash, '-') || '|' ||"
		" disabled || '|' || created_at FROM user"), "wang.manager|admin|-|-|0|1709280000");
	assert_string_equal(tstore_sql(t->db, "SELECT actor || ' ' || action || ' ' || object || ' ' || after FROM audit"),
			    "root user.add user:wang.manager {\"person\":null,\"role\":\"admin\",\"unix\":null}");

	assert_int_equal(pm_user_add(t->db, "wang.manager", PM_ROLE_GUARD, NULL, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "cannot add user 'wang.manager': the login exists");
	assert_int_equal(pm_user_add(t->db, "", PM_ROLE_GUARD, NULL, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "bad login '': 1 to 63 bytes, no ':'");
	assert_int_equal(pm_user_add(t->db, "a:b", PM_ROLE_GUARD, NULL, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "bad login 'a:b': 1 to 63 bytes, no ':'");
	memset(longname, 'x', 64);
	longname[64] = '\0';
	assert_int_equal(pm_user_add(t->db, longname, PM_ROLE_GUARD, NULL, NULL, NULL, &e), PM_EDATA);
	longname[63] = '\0';
	assert_int_equal(pm_user_add(t->db, longname, PM_ROLE_GUARD, NULL, NULL, NULL, &e), PM_OK);

	/* Owners are linked to a person, who must exist. */
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, NULL, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "an owner user needs --person");
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, "P0001", NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "no person 'P0001'");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(substr(login, 1, 12), ' ') FROM user"),
			    "wang.manager xxxxxxxxxxxx");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit"), "2");

	add_person(t->db, "P0001");
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, "P0001", NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_auth_actor(t->db, "owner.p1", &a, &e), PM_OK);
	assert_string_equal(a.login, "owner.p1");
	assert_int_equal(a.role, PM_ROLE_OWNER);
	assert_true(a.user_id > 0);
	assert_string_equal(tstore_sql(t->db, "SELECT id FROM person WHERE code = 'P0001'"), "1");
	assert_int_equal(a.person_id, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT after FROM audit WHERE object = 'user:owner.p1'"),
			    "{\"person\":\"P0001\",\"role\":\"owner\",\"unix\":null}");
}

static void test_actor(void **state)
{
	struct tstore *t = T(state);
	struct passwd *pw = getpwuid(getuid());
	struct pm_err e = {0};
	struct pm_actor a;

	/* Nobody named: the Unix user, as admin. */
	assert_int_equal(pm_auth_actor(t->db, NULL, &a, &e), PM_OK);
	assert_string_equal(a.login, pw ? pw->pw_name : "unknown");
	assert_int_equal(a.role, PM_ROLE_ADMIN);
	assert_int_equal(a.user_id, 0);
	assert_int_equal(pm_auth_actor(t->db, "", &a, &e), PM_OK);
	assert_int_equal(a.role, PM_ROLE_ADMIN);

	assert_int_equal(pm_auth_actor(t->db, "nobody.here", &a, &e), PM_ENOPERM);
	assert_string_equal(e.msg, "no user 'nobody.here'");
	assert_int_equal(pm_user_add(t->db, "sun.tech", PM_ROLE_TECHNICIAN, NULL, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_auth_actor(t->db, "sun.tech", &a, &e), PM_OK);
	assert_int_equal(a.role, PM_ROLE_TECHNICIAN);
	assert_int_equal(a.person_id, 0);
	assert_int_equal(pm_user_disable(t->db, "sun.tech", &e), PM_OK);
	assert_int_equal(pm_auth_actor(t->db, "sun.tech", &a, &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'sun.tech' is disabled");
}

static void test_login(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0}, e2 = {0};
	struct pm_actor a;

	assert_int_equal(pm_user_add(t->db, "zhao.desk", PM_ROLE_FRONTDESK, NULL, NULL, "correct horse", &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "no.password", PM_ROLE_FRONTDESK, NULL, NULL, NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT substr(pwhash, 1, 10) FROM user WHERE login = 'zhao.desk'"), "$argon2id$");

	assert_int_equal(pm_auth_login(t->db, "zhao.desk", "correct horse", &a, &e), PM_OK);
	assert_string_equal(a.login, "zhao.desk");
	assert_int_equal(a.role, PM_ROLE_FRONTDESK);
	assert_true(a.user_id > 0);

	/* Wrong password, unknown user, no password at all: one answer. */
	assert_int_equal(pm_auth_login(t->db, "zhao.desk", "correct horsE", &a, &e), PM_ENOPERM);
	assert_string_equal(e.msg, "wrong login or password");
	assert_string_equal(a.login, "");
	assert_int_equal(a.user_id, 0);
	assert_int_equal(pm_auth_login(t->db, "zhao.deks", "correct horse", &a, &e2), PM_ENOPERM);
	assert_string_equal(e2.msg, e.msg);
	assert_int_equal(pm_auth_login(t->db, "no.password", "", &a, &e2), PM_ENOPERM);
	assert_string_equal(e2.msg, e.msg);
	assert_int_equal(pm_auth_login(t->db, "zhao.desk", "", &a, &e2), PM_ENOPERM);
	assert_string_equal(e2.msg, e.msg);

	/* A disabled user cannot log in, with the right password either. */
	assert_int_equal(pm_user_disable(t->db, "zhao.desk", &e), PM_OK);
	assert_int_equal(pm_auth_login(t->db, "zhao.desk", "correct horse", &a, &e2), PM_ENOPERM);
	assert_string_equal(e2.msg, "wrong login or password");
	assert_string_equal(tstore_sql(t->db, "SELECT disabled FROM user WHERE login = 'zhao.desk'"), "1");
}

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The CPU time of the fastest of three refused sign-ins of login. */
static double refusal_ms(struct pm_db *db, const char *login)
{
	struct pm_err e = {0};
	struct pm_actor a;
	double best = 0;

	for (int i = 0; i < 3; i++) {
		double t0 = cpu_ms(), t;
		assert_int_equal(pm_auth_login(db, login, "not the password", &a, &e), PM_ENOPERM);
		t = cpu_ms() - t0;
		if (!i || t < best)
			best = t;
	}
	return best;
}

/* A refusal costs as much whether the login exists, is disabled, has no
 * password or does not exist: its time tells nothing (refused at once,
 * an unknown login took 0.01 ms and a wrong password some 100 ms). In
 * CPU time, which a busy machine does not inflate. */
static void test_login_same_time(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	double known, unknown, nopw, disabled;

	assert_int_equal(pm_user_add(t->db, "zhao.desk", PM_ROLE_FRONTDESK, NULL, NULL, "correct horse", &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "qian.desk", PM_ROLE_FRONTDESK, NULL, NULL, "correct horse", &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "no.password", PM_ROLE_FRONTDESK, NULL, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_user_disable(t->db, "qian.desk", &e), PM_OK);
	known = refusal_ms(t->db, "zhao.desk");
	unknown = refusal_ms(t->db, "no.such.login");
	nopw = refusal_ms(t->db, "no.password");
	disabled = refusal_ms(t->db, "qian.desk");
	print_message("# refusals in CPU ms: wrong password %.2f, unknown %.2f, no password %.2f, disabled %.2f\n",
		      known, unknown, nopw, disabled);
	assert_true(known > 5);
	assert_true(unknown * 2 > known && nopw * 2 > known && disabled * 2 > known);
}

/* A store whose users cannot be read fails the sign-in with its own
 * error; it once dereferenced a null error (cppcheck found it). */
static void test_login_store_error(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct pm_actor a;
	int rc;

	assert_int_equal(sqlite3_exec(pm_db_sqlite(t->db), "ALTER TABLE user RENAME TO user_gone", NULL, NULL, NULL), SQLITE_OK);
	rc = pm_auth_login(t->db, "zhao.desk", "correct horse", &a, &e);
	assert_true(rc != PM_OK && rc != PM_ENOPERM);
	assert_non_null(strstr(e.msg, "user"));
	assert_int_equal(a.user_id, 0);
}

static void test_passwd(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct pm_actor a;

	assert_int_equal(pm_user_add(t->db, "li.finance", PM_ROLE_FINANCE, NULL, NULL, "first-password", &e), PM_OK);
	assert_int_equal(pm_user_passwd(t->db, "li.finance", "second-password", &e), PM_OK);
	assert_int_equal(pm_auth_login(t->db, "li.finance", "first-password", &a, &e), PM_ENOPERM);
	assert_int_equal(pm_auth_login(t->db, "li.finance", "second-password", &a, &e), PM_OK);

	/* Eight characters at least, counted in bytes. */
	assert_int_equal(pm_user_passwd(t->db, "li.finance", "1234567", &e), PM_EDATA);
	assert_string_equal(e.msg, "password too short: use at least 8 characters");
	assert_int_equal(pm_user_add(t->db, "x", PM_ROLE_GUARD, NULL, NULL, "short", &e), PM_EDATA);
	assert_string_equal(e.msg, "password too short: use at least 8 characters");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM user WHERE login = 'x'"), "0");
	assert_int_equal(pm_user_passwd(t->db, "li.finance", "12345678", &e), PM_OK);
	assert_int_equal(pm_auth_login(t->db, "li.finance", "12345678", &a, &e), PM_OK);

	assert_int_equal(pm_user_passwd(t->db, "nobody", "long enough", &e), PM_EDATA);
	assert_string_equal(e.msg, "no user 'nobody'");
	assert_int_equal(pm_user_disable(t->db, "nobody", &e), PM_EDATA);
	assert_string_equal(e.msg, "no user 'nobody'");

	/* Each change is audited, and never with the password or its hash. */
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(action, ' ') FROM audit"),
			    "user.add user.passwd user.passwd");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE after LIKE '%argon%' OR after LIKE '%password%'"), "0");
}

struct users {
	char list[256];
};

static int list_user(void *ctx, const struct pm_user_row *u)
{
	struct users *l = ctx;
	size_t n = strlen(l->list);

	snprintf(l->list + n, sizeof l->list - n, "%s:%s:%s:%d ", u->login, u->role,
		 u->person ? u->person : "-", u->disabled);
	return 0;
}

static void test_user_each(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct users l = {""};

	add_person(t->db, "P0007");
	assert_int_equal(pm_user_add(t->db, "zz", PM_ROLE_GUARD, NULL, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "aa", PM_ROLE_OWNER, "P0007", NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "mm", PM_ROLE_FINANCE, NULL, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_user_disable(t->db, "mm", &e), PM_OK);
	assert_int_equal(pm_user_each(t->db, list_user, &l, &e), PM_OK);
	assert_string_equal(l.list, "aa:owner:P0007:0 mm:finance:-:1 zz:guard:-:0 ");
}

static void test_user_unix(void **state)
{
	struct tstore *t = T(state);
	struct pm_user_change ch = PM_USER_CHANGE_NONE;
	struct pm_err e = {0};

	/* The Unix account must exist, and be one user's only. */
	assert_int_equal(pm_user_add(t->db, "sun.tech", PM_ROLE_TECHNICIAN, NULL, "no-such-account-here", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "no Unix account 'no-such-account-here'");
	assert_int_equal(pm_user_add(t->db, "sun.tech", PM_ROLE_TECHNICIAN, NULL, "daemon", NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "li.tech", PM_ROLE_TECHNICIAN, NULL, "daemon", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "Unix account 'daemon' is user 'sun.tech' already");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(login) FROM user"), "sun.tech");
	assert_string_equal(tstore_sql(t->db, "SELECT after FROM audit WHERE action = 'user.add'"),
			    "{\"person\":null,\"role\":\"technician\",\"unix\":\"daemon\"}");

	/* pm user set: role, Unix account, person; each change audited
	 * with before and after. */
	add_person(t->db, "P0001");
	ch.role = PM_ROLE_FRONTDESK;
	ch.unix_name = "";
	assert_int_equal(pm_user_set(t->db, "sun.tech", &ch, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT role || '|' || coalesce(unix, '-') FROM user"), "frontdesk|-");
	assert_string_equal(tstore_sql(t->db, "SELECT before || ' ' || after FROM audit WHERE action = 'user.set'"),
			    "{\"person\":null,\"role\":\"technician\",\"unix\":\"daemon\"} "
			    "{\"person\":null,\"role\":\"frontdesk\",\"unix\":null}");
	ch = (struct pm_user_change)PM_USER_CHANGE_NONE;
	ch.role = PM_ROLE_OWNER;
	assert_int_equal(pm_user_set(t->db, "sun.tech", &ch, &e), PM_EDATA);
	assert_string_equal(e.msg, "an owner user needs --person");
	ch.person = "P0009";
	assert_int_equal(pm_user_set(t->db, "sun.tech", &ch, &e), PM_EDATA);
	assert_string_equal(e.msg, "no person 'P0009'");
	ch.person = "P0001";
	ch.unix_name = "www-data";
	assert_int_equal(pm_user_set(t->db, "sun.tech", &ch, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT role || '|' || person_id || '|' || unix FROM user"), "owner|1|www-data");
	assert_int_equal(pm_user_set(t->db, "nobody.here", &ch, &e), PM_EDATA);
	assert_string_equal(e.msg, "no user 'nobody.here'");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit WHERE action = 'user.set'"), "2");
}

/* What pm_auth_actor says run as Unix account name, in a child that
 * gives up root: "role login by" or the error. */
static const char *as_account(struct tstore *t, const char *name, const char *as)
{
	static char out[640];
	struct passwd *pw = getpwnam(name);
	int fds[2];
	pid_t pid;
	ssize_t n;

	memset(out, 0, sizeof out);
	assert_non_null(pw);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		struct pm_err e = {0};
		struct pm_actor a;
		struct pm_db *db;
		char buf[640];

		close(fds[0]);
		if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(3);
		if (pm_db_open(t->path, 0, &db, &e) != PM_OK)
			snprintf(buf, sizeof buf, "open %d %s", e.code, e.msg);
		else if (pm_auth_actor(db, as, &a, &e) != PM_OK)
			snprintf(buf, sizeof buf, "%d %s", e.code, e.msg);
		else
			snprintf(buf, sizeof buf, "%s %s %s", pm_role_name(a.role), a.login, a.by);
		if (write(fds[1], buf, strlen(buf)) < 0)
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], out, sizeof out - 1);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	assert_true(n > 0);
	return out;
}

static void test_caller(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	char path[160];

	if (getuid() != 0)
		skip();
	/* Others may read the store (the directory too), not write it. */
	assert_int_equal(chmod(t->dir, 0755), 0);
	assert_int_equal(chmod(t->path, 0644), 0);
	assert_int_equal(chmod(tstore_file(t, "pm.db-wal", path, sizeof path), 0644), 0);
	assert_int_equal(chmod(tstore_file(t, "pm.db-shm", path, sizeof path), 0644), 0);
	add_person(t->db, "P0001");
	assert_int_equal(pm_user_add(t->db, "sun.tech", PM_ROLE_TECHNICIAN, NULL, "daemon", NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "web", PM_ROLE_SERVICE, NULL, "www-data", NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, "P0001", NULL, NULL, &e), PM_OK);

	/* Unmapped, not the owner: a viewer by its Unix name. */
	assert_string_equal(as_account(t, "nobody", NULL), "viewer nobody nobody");
	/* Mapped: the user, whatever its Unix name. */
	assert_string_equal(as_account(t, "daemon", NULL), "technician sun.tech sun.tech");
	assert_string_equal(as_account(t, "daemon", "sun.tech"), "technician sun.tech sun.tech");
	/* Acting for someone else: only admins and service accounts. */
	assert_string_equal(as_account(t, "daemon", "owner.p1"),
		"77 user 'sun.tech' (technician) may not act as 'owner.p1': only an admin or a service account may use --as or PM_USER");
	assert_string_equal(as_account(t, "nobody", "sun.tech"),
		"77 user 'nobody' (viewer) may not act as 'sun.tech': only an admin or a service account may use --as or PM_USER");
	assert_string_equal(as_account(t, "www-data", "owner.p1"), "owner owner.p1 web");
	assert_string_equal(as_account(t, "www-data", "nobody.here"), "77 no user 'nobody.here'");
	assert_string_equal(as_account(t, "www-data", NULL), "service web web");
	/* A disabled mapping is refused, not taken for a viewer. */
	assert_int_equal(pm_user_disable(t->db, "sun.tech", &e), PM_OK);
	assert_string_equal(as_account(t, "daemon", NULL), "77 user 'sun.tech' is disabled");
}

static void test_pii(void **state)
{
	static const char rec[] =
		"{\"type\":\"unit\",\"code\":\"1-1-101\",\"occupants\":[{\"person\":\"P1\",\"name\":\"张伟\",\"phone\":\"13800000001\"}]}";
	static const char msg[] = "{\"type\":\"message\",\"channel\":\"sms\",\"address\":\"13900000009\"}";
	static const char mail[] = "{\"type\":\"message\",\"channel\":\"email\",\"address\":\"a@b.c\"}";
	static const struct {
		enum pm_role role;
		const char *unit, *sms;
	} want[] = {
		{PM_ROLE_ADMIN, "13800000001", "13900000009"},
		{PM_ROLE_FRONTDESK, "13800000001", "13900000009"},
		{PM_ROLE_FINANCE, "138****0001", "139****0009"},
		{PM_ROLE_TECHNICIAN, "138****0001", "139****0009"},
		{PM_ROLE_GUARD, "138****0001", "139****0009"},
		{PM_ROLE_OWNER, "138****0001", "139****0009"},
		{PM_ROLE_VIEWER, NULL, NULL},
		{PM_ROLE_SERVICE, NULL, NULL},
	};
	char buf[32];

	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		struct pm_actor a = {.login = "x", .role = want[i].role};
		json_t *u = json_loads(rec, 0, NULL), *m = json_loads(msg, 0, NULL), *em = json_loads(mail, 0, NULL);
		json_t *occ;

		pm_pii_redact(&a, u);
		pm_pii_redact(&a, m);
		pm_pii_redact(&a, em);
		occ = json_array_get(json_object_get(u, "occupants"), 0);
		if (want[i].unit) {
			assert_string_equal(json_string_value(json_object_get(occ, "phone")), want[i].unit);
			assert_string_equal(json_string_value(json_object_get(occ, "name")), "张伟");
			assert_string_equal(json_string_value(json_object_get(m, "address")), want[i].sms);
		} else {
			/* No person at all: no occupants, no number. */
			assert_null(json_object_get(u, "occupants"));
			assert_null(json_object_get(m, "address"));
		}
		assert_string_equal(json_string_value(json_object_get(u, "code")), "1-1-101");
		assert_string_equal(json_string_value(json_object_get(em, "address")), "a@b.c");
		json_decref(u);
		json_decref(m);
		json_decref(em);
	}
	pm_phone_mask("+86 138 0000 0001", buf, sizeof buf);
	assert_string_equal(buf, "+86**********0001");
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permission_matrix),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_check_messages),
		STORE_TEST(test_user_add),
		STORE_TEST(test_actor),
		STORE_TEST(test_login),
		STORE_TEST(test_login_store_error),
		STORE_TEST(test_login_same_time),
		STORE_TEST(test_passwd),
		STORE_TEST(test_user_each),
		STORE_TEST(test_user_unix),
		STORE_TEST(test_caller),
		cmocka_unit_test(test_pii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
