#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pwd.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/db.h"
#include "tstore.h"

/* The permission table as a user would read it: 1 where the role may. */
static const struct {
	const char *action;
	int admin, finance, frontdesk, technician, guard, owner;
} matrix[] = {
	/*                      adm fin desk tech guard owner */
	{"audit.read",           1,  1,  0,   0,   0,    0},
	{"backup",               1,  0,  0,   0,   0,    0},
	{"check",                1,  1,  0,   0,   0,    0},
	{"config.apply",         1,  0,  0,   0,   0,    0},
	{"config.read",          1,  1,  1,   1,   1,    0},
	{"person.read",          1,  1,  1,   0,   0,    0},
	{"person.write",         1,  0,  1,   0,   0,    0},
	{"restore",              1,  0,  0,   0,   0,    0},
	{"unit.read",            1,  1,  1,   1,   1,    1},
	{"unit.write",           1,  0,  1,   0,   0,    0},
	{"user.admin",           1,  0,  0,   0,   0,    0},
	{"user.passwd.self",     1,  1,  1,   1,   1,    1},
	/* Actions nobody listed are refused to everyone, admin included. */
	{"no.such.action",       0,  0,  0,   0,   0,    0},
	{"",                     0,  0,  0,   0,   0,    0},
	{"unit",                 0,  0,  0,   0,   0,    0},
	{"unit.read.extra",      0,  0,  0,   0,   0,    0},
};

static void test_permission_matrix(void **state)
{
	for (size_t i = 0; i < sizeof matrix / sizeof *matrix; i++) {
		const int want[PM_ROLE_COUNT] = {
			matrix[i].admin, matrix[i].finance, matrix[i].frontdesk,
			matrix[i].technician, matrix[i].guard, matrix[i].owner,
		};
		for (int r = 0; r < PM_ROLE_COUNT; r++)
			if (pm_auth_allowed((enum pm_role)r, matrix[i].action) != want[r])
				fail_msg("%s may%s do '%s'", pm_role_name((enum pm_role)r),
					 want[r] ? " not" : "", matrix[i].action);
	}
}

static void test_roles(void **state)
{
	static const char *const names[] = {"admin", "finance", "frontdesk", "technician", "guard", "owner"};
	struct pm_err e = {0};
	enum pm_role r;

	for (int i = 0; i < PM_ROLE_COUNT; i++) {
		assert_string_equal(pm_role_name((enum pm_role)i), names[i]);
		assert_int_equal(pm_role_parse(names[i], &r, &e), PM_OK);
		assert_int_equal(r, i);
	}
	assert_string_equal(pm_role_name(PM_ROLE_COUNT), "?");
	assert_int_equal(pm_role_parse("Admin", &r, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown role 'Admin': expected admin, finance, frontdesk, technician, guard or owner");
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
	assert_int_equal(pm_user_add(t->db, "wang.manager", PM_ROLE_ADMIN, NULL, NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db,
		"SELECT login || '|' || role || '|' || coalesce(person_id, '-') || '|' || coalesce(pwhash, '-') || '|' ||"
		" disabled || '|' || created_at FROM user"), "wang.manager|admin|-|-|0|1709280000");
	assert_string_equal(tstore_sql(t->db, "SELECT actor || ' ' || action || ' ' || object || ' ' || after FROM audit"),
			    "root user.add user:wang.manager {\"person\":null,\"role\":\"admin\"}");

	assert_int_equal(pm_user_add(t->db, "wang.manager", PM_ROLE_GUARD, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "cannot add user 'wang.manager': the login exists");
	assert_int_equal(pm_user_add(t->db, "", PM_ROLE_GUARD, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "bad login '': 1 to 63 characters, no ':'");
	assert_int_equal(pm_user_add(t->db, "a:b", PM_ROLE_GUARD, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "bad login 'a:b': 1 to 63 characters, no ':'");
	memset(longname, 'x', 64);
	longname[64] = '\0';
	assert_int_equal(pm_user_add(t->db, longname, PM_ROLE_GUARD, NULL, NULL, &e), PM_EDATA);
	longname[63] = '\0';
	assert_int_equal(pm_user_add(t->db, longname, PM_ROLE_GUARD, NULL, NULL, &e), PM_OK);

	/* Owners are linked to a person, who must exist. */
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, NULL, NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "an owner user needs --person");
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, "P0001", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "no person 'P0001'");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(substr(login, 1, 12), ' ') FROM user"),
			    "wang.manager xxxxxxxxxxxx");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit"), "2");

	add_person(t->db, "P0001");
	assert_int_equal(pm_user_add(t->db, "owner.p1", PM_ROLE_OWNER, "P0001", NULL, &e), PM_OK);
	assert_int_equal(pm_auth_actor(t->db, "owner.p1", &a, &e), PM_OK);
	assert_string_equal(a.login, "owner.p1");
	assert_int_equal(a.role, PM_ROLE_OWNER);
	assert_true(a.user_id > 0);
	assert_string_equal(tstore_sql(t->db, "SELECT id FROM person WHERE code = 'P0001'"), "1");
	assert_int_equal(a.person_id, 1);
	assert_string_equal(tstore_sql(t->db, "SELECT after FROM audit WHERE object = 'user:owner.p1'"),
			    "{\"person\":\"P0001\",\"role\":\"owner\"}");
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
	assert_int_equal(pm_user_add(t->db, "sun.tech", PM_ROLE_TECHNICIAN, NULL, NULL, &e), PM_OK);
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

	assert_int_equal(pm_user_add(t->db, "zhao.desk", PM_ROLE_FRONTDESK, NULL, "correct horse", &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "no.password", PM_ROLE_FRONTDESK, NULL, NULL, &e), PM_OK);
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

static void test_passwd(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	struct pm_actor a;

	assert_int_equal(pm_user_add(t->db, "li.finance", PM_ROLE_FINANCE, NULL, "first-password", &e), PM_OK);
	assert_int_equal(pm_user_passwd(t->db, "li.finance", "second-password", &e), PM_OK);
	assert_int_equal(pm_auth_login(t->db, "li.finance", "first-password", &a, &e), PM_ENOPERM);
	assert_int_equal(pm_auth_login(t->db, "li.finance", "second-password", &a, &e), PM_OK);

	/* Eight characters at least, counted in bytes. */
	assert_int_equal(pm_user_passwd(t->db, "li.finance", "1234567", &e), PM_EDATA);
	assert_string_equal(e.msg, "password too short: use at least 8 characters");
	assert_int_equal(pm_user_add(t->db, "x", PM_ROLE_GUARD, NULL, "short", &e), PM_EDATA);
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
	assert_int_equal(pm_user_add(t->db, "zz", PM_ROLE_GUARD, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "aa", PM_ROLE_OWNER, "P0007", NULL, &e), PM_OK);
	assert_int_equal(pm_user_add(t->db, "mm", PM_ROLE_FINANCE, NULL, NULL, &e), PM_OK);
	assert_int_equal(pm_user_disable(t->db, "mm", &e), PM_OK);
	assert_int_equal(pm_user_each(t->db, list_user, &l, &e), PM_OK);
	assert_string_equal(l.list, "aa:owner:P0007:0 mm:finance:-:1 zz:guard:-:0 ");
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
		STORE_TEST(test_passwd),
		STORE_TEST(test_user_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
