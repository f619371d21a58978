#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "pm/community.h"
#include "pm/db.h"
#include "tstore.h"

/* Upserts one JSON text inside its own transaction, as an import does. */
static int unit_in(struct pm_db *db, const char *text, enum pm_upsert *did, struct pm_err *e)
{
	json_t *rec = json_loads(text, 0, NULL);
	struct pm_err ee = {0};
	int rc;

	assert_non_null(rec);
	assert_int_equal(pm_db_begin(db, &ee), PM_OK);
	rc = pm_unit_upsert(db, rec, did, e);
	if (rc == PM_OK)
		assert_int_equal(pm_db_commit(db, &ee), PM_OK);
	else
		pm_db_rollback(db);
	json_decref(rec);
	return rc;
}

static int person_in(struct pm_db *db, const char *text, enum pm_upsert *did, struct pm_err *e)
{
	json_t *rec = json_loads(text, 0, NULL);
	struct pm_err ee = {0};
	int rc;

	assert_non_null(rec);
	assert_int_equal(pm_db_begin(db, &ee), PM_OK);
	rc = pm_person_upsert(db, rec, did, e);
	/* A rejected record is rolled back by its caller only as far as the
	 * batch goes: commit, so that anything it wrote would show. */
	assert_int_equal(pm_db_commit(db, &ee), PM_OK);
	json_decref(rec);
	return rc;
}

#define UNIT_ROW(code) \
	"SELECT room || '|' || floor || '|' || area_centi || '|' || use || '|' || status || '|' ||" \
	" coalesce(delivered, '-') || '|' || b.code || '|' || en.code FROM unit u" \
	" JOIN building b ON b.id = u.building_id JOIN entrance en ON en.id = u.entrance_id" \
	" WHERE u.code = '" code "'"

static void test_unit_outcomes(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_string_equal(pm_upsert_names[PM_INSERTED], "inserted");
	assert_string_equal(pm_upsert_names[PM_UPDATED], "updated");
	assert_string_equal(pm_upsert_names[PM_UNCHANGED], "unchanged");
	assert_null(pm_upsert_names[3]);

	setenv("PM_NOW", "2024-03-01T08:00:00Z", 1);
	assert_int_equal(unit_in(t->db, "{\"code\":\"3-2-1101\",\"area\":\"89.50\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_INSERTED);
	/* Floor from the room, defaults on insert, area in hundredths. */
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("3-2-1101")), "1101|11|8950|residential|vacant|-|3|2");
	assert_string_equal(tstore_sql(t->db, "SELECT created_at || ' ' || updated_at FROM unit"), "1709280000 1709280000");

	setenv("PM_NOW", "2024-03-02T08:00:00Z", 1);
	assert_int_equal(unit_in(t->db, "{\"code\":\"3-2-1101\",\"area\":89.5}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UNCHANGED);
	assert_string_equal(tstore_sql(t->db, "SELECT updated_at FROM unit"), "1709280000");

	assert_int_equal(unit_in(t->db, "{\"code\":\"3-2-1101\",\"area\":\"90\",\"status\":\"occupied\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UPDATED);
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("3-2-1101")), "1101|11|9000|residential|occupied|-|3|2");
	assert_string_equal(tstore_sql(t->db, "SELECT created_at || ' ' || updated_at FROM unit"), "1709280000 1709366400");

	/* A second unit in the same entrance makes no new building or entrance. */
	assert_int_equal(unit_in(t->db, "{\"code\":\"3-2-1102\",\"area\":\"60\"}", &did, &e), PM_OK);
	assert_int_equal(unit_in(t->db, "{\"code\":\"3-1-0101\",\"area\":\"60\"}", &did, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) || ' ' || (SELECT count(*) FROM entrance) FROM building"), "1 2");
}

/* The building and entrance a unit was placed in are remembered only
 * while their transaction is open: after a rollback, the next unit of
 * the same entrance makes them again. */
static void test_unit_place_rolled_back(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;
	json_t *a = json_loads("{\"code\":\"4-1-0101\",\"area\":\"70\"}", 0, NULL);
	json_t *b = json_loads("{\"code\":\"4-1-0102\",\"area\":\"71\"}", 0, NULL);

	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_unit_upsert(t->db, a, &did, &e), PM_OK);
	pm_db_rollback(t->db);
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	assert_int_equal(pm_unit_upsert(t->db, b, &did, &e), PM_OK);
	assert_int_equal(pm_unit_upsert(t->db, a, &did, &e), PM_OK);
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("4-1-0102")), "0102|1|7100|residential|vacant|-|4|1");
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("4-1-0101")), "0101|1|7000|residential|vacant|-|4|1");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) || ' ' || (SELECT count(*) FROM entrance) FROM building"), "1 1");
	json_decref(a);
	json_decref(b);
}

static void test_unit_update_keeps_absent(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_int_equal(unit_in(t->db, "{\"code\":\"1-1-0101\",\"area\":\"120.00\",\"use\":\"commercial\","
		"\"status\":\"rented\",\"delivered\":\"2020-06-30\",\"floor\":2}", &did, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("1-1-0101")), "0101|2|12000|commercial|rented|2020-06-30|1|1");

	/* Defaults apply on insert only: absent fields keep what is stored,
	 * the floor given by hand included. */
	assert_int_equal(unit_in(t->db, "{\"code\":\"1-1-0101\",\"area\":\"120.00\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UNCHANGED);
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("1-1-0101")), "0101|2|12000|commercial|rented|2020-06-30|1|1");
	assert_int_equal(unit_in(t->db, "{\"code\":\"1-1-0101\",\"area\":\"121.00\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UPDATED);
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("1-1-0101")), "0101|2|12100|commercial|rented|2020-06-30|1|1");

	/* Given fields replace. */
	assert_int_equal(unit_in(t->db, "{\"code\":\"1-1-0101\",\"area\":\"121.00\",\"use\":\"residential\",\"floor\":1}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UPDATED);
	assert_string_equal(tstore_sql(t->db, UNIT_ROW("1-1-0101")), "0101|1|12100|residential|rented|2020-06-30|1|1");
}

static void test_unit_floors(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_int_equal(unit_in(t->db, "{\"code\":\"A-1-0201\",\"area\":\"50\"}", &did, &e), PM_OK);
	assert_int_equal(unit_in(t->db, "{\"code\":\"A-1-101\",\"area\":\"50\"}", &did, &e), PM_OK);
	assert_int_equal(unit_in(t->db, "{\"code\":\"A-1-20001\",\"area\":\"50\"}", &did, &e), PM_OK);
	assert_int_equal(unit_in(t->db, "{\"code\":\"A-1-B01\",\"area\":\"30\",\"use\":\"parking\",\"floor\":-1}", &did, &e), PM_OK);
	assert_int_equal(unit_in(t->db, "{\"code\":\"A-1-S2\",\"area\":\"8\",\"use\":\"storage\",\"floor\":\"-2\"}", &did, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(code || ':' || floor, ' ') FROM (SELECT * FROM unit ORDER BY id)"),
			    "A-1-0201:2 A-1-101:1 A-1-20001:200 A-1-B01:-1 A-1-S2:-2");
}

static const struct {
	const char *rec, *msg;
} bad_units[] = {
	{"{\"area\":\"50\"}", "field \"code\": missing"},
	{"{\"code\":3,\"area\":\"50\"}", "field \"code\": expected a string"},
	{"{\"code\":\"3-2\",\"area\":\"50\"}", "field \"code\": \"3-2\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"3-2-1101-1\",\"area\":\"50\"}", "field \"code\": \"3-2-1101-1\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"3--1101\",\"area\":\"50\"}", "field \"code\": \"3--1101\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"3-2-\",\"area\":\"50\"}", "field \"code\": \"3-2-\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"3-2-11 01\",\"area\":\"50\"}", "field \"code\": \"3-2-11 01\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"3号楼-2-1101\",\"area\":\"50\"}", "field \"code\": \"3号楼-2-1101\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"\",\"area\":\"50\"}", "field \"code\": \"\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"},
	{"{\"code\":\"1-1-0101\"}", "field \"area\": missing"},
	{"{\"code\":\"1-1-0101\",\"area\":\"0\"}", "field \"area\": must be above 0 and at most 100000 m²"},
	{"{\"code\":\"1-1-0101\",\"area\":\"-5\"}", "field \"area\": must be above 0 and at most 100000 m²"},
	{"{\"code\":\"1-1-0101\",\"area\":\"100000.01\"}", "field \"area\": must be above 0 and at most 100000 m²"},
	{"{\"code\":\"1-1-0101\",\"area\":\"12.345\"}", "field \"area\": \"12.345\": more than 2 decimals"},
	{"{\"code\":\"1-1-0101\",\"area\":\"big\"}", "field \"area\": \"big\": expected digits, a point and at most a sign"},
	{"{\"code\":\"1-1-0101\",\"area\":true}", "field \"area\": expected a number or decimal string"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"floor\":201}", "field \"floor\": 201 is not a floor from -10 to 200"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"floor\":-11}", "field \"floor\": -11 is not a floor from -10 to 200"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"floor\":1.5}", "field \"floor\": expected an integer"},
	{"{\"code\":\"1-1-B01\",\"area\":\"50\"}", "field \"floor\": missing, and room \"B01\" does not tell it"},
	{"{\"code\":\"1-1-12\",\"area\":\"50\"}", "field \"floor\": missing, and room \"12\" does not tell it"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"use\":\"office\"}",
	 "field \"use\": unknown value \"office\": expected residential, commercial, parking or storage"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"status\":\"sold\"}",
	 "field \"status\": unknown value \"sold\": expected vacant, occupied, rented or decorating"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"status\":\"Vacant\"}",
	 "field \"status\": unknown value \"Vacant\": expected vacant, occupied, rented or decorating"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"delivered\":\"2020-02-30\"}", "field \"delivered\": \"2020-02-30\": no such day in that month"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"delivered\":\"2020/06/30\"}", "field \"delivered\": \"2020/06/30\": expected a date such as 2026-11-25"},
	{"{\"code\":\"1-1-0101\",\"area\":\"50\",\"delivered\":20200630}", "field \"delivered\": expected a string"},
};

static void test_unit_rejects(void **state)
{
	struct tstore *t = T(state);
	enum pm_upsert did;

	for (size_t i = 0; i < sizeof bad_units / sizeof *bad_units; i++) {
		struct pm_err e = {0};

		if (unit_in(t->db, bad_units[i].rec, &did, &e) != PM_EDATA)
			fail_msg("%s: accepted, or code %d (%s)", bad_units[i].rec, e.code, e.msg);
		if (strcmp(e.msg, bad_units[i].msg) != 0)
			fail_msg("%s: said \"%s\", want \"%s\"", bad_units[i].rec, e.msg, bad_units[i].msg);
	}
}

static void test_unit_reject_writes_nothing(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;
	json_t *rec;

	/* Inside one open transaction, as a batch of an import: a bad record
	 * leaves no building, entrance or unit behind. */
	assert_int_equal(pm_db_begin(t->db, &e), PM_OK);
	for (size_t i = 0; i < sizeof bad_units / sizeof *bad_units; i++) {
		rec = json_loads(bad_units[i].rec, 0, NULL);
		assert_int_equal(pm_unit_upsert(t->db, rec, &did, &e), PM_EDATA);
		json_decref(rec);
	}
	assert_int_equal(pm_db_commit(t->db, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT (SELECT count(*) FROM unit) || (SELECT count(*) FROM building) ||"
					      " (SELECT count(*) FROM entrance)"), "000");
}

static void test_id_mask(void **state)
{
	static const struct {
		const char *id, *masked;
	} cases[] = {
		{"110101199001011234", "110101********1234"},
		{"11010119900101123X", "110101********123X"},
		{"110101900101123", "110101*****1123"},
		{"12345678901234", "123456****1234"},
		{"1234567890123", "*********0123"},
		{"12345", "*2345"},
		{"1234", "1234"},
		{"123", "***"},
		{"", ""},
	};
	char out[32];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memset(out, 'Z', sizeof out);
		pm_id_mask(cases[i].id, out, sizeof out);
		assert_string_equal(out, cases[i].masked);
	}
	/* A short buffer holds a cut, still masked, still terminated. */
	pm_id_mask("110101199001011234", out, 10);
	assert_string_equal(out, "110101***");
	pm_id_mask("110101199001011234", out, 1);
	assert_string_equal(out, "");
	out[0] = 'Z';
	pm_id_mask("110101199001011234", out, 0);
	assert_int_equal(out[0], 'Z');
}

#define PERSON_ROW(code) \
	"SELECT name || '|' || coalesce(phone, '-') || '|' || coalesce(id_masked, '-') FROM person WHERE code = '" code "'"
#define RESIDENTS \
	"SELECT coalesce(group_concat(u.code || ':' || p.code || ':' || o.role || ':' || o.since || ':' || coalesce(o.until, '-'), ' '), '')" \
	" FROM (SELECT * FROM occupancy ORDER BY id) o JOIN unit u ON u.id = o.unit_id JOIN person p ON p.id = o.person_id"

static void two_units(struct pm_db *db)
{
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_int_equal(unit_in(db, "{\"code\":\"1-1-0101\",\"area\":\"89.50\",\"delivered\":\"2019-06-30\"}", &did, &e), PM_OK);
	assert_int_equal(unit_in(db, "{\"code\":\"1-1-0102\",\"area\":\"120\"}", &did, &e), PM_OK);
}

static void test_person_upsert(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"phone\":\"13800000000\","
		"\"id_number\":\"110101199001011234\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_INSERTED);
	/* Only the masked number is ever stored. */
	assert_string_equal(tstore_sql(t->db, PERSON_ROW("P0001")), "张伟|13800000000|110101********1234");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM person WHERE id_masked LIKE '%19900101%'"), "0");

	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UNCHANGED);
	assert_string_equal(tstore_sql(t->db, PERSON_ROW("P0001")), "张伟|13800000000|110101********1234");
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"phone\":\"+86 139-0000-0000\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UPDATED);
	assert_string_equal(tstore_sql(t->db, PERSON_ROW("P0001")), "张伟|+86 139-0000-0000|110101********1234");

	/* An already-masked number is taken as it is, the raw one wins. */
	assert_int_equal(person_in(t->db, "{\"code\":\"P0002\",\"name\":\"李娜\",\"id_masked\":\"310101********5678\"}", &did, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, PERSON_ROW("P0002")), "李娜|-|310101********5678");
	assert_int_equal(person_in(t->db, "{\"code\":\"P0002\",\"name\":\"李娜\",\"id_masked\":\"x\",\"id_number\":\"310101198001015678\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UNCHANGED);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM occupancy"), "0");
}

static void test_person_moves_in(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	two_units(t->db);
	setenv("PM_NOW", "2024-03-31T20:00:00Z", 1);
	/* Imported with no "since": moved in on the unit's delivery date,
	 * not on the day of the import, so the unit was never vacant. */
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"unit\":\"1-1-0101\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_INSERTED);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0002\",\"name\":\"李娜\",\"unit\":\"1-1-0101\",\"role\":\"family\","
		"\"since\":\"2019-07-01\"}", &did, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, RESIDENTS), "1-1-0101:P0001:owner:2019-06-30:- 1-1-0101:P0002:family:2019-07-01:-");

	/* The same again changes nothing; a new residence is an update. */
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"unit\":\"1-1-0101\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UNCHANGED);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"unit\":\"1-1-0102\",\"role\":\"tenant\","
		"\"since\":\"2023-01-01\"}", &did, &e), PM_OK);
	assert_int_equal(did, PM_UPDATED);
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM occupancy WHERE until IS NULL"), "3");

	/* A move-in made by hand defaults to the community's today: 20:00
	 * UTC is already the next day in Shanghai. */
	assert_int_equal(person_in(t->db, "{\"code\":\"P0003\",\"name\":\"王芳\"}", &did, &e), PM_OK);
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0102", "P0003", "family", NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT since FROM occupancy WHERE person_id = (SELECT id FROM person"
					      " WHERE code = 'P0003')"), "2024-04-01");
}

static const struct {
	const char *rec, *msg;
} bad_people[] = {
	{"{\"name\":\"张伟\"}", "field \"code\": missing"},
	{"{\"code\":\"\",\"name\":\"张伟\"}", "field \"code\": 1 to 32 bytes"},
	{"{\"code\":\"P00000000000000000000000000000001\",\"name\":\"张伟\"}", "field \"code\": 1 to 32 bytes"},
	{"{\"code\":\"P9\"}", "field \"name\": missing"},
	{"{\"code\":\"P9\",\"name\":\"\"}", "field \"name\": empty"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"phone\":\"abc\"}", "field \"phone\": \"abc\" is not a phone number"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"phone\":\"1234\"}", "field \"phone\": \"1234\" is not a phone number"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"phone\":\"\"}", "field \"phone\": \"\" is not a phone number"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"unit\":\"9-9-9999\"}", "no unit '9-9-9999'"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"unit\":\"1-1-0101\",\"role\":\"landlord\"}",
	 "field \"role\": unknown value \"landlord\": expected owner, tenant or family"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"unit\":\"1-1-0101\",\"since\":\"2024-13-01\"}",
	 "field \"since\": \"2024-13-01\": month must be 01 to 12"},
	{"{\"code\":\"P9\",\"name\":\"张伟\",\"unit\":\"1-1-0102\"}",
	 "field \"since\": missing, and unit '1-1-0102' has no delivery date to move in on"},
};

static void test_person_rejects(void **state)
{
	struct tstore *t = T(state);
	enum pm_upsert did;

	two_units(t->db);
	for (size_t i = 0; i < sizeof bad_people / sizeof *bad_people; i++) {
		struct pm_err e = {0};

		if (person_in(t->db, bad_people[i].rec, &did, &e) != PM_EDATA)
			fail_msg("%s: accepted, or code %d (%s)", bad_people[i].rec, e.code, e.msg);
		if (strcmp(e.msg, bad_people[i].msg) != 0)
			fail_msg("%s: said \"%s\", want \"%s\"", bad_people[i].rec, e.msg, bad_people[i].msg);
	}
	/* Nothing was written, though each was committed. */
	assert_string_equal(tstore_sql(t->db, "SELECT (SELECT count(*) FROM person) || (SELECT count(*) FROM occupancy)"), "00");
}

static void test_occupancy(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	two_units(t->db);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\"}", &did, &e), PM_OK);
	pm_db_set_actor(t->db, "zhao.desk");

	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0001", "tenant", "2024-01-01", &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, RESIDENTS), "1-1-0101:P0001:tenant:2024-01-01:-");
	assert_string_equal(tstore_sql(t->db, "SELECT group_concat(actor || ' ' || action || ' ' || object || ' ' || after, '; ') FROM audit"),
			    "zhao.desk occupancy.set unit:1-1-0101 {\"date\":\"2024-01-01\",\"person\":\"P0001\",\"role\":\"tenant\"}");

	/* Setting a current residence again changes nothing, audit included,
	 * even with another date. */
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0001", "tenant", "2024-01-01", &e), PM_OK);
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0001", "tenant", "2024-02-01", &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, RESIDENTS), "1-1-0101:P0001:tenant:2024-01-01:-");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit"), "1");

	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "2024-06-30", &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, RESIDENTS), "1-1-0101:P0001:tenant:2024-01-01:2024-06-30");
	assert_string_equal(tstore_sql(t->db, "SELECT action || ' ' || after FROM audit WHERE id = 2"),
			    "occupancy.end {\"date\":\"2024-06-30\",\"person\":\"P0001\",\"role\":null}");
	/* Ending it again is an error that changes nothing. */
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "2024-07-31", &e), PM_EDATA);
	assert_string_equal(e.msg, "'P0001' does not live in '1-1-0101' now");
	assert_string_equal(tstore_sql(t->db, RESIDENTS), "1-1-0101:P0001:tenant:2024-01-01:2024-06-30");
	assert_string_equal(tstore_sql(t->db, "SELECT count(*) FROM audit"), "2");

	/* Moving in again after moving out is a new residence. */
	setenv("PM_NOW", "2024-08-01T02:00:00Z", 1);
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0001", "tenant", NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, RESIDENTS),
			    "1-1-0101:P0001:tenant:2024-01-01:2024-06-30 1-1-0101:P0001:tenant:2024-08-01:-");
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", NULL, &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, "SELECT until FROM occupancy WHERE id = 2"), "2024-08-01");
}

static void test_occupancy_errors(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	two_units(t->db);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\"}", &did, &e), PM_OK);

	assert_int_equal(pm_occupancy_set(t->db, "9-9-9999", "P0001", "owner", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "no unit '9-9-9999'");
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0404", "owner", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "no person 'P0404'");
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0001", "boss", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "unknown role \"boss\": expected owner, tenant or family");
	assert_int_equal(pm_occupancy_set(t->db, "1-1-0101", "P0001", "owner", "2024-02-30", &e), PM_EDATA);
	assert_string_equal(e.msg, "\"2024-02-30\": no such day in that month");
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "someday", &e), PM_EDATA);
	assert_string_equal(e.msg, "\"someday\": expected a date such as 2026-11-25");
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", NULL, &e), PM_EDATA);
	assert_string_equal(e.msg, "'P0001' does not live in '1-1-0101' now");
	assert_int_equal(pm_occupancy_end(t->db, "9-9-9999", "P0001", NULL, &e), PM_EDATA);
	assert_string_equal(tstore_sql(t->db, "SELECT (SELECT count(*) FROM occupancy) || (SELECT count(*) FROM audit)"), "00");
	/* Nothing is left open for the next write. */
	assert_int_not_equal(sqlite3_get_autocommit(pm_db_sqlite(t->db)), 0);
}

static void test_may_see(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;
	struct pm_actor staff = {.login = "zhao.desk", .role = PM_ROLE_FRONTDESK};
	struct pm_actor guard = {.login = "guard", .role = PM_ROLE_GUARD};
	struct pm_actor owner = {.login = "owner.p1", .role = PM_ROLE_OWNER};

	two_units(t->db);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"unit\":\"1-1-0101\"}", &did, &e), PM_OK);
	owner.person_id = atoll(tstore_sql(t->db, "SELECT id FROM person WHERE code = 'P0001'"));
	assert_true(owner.person_id > 0);

	assert_int_equal(pm_unit_may_read(t->db, &staff, "1-1-0101", &e), PM_OK);
	assert_int_equal(pm_unit_may_read(t->db, &staff, "1-1-0102", &e), PM_OK);
	assert_int_equal(pm_unit_may_read(t->db, &guard, "1-1-0102", &e), PM_OK);
	assert_int_equal(pm_unit_may_read(t->db, &owner, "1-1-0101", &e), PM_OK);
	/* The list of every unit: staff, never an owner. */
	assert_int_equal(pm_unit_may_read(t->db, &staff, NULL, &e), PM_OK);
	assert_int_equal(pm_unit_may_read(t->db, &owner, NULL, &e), PM_ENOPERM);

	assert_int_equal(pm_unit_may_read(t->db, &owner, "1-1-0102", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'owner.p1' may not see unit '1-1-0102'");
	/* Said the same way for a unit that does not exist. */
	assert_int_equal(pm_unit_may_read(t->db, &owner, "9-9-9999", &e), PM_ENOPERM);
	assert_string_equal(e.msg, "user 'owner.p1' may not see unit '9-9-9999'");

	/* Once moved out, the owner sees it no more. */
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "2024-06-30", &e), PM_OK);
	assert_int_equal(pm_unit_may_read(t->db, &owner, "1-1-0101", &e), PM_ENOPERM);
	/* An owner with no person sees nothing. */
	owner.person_id = 0;
	assert_int_equal(pm_unit_may_read(t->db, &owner, "1-1-0102", &e), PM_ENOPERM);
}

static void test_unit_get(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;
	json_t *u = NULL;
	char *s;

	two_units(t->db);
	assert_int_equal(pm_unit_get(t->db, "1-1-0101", 0, &u, &e), PM_OK);
	s = json_dumps(u, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"area\":\"89.50\",\"building\":\"1\",\"code\":\"1-1-0101\",\"delivered\":\"2019-06-30\","
			       "\"entrance\":\"1\",\"floor\":1,\"room\":\"0101\",\"status\":\"vacant\",\"type\":\"unit\","
			       "\"use\":\"residential\"}");
	free(s);
	json_decref(u);

	assert_int_equal(person_in(t->db, "{\"code\":\"P0003\",\"name\":\"王芳\",\"unit\":\"1-1-0101\",\"role\":\"family\",\"since\":\"2020-01-01\"}", &did, &e), PM_OK);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0002\",\"name\":\"李娜\",\"phone\":\"13900000000\",\"unit\":\"1-1-0101\",\"role\":\"tenant\",\"since\":\"2021-01-01\"}", &did, &e), PM_OK);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"unit\":\"1-1-0101\",\"since\":\"2019-07-01\"}", &did, &e), PM_OK);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0004\",\"name\":\"赵强\",\"unit\":\"1-1-0101\",\"since\":\"2019-07-01\"}", &did, &e), PM_OK);
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0004", "2020-12-31", &e), PM_OK);

	/* Current residents only: owners, then tenants, then family. */
	assert_int_equal(pm_unit_get(t->db, "1-1-0101", 1, &u, &e), PM_OK);
	s = json_dumps(json_object_get(u, "occupants"), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s,
		"[{\"name\":\"张伟\",\"person\":\"P0001\",\"phone\":null,\"role\":\"owner\",\"since\":\"2019-07-01\"},"
		"{\"name\":\"李娜\",\"person\":\"P0002\",\"phone\":\"13900000000\",\"role\":\"tenant\",\"since\":\"2021-01-01\"},"
		"{\"name\":\"王芳\",\"person\":\"P0003\",\"phone\":null,\"role\":\"family\",\"since\":\"2020-01-01\"}]");
	free(s);
	json_decref(u);

	assert_int_equal(pm_unit_get(t->db, "1-1-0102", 1, &u, &e), PM_OK);
	assert_int_equal(json_array_size(json_object_get(u, "occupants")), 0);
	json_decref(u);

	u = (json_t *)1;
	assert_int_equal(pm_unit_get(t->db, "1-1-0103", 1, &u, &e), PM_EDATA);
	assert_null(u);
	assert_string_equal(e.msg, "no unit '1-1-0103'");
}

static int32_t day_of(const char *s)
{
	struct pm_err e = {0};
	int32_t d;

	if (pm_date_parse(s, &d, &e))
		fail_msg("%s: %s", s, e.msg);
	return d;
}

static const char *vacancy(struct pm_db *db, const char *unit, const char *first, const char *last)
{
	static char buf[64];
	struct pm_err e = {0};
	struct pm_vacancy v;
	int64_t id;

	snprintf(buf, sizeof buf, "SELECT id FROM unit WHERE code = '%s'", unit);
	id = atoll(tstore_sql(db, buf));
	if (pm_unit_vacancy(db, id, day_of(first), day_of(last), &v, &e))
		fail_msg("vacancy: %s", e.msg);
	snprintf(buf, sizeof buf, "%d of %d vacant%s", v.vacant, v.days, v.tenant ? ", a tenant" : "");
	return buf;
}

/* A unit is vacant on the days no residence covers, from since to the
 * day before until, residences merged where they overlap, whatever the
 * unit's status says. */
static void test_vacancy(void **state)
{
	struct tstore *t = T(state);
	struct pm_err e = {0};
	enum pm_upsert did;

	two_units(t->db);
	assert_int_equal(unit_in(t->db, "{\"code\":\"1-1-0101\",\"area\":\"89.50\",\"status\":\"occupied\"}", &did, &e),
			 PM_OK);
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-11-01", "2026-11-30"), "30 of 30 vacant");
	assert_int_equal(person_in(t->db, "{\"code\":\"P1\",\"name\":\"张伟\",\"unit\":\"1-1-0101\",\"since\":\"2026-11-05\"}",
				   &did, &e), PM_OK);
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P1", "2026-11-15", &e), PM_OK);
	/* 5th to 14th lived in: 20 days vacant. */
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-11-01", "2026-11-30"), "20 of 30 vacant");
	assert_int_equal(person_in(t->db, "{\"code\":\"P2\",\"name\":\"李娜\",\"unit\":\"1-1-0101\",\"role\":\"tenant\","
				   "\"since\":\"2026-11-10\"}", &did, &e), PM_OK);
	/* And the tenant from the 10th on, overlapping: the 1st to the 4th. */
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-11-01", "2026-11-30"), "4 of 30 vacant, a tenant");
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-11-01", "2026-11-04"), "4 of 4 vacant");
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-12-01", "2026-12-31"), "0 of 31 vacant, a tenant");
}

/* A move-out on a day to come takes effect on that day: until then the
 * person still lives there, for who may see the unit, its occupants and
 * its vacancy alike. */
static void test_occupancy_future_end(void **state)
{
	struct tstore *t = T(state);
	struct pm_actor owner = {.login = "owner.p1", .role = PM_ROLE_OWNER};
	struct pm_err e = {0};
	enum pm_upsert did;
	json_t *u = NULL;

	setenv("PM_NOW", "2026-11-10T09:00:00+08:00", 1);
	two_units(t->db);
	assert_int_equal(person_in(t->db, "{\"code\":\"P0001\",\"name\":\"张伟\",\"unit\":\"1-1-0101\"}", &did, &e), PM_OK);
	owner.person_id = atoll(tstore_sql(t->db, "SELECT id FROM person WHERE code = 'P0001'"));
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "2026-11-20", &e), PM_OK);

	assert_int_equal(pm_unit_may_read(t->db, &owner, "1-1-0101", &e), PM_OK);
	assert_int_equal(pm_unit_get(t->db, "1-1-0101", 1, &u, &e), PM_OK);
	assert_int_equal(json_array_size(json_object_get(u, "occupants")), 1);
	json_decref(u);
	assert_int_equal(pm_person_get(t->db, "P0001", &u, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(u, "units")), "1-1-0101:owner");
	json_decref(u);
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-11-01", "2026-11-30"), "11 of 30 vacant");
	/* Still there, so the day may be moved. */
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "2026-11-25", &e), PM_OK);
	assert_string_equal(tstore_sql(t->db, RESIDENTS), "1-1-0101:P0001:owner:2019-06-30:2026-11-25");
	assert_string_equal(vacancy(t->db, "1-1-0101", "2026-11-01", "2026-11-30"), "6 of 30 vacant");

	/* From the 25th on, gone. */
	setenv("PM_NOW", "2026-11-25T09:00:00+08:00", 1);
	assert_int_equal(pm_unit_may_read(t->db, &owner, "1-1-0101", &e), PM_ENOPERM);
	assert_int_equal(pm_unit_get(t->db, "1-1-0101", 1, &u, &e), PM_OK);
	assert_int_equal(json_array_size(json_object_get(u, "occupants")), 0);
	json_decref(u);
	assert_int_equal(pm_occupancy_end(t->db, "1-1-0101", "P0001", "2026-11-30", &e), PM_EDATA);
	assert_string_equal(e.msg, "'P0001' does not live in '1-1-0101' now");
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, tstore_setup, tstore_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_unit_outcomes),
		STORE_TEST(test_unit_place_rolled_back),
		STORE_TEST(test_unit_update_keeps_absent),
		STORE_TEST(test_unit_floors),
		STORE_TEST(test_unit_rejects),
		STORE_TEST(test_unit_reject_writes_nothing),
		cmocka_unit_test(test_id_mask),
		STORE_TEST(test_person_upsert),
		STORE_TEST(test_person_moves_in),
		STORE_TEST(test_person_rejects),
		STORE_TEST(test_occupancy),
		STORE_TEST(test_occupancy_errors),
		STORE_TEST(test_may_see),
		STORE_TEST(test_vacancy),
		STORE_TEST(test_occupancy_future_end),
		STORE_TEST(test_unit_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
