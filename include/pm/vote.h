/* Owners' votes (业主表决) under Article 278 of the Civil Code of the PRC.
 *
 * Every decision needs owners holding at least two thirds of the
 * exclusive area and at least two thirds of the owners to take part;
 * matters (6) to (8) of the article (raising the maintenance fund,
 * rebuilding, changing the use of common parts or running a business on
 * them) then need at least three quarters of the participating area and
 * of the participating owners, the others more than half of each. The
 * Civil Code's "以上" (at least) includes the number itself, "过半数"
 * (more than half) does not (art. 1259).
 *
 * Who counts (the Supreme People's Court's 2009 interpretation on
 * building co-ownership, 法释〔2009〕7号, arts. 8 and 9): area is each
 * unit's registered exclusive area; owners are one per unit, except that
 * all of the developer's unsold or undelivered units together count as
 * one (here: units with a current owner marked as the developer, and
 * units with no current owner), and one buyer of several units counts as
 * one (here: units with the same set of current owners). Co-owners of a
 * unit cast one ballot for it.
 *
 * The rules live in govern.* of pm.yaml(5), shipped with the law's
 * values; a vote copies its rule when it is made. Every comparison is in
 * integers: part * den against whole * num, never a floating point. */
#ifndef PM_VOTE_H
#define PM_VOTE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/notify.h"
#include "pm/report.h"

struct pm_db;

/* ---- the count, pure ---- */

/* A ballot's choice: yes, no or abstain in a yes/no vote; in a vote with
 * options, for the options it names (PM_CHOICE_FOR) or abstain. */
enum pm_choice { PM_CHOICE_NONE, PM_CHOICE_YES, PM_CHOICE_NO, PM_CHOICE_ABSTAIN, PM_CHOICE_FOR };

/* "yes", "no" or "abstain"; PM_EUSAGE naming them otherwise. */
int pm_choice_parse(const char *s, enum pm_choice *c, struct pm_err *e);
/* "yes", "no" or "abstain"; PM_CHOICE_FOR is "yes" (agrees to the options). */
const char *pm_choice_name(enum pm_choice c);

/* A threshold: "at least NUM/DEN" (part/whole >= num/den) or "more than
 * NUM/DEN" (over: part/whole > num/den), 0 < num <= den <= 1000, and num <
 * den for "more than". */
struct pm_ratio {
	int64_t num, den;
	int over;
};
/* PM_ECONFIG saying what is expected for anything else. */
int pm_ratio_parse(const char *s, struct pm_ratio *r, struct pm_err *e);
/* The text pm_ratio_parse reads back: "at least 2/3". */
char *pm_ratio_fmt(const struct pm_ratio *r, char *buf, size_t size);
/* The rule as people read it, in their language: "超过 1/2". */
char *pm_ratio_say(const struct pm_ratio *r, char *buf, size_t size);
/* Whether part of whole meets r, exactly; never when whole is 0. */
int pm_ratio_met(const struct pm_ratio *r, int64_t part, int64_t whole);

/* A vote offers 2 to PM_VOTE_OPTIONS_MAX named options, or none (yes/no). */
#define PM_VOTE_OPTIONS_MAX 64

/* One unit of the vote's scope: its area (hundredths of m²), the key of
 * its owner as counted by head (units with the same key are one owner),
 * its ballot's choice (PM_CHOICE_NONE: none) and, with PM_CHOICE_FOR,
 * the options it names (bit i: option i). */
struct pm_vote_unit {
	int64_t area;
	int64_t owner;
	enum pm_choice choice;
	uint64_t options;
};

struct pm_measure {
	int64_t area, owners;
};

/* What became of an option in a vote with options. */
enum pm_pick { PM_PICK_FAILED, PM_PICK_CHOSEN, PM_PICK_TIED, PM_PICK_OUTRANKED };

/* The count. By area each unit counts with its own ballot, for each
 * option it names. By head an owner takes part when any of their units
 * has a ballot, and counts for each option every one of their ballots
 * names (abstains when all abstain); an owner whose ballots differ is
 * split, and counts by head for no option their ballots do not all name,
 * which never helps an option pass. A yes/no vote has two options, yes
 * (option[0]) and no (option[1]). */
struct pm_tally {
	struct pm_measure total, voted, abstain;
	struct pm_measure option[PM_VOTE_OPTIONS_MAX];
	size_t noptions;
	int64_t split;                  /* owners taking part whose ballots differ */
	int turnout_area, turnout_owners; /* each participation threshold reached */
	int pass_area, pass_owners;     /* yes (any option) reached agreement by area, by owners */
	int passed;                     /* yes/no: all four; options: participation and an option chosen */
	/* Votes with options: each option's agreement by area and by owners,
	 * and its pick; chosen and tied count the options so picked. */
	unsigned char reached_area[PM_VOTE_OPTIONS_MAX], reached_owners[PM_VOTE_OPTIONS_MAX];
	unsigned char pick[PM_VOTE_OPTIONS_MAX];
	int seats, chosen, tied;
};

/* Counts units[0..n) of a yes/no vote under the two thresholds. The
 * result does not depend on the order of the units. PM_EFAIL when memory
 * runs out. */
int pm_vote_count(const struct pm_vote_unit *units, size_t n, const struct pm_ratio *participation,
		  const struct pm_ratio *pass, struct pm_tally *t, struct pm_err *e);

/* Counts units[0..n) of a vote with noptions options choosing seats of
 * them. When participation is reached, every option supported by pass
 * of the participating area and of the participating owners is ranked by
 * its area, then by its owners; the first seats are chosen. Options equal
 * on both at the last seat and the next are tied, and none of them is
 * chosen: those seats are left to a new vote. Order independent, as
 * pm_vote_count. */
int pm_vote_count_options(const struct pm_vote_unit *units, size_t n, size_t noptions, int seats,
			  const struct pm_ratio *participation, const struct pm_ratio *pass, struct pm_tally *t,
			  struct pm_err *e);

/* ---- votes in the store ---- */

/* The matters of govern.matters (pm.yaml(5)), in the article's order. */
extern const char *const pm_vote_matters[];

struct pm_vote_new {
	const char *title;
	const char *matter;   /* one of pm_vote_matters */
	const char *building; /* a building's code: only its units count; NULL: all */
	int64_t opens, closes;
	const char *const *options; /* noptions names in ballot order; none: a yes/no vote */
	size_t noptions;
	int64_t seats;        /* how many options are chosen: 1 to noptions; 1 for a yes/no vote */
};
/* Makes a vote with the rule of its matter in the configuration in force;
 * audited. *out is its record (pm_vote_get's). PM_EDATA for an unknown
 * matter or building, a close not after the opening, an empty title,
 * options not 2 to PM_VOTE_OPTIONS_MAX distinct names of 1 to 100 bytes
 * that pm_code_valid takes (none "yes", "no" or "abstain"), seats not 1
 * to their number, or not 1 without options. */
int pm_vote_add(struct pm_db *db, const struct pm_vote_new *v, json_t **out, struct pm_err *e);
/* {"type":"vote","id","title","matter","participation","pass","building",
 * "opens","closes","status","ballots","created_at","created_by","options",
 * "seats"}; status is "pending", "open" or "closed" at pm_now(); options
 * the names ([] for a yes/no vote). PM_EDATA when none. */
int pm_vote_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e);
int pm_vote_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);
/* Closes an open vote now (its closes becomes now); audited. PM_EFAIL
 * for one already closed or not yet open. */
int pm_vote_close(struct pm_db *db, int64_t id, struct pm_err *e);

/* Keeps the count of every vote past its closing time whose count is
 * not kept yet, as it stands (pm-govern(1), Who counts: a closed vote's
 * count stands); audited. Inside a write, before one that changes what a
 * count reads: a unit's area or a new unit, the developer, a residence. */
int pm_vote_settle(struct pm_db *db, struct pm_err *e);

/* Marks person (code) as the developer (on) or not; audited. */
int pm_vote_developer(struct pm_db *db, const char *person, int on, struct pm_err *e);

struct pm_ballot {
	int64_t vote;
	const char *unit;
	const char *const *choices; /* yes, no or abstain; or up to the seats of the vote's options, or abstain */
	size_t nchoices;
	const char *by;     /* the voter's person code; NULL: the actor's own person */
	const char *paper;  /* the reference of a signed paper ballot, or NULL */
};
/* Whether actor may cast b: an owner (govern.vote) for a unit they own
 * now, as themselves, online (b->paper NULL); staff with govern.enter
 * for the owner named by b->by, from a paper ballot (b->paper, else
 * PM_EUSAGE). The voter must be a current owner of the unit, or the
 * developer for a unit with no owner: PM_ENOPERM otherwise, as for a
 * role that may not vote, an owner as someone else or with a paper
 * reference. *voter is the voter's person id. */
int pm_ballot_may(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b, int64_t *voter,
		  struct pm_err *e);
/* Casts or changes the unit's ballot (pm_ballot_may first), while the
 * vote is open: PM_EFAIL before it opens and after it closes. In a yes/no
 * vote the one choice is yes, no or abstain (PM_EUSAGE otherwise); in a
 * vote with options it names 1 to seats of them, or is abstain: PM_EDATA
 * for an option the vote does not have, one named twice, or too many.
 * Each change is audited with the ballot before and after; the same
 * choice again changes nothing. *out is the ballot's record
 * {"type":"ballot","vote","unit","person","choice","paper","entered_by",
 * "created_at","updated_at","options","changed"}: choice "yes" with the
 * options named, in the vote's order. */
int pm_ballot_cast(struct pm_db *db, const struct pm_actor *a, const struct pm_ballot *b, json_t **out,
		   struct pm_err *e);

/* Unit's ballot in vote as its record (pm_ballot_cast's without
 * "changed"), or *out NULL when it has none that counts: a ballot counts
 * while its voter is the unit's voter (an owner, or the developer for a
 * unit with no owner) on the day whose owners count, the day the vote
 * closes or today while it is open. The ballot of an owner who has sold
 * the unit since counts for nothing, in the tally and in reminders, and
 * the new owner's ballot replaces it. */
int pm_ballot_get(struct pm_db *db, int64_t vote, const char *unit, json_t **out, struct pm_err *e);

/* The vote's count from the store as a report (pm/render.h prints it):
 * section "tally" (total, taking part, yes and no or each option, abstain,
 * split: area, its share and fraction, owners, their share and fraction)
 * and section "outcome" (participation, then agreement or each option:
 * reached or not, and the outcome with the rule that decided it), of the
 * ballots that count (pm_ballot_get). *t, when not NULL, gets the
 * figures. Read by anyone with govern.read. */
int pm_vote_tally(struct pm_db *db, int64_t id, struct pm_report **out, struct pm_tally *t, struct pm_err *e);

/* The tally as an announcement to the vote's scope (its building, or
 * everyone), through pm_announce_add; audited there. */
int pm_vote_publish(struct pm_db *db, const struct pm_report *tally, int64_t id, int64_t *ann, long *units,
		    struct pm_notify_counts *counts, struct pm_err *e);

/* Queues template vote_reminder, through n, for the current owners of
 * every unit in the vote's scope without a ballot that counts
 * (pm_ballot_get), while the vote is
 * open (PM_EFAIL otherwise); channel -1: each owner's preferred. One
 * transaction, one audit record. *units counts the units reminded. */
int pm_vote_remind(struct pm_db *db, struct pm_notify *n, int64_t id, int channel, long *units,
		   struct pm_notify_counts *counts, struct pm_err *e);

#endif
